"""What the model admins share: a form that refuses to save over a later change, change history with its door,
and reference data that only national editors change."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..api.clients import actor_of
from ..figures import access


class KnownValuesOnly:
    """Django's autocomplete widgets look the submitted values up to show them again with the form's errors; a value
    that cannot be a key of the related model (a stale page, a hand-made POST) made that lookup a 500. Such values
    are left out of the lookup: the field's own error says what is wrong."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        return super().optgroups(name, [v for v in value if _may_be_key(target, v)], attr)


def _may_be_key(field, value) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class CheckedAutocompleteSelect(KnownValuesOnly, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(KnownValuesOnly, AutocompleteSelectMultiple):
    pass


class CheckedAutocomplete:
    """For every model admin and inline with ``autocomplete_fields``: the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class VersionedForm(forms.ModelForm):
    """Carries the version the editor saw: saving over someone else's later change is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None and expected != self.instance.version:
            raise forms.ValidationError(
                _(
                    "Someone else changed this record since you opened it (version %(seen)s, now %(now)s). "
                    "Reload the page to see their change, then make yours again."
                ),
                code="stale",
                params={"seen": expected, "now": self.instance.version},
            )
        return cleaned


class VersionedAdmin(CheckedAutocomplete, SimpleHistoryAdmin):
    """Change history on every object (who, when, through which door) and no lost updates: a save locks the
    row and is refused if it changed since the form was opened."""

    form = VersionedForm
    history_list_display = ["history_door"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, (None, {"fields": ["expected_version"]})] if obj else fieldsets

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting is disabled (SIMPLE_HISTORY_REVERT_DISABLED hides the button); refuse the POST too, which
        # simple-history would accept with the view permission alone.
        if request.method == "POST":
            raise PermissionDenied(_("Reverting from the history is disabled; edit the record instead."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST":
            queryset = self.model._default_manager.select_for_update(of=("self",))
            model = queryset.model
            field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
            try:
                return queryset.get(**{field.name: field.to_python(object_id)})
            except (model.DoesNotExist, ValidationError, ValueError):
                return None
        return super().get_object(request, object_id, from_field)


class ReferenceDataAdmin:
    """Regions, indicators, national targets and partnerships: shown publicly and used by every province, so changed
    only by national editors allowed to publish (coverage.figures.access); others see them read-only."""

    def may_change(self, request):
        return access.allowed(access.check_may_change_reference, actor_of(request))

    def has_add_permission(self, request, *args):
        return self.may_change(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.may_change(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_change(request) and super().has_delete_permission(request, obj)
