from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import path
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from ..api.permissions import actor_of
from ..figures import access, quality
from ..models import ClientKey, Indicator, Measurement, NationalTarget, Partnership, Region, RegionGrant, Source
from ..regions.scopes import scope_of
from .import_page import measurement_import_view

admin.site.site_header = _("Population-administration coverage")
admin.site.site_title = _("adminduk-coverage")
admin.site.index_title = _("Figures, targets and regions")


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


class VersionedAdmin(SimpleHistoryAdmin):
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


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin, VersionedAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "population", "population_as_of"]
    list_filter = ["level", "kind"]
    search_fields = ["^code", "name"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
    list_per_page = 100
    # 91,599 regions at village level: skip the second COUNT(*) of the whole table.
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The code is the region's identity in every URL and import file.
        return ["code"] if obj else []

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") in ("measurement", "clientkey") and request.GET.get("field_name") in (
            "region",
            "regions",
        ):
            # The region picker of a figure or an API key offers only the regions the editor may write.
            queryset = queryset.filter(actor_of(request).scope.q("code"))
        return queryset, distinct


@admin.register(Indicator)
class IndicatorAdmin(ReferenceDataAdmin, VersionedAdmin):
    list_display = ["code", "name", "name_en", "unit", "population", "higher_is_better"]
    list_filter = ["unit", "higher_is_better"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "publisher", "published_on", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "note"]
    date_hierarchy = "published_on"

    # Any editor may add a source; one that public figures cite is reference data (coverage.figures.access).
    def has_change_permission(self, request, obj=None):
        if obj is not None and not access.allowed(access.check_may_change_source, actor_of(request), obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not access.allowed(access.check_may_change_source, actor_of(request), obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(NationalTarget)
class NationalTargetAdmin(ReferenceDataAdmin, VersionedAdmin):
    list_display = ["indicator", "year", "value", "source"]
    list_filter = ["indicator", "year"]
    list_select_related = ["indicator", "source"]
    search_fields = ["indicator__code", "indicator__name"]
    autocomplete_fields = ["source"]


class RegionLevelFilter(admin.SimpleListFilter):
    title = _("region level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Region.Level.choices

    def queryset(self, request, queryset):
        if self.value() in {str(level) for level in Region.Level.values}:
            return queryset.filter(region__level=self.value())
        return queryset


class FlagFilter(admin.SimpleListFilter):
    title = _("data-quality flag")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return list(quality.FLAGS.items())

    def queryset(self, request, queryset):
        if self.value() in quality.FLAGS:
            return queryset.filter(quality.flag_condition([self.value()]))
        return queryset


class MeasurementForm(VersionedForm):
    actor = None  # set per request by MeasurementAdmin.get_form

    class Meta:
        model = Measurement
        fields = ["region", "indicator", "as_of", "value", "numerator", "denominator", "source", "status"]
        help_texts = {"value": _("Leave empty to derive it from numerator and denominator.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "value" in self.fields:  # a figure opened view-only has no editable fields
            # Measurement.clean() derives the value from the counts when it is left empty.
            self.fields["value"].required = False
        self.publication = {}

    def clean(self):
        cleaned = super().clean()
        original = Measurement.objects.get(pk=self.instance.pk) if self.instance.pk else None
        attrs = {name: cleaned[name] for name in self.changed_data if name in cleaned and name != "expected_version"}
        try:
            # An error on region keeps it out of the uniqueness check that follows clean(): a refusal never tells
            # which figures exist in another region.
            access.check_may_write_figure(self.actor, figure=original, region=cleaned.get("region"))
        except access.AccessDenied as exc:
            self.add_error("region" if "region" in cleaned else None, str(exc))
            return cleaned
        try:
            self.publication = access.publication_changes(self.actor, figure=original, attrs=attrs)
        except access.AccessDenied as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None
        return cleaned


@admin.register(Measurement)
class MeasurementAdmin(VersionedAdmin):
    form = MeasurementForm
    list_display = [
        "region_code",
        "region_name",
        "indicator",
        "as_of",
        "value",
        "numerator",
        "denominator",
        "status",
        "flags",
        "source",
    ]
    list_display_links = ["region_code", "region_name"]
    list_filter = ["indicator", RegionLevelFilter, "status", FlagFilter, "as_of", "source"]
    list_select_related = ["region", "indicator", "source"]
    search_fields = ["^region__code", "region__name"]
    autocomplete_fields = ["region", "source"]
    date_hierarchy = "as_of"
    ordering = ["region__code", "indicator__code", "-as_of"]
    readonly_fields = ["verified_by", "verified_at", "created_at", "updated_at", "version"]
    fieldsets = [
        (None, {"fields": ["region", "indicator", "as_of", "value"]}),
        (_("Counts (optional)"), {"fields": ["numerator", "denominator"]}),
        (_("Publication"), {"fields": ["status", "verified_by", "verified_at"]}),
        (_("Provenance"), {"fields": ["source", "created_at", "updated_at", "version"]}),
    ]
    show_full_result_count = False
    list_per_page = 100

    def get_queryset(self, request):
        return quality.with_quality(access.admin_figures(super().get_queryset(request), actor_of(request)))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(actor_of(request).scope.q("code"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not access.may_open_in_admin(actor_of(request), obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not access.allowed(access.check_may_write_figure, actor_of(request), figure=obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        figures = Measurement.objects.filter(pk=obj.pk) if obj is not None else None
        if figures is not None and not access.allowed(access.check_may_delete_figures, actor_of(request), figures):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        access.check_may_delete_figures(actor_of(request), queryset)
        super().delete_queryset(request, queryset)

    def history_view(self, request, object_id, extra_context=None):
        self.check_history(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.check_history(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    @staticmethod
    def check_history(request, object_id):
        """The history shows every past state, drafts included: the API's rule (coverage.figures.access)."""
        pk = int(object_id) if str(object_id).isdigit() else None
        regions = Measurement.history.filter(id=pk).values_list("region__code", flat=True).distinct()
        try:
            access.check_may_read_history(actor_of(request), regions)
        except access.NotVisible:
            raise PermissionDenied from None

    @admin.display(description=_("flags"))
    def flags(self, obj):
        return ", ".join(str(quality.FLAGS[name]) for name in quality.flags_of(obj)) or "—"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = actor_of(request)
        return form

    def save_model(self, request, obj, form, change):
        for name, value in form.publication.items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: measurement_import_view(self, request))
        return [path("import/", view, name="coverage_measurement_import"), *super().get_urls()]

    @admin.display(description=_("code"), ordering="region__code")
    def region_code(self, obj):
        return obj.region.code

    @admin.display(description=_("region"), ordering="region__name")
    def region_name(self, obj):
        return obj.region.name


@admin.register(Partnership)
class PartnershipAdmin(ReferenceDataAdmin, admin.ModelAdmin):
    list_display = ["name", "indicator", "region_codes", "source"]
    list_filter = ["indicator"]
    list_select_related = ["indicator", "source"]
    search_fields = ["name", "description", "regions__code", "regions__name"]
    autocomplete_fields = ["regions", "source"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=_("regions"))
    def region_codes(self, obj):
        return ", ".join(region.code for region in obj.regions.all())


# API keys of client apps (djangorestframework-api-key), managed by superusers only: a key acts for an account,
# so whoever makes keys can act as any account.
admin.site.unregister(APIKey)


class ClientKeyForm(forms.ModelForm):
    class Meta:
        model = ClientKey
        fields = ["name", "user", "scope", "regions", "expiry_date", "revoked"]

    def clean(self):
        cleaned = super().clean()
        user, regions = cleaned.get("user"), cleaned.get("regions")
        if user is not None and regions:
            outside = [region.code for region in regions if not scope_of(user).allows(region.code)]
            if outside:
                self.add_error(
                    "regions",
                    _("Outside the regions of %(user)s (%(scope)s): %(codes)s.")
                    % {"user": user, "scope": scope_of(user), "codes": ", ".join(outside)},
                )
        return cleaned


@admin.register(ClientKey)
class ClientKeyAdmin(APIKeyModelAdmin):
    form = ClientKeyForm
    list_display = [
        "prefix",
        "name",
        "user",
        "scope",
        "region_codes",
        "created",
        "expiry_date",
        "_has_expired",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["scope", "revoked", "created"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user", "regions"]

    def get_readonly_fields(self, request, obj=None):
        fields = ["prefix", "last_used_at"]
        if obj is not None:
            # A key's account never changes; a revoked key changes no more.
            fields.append("user")
            if obj.revoked:
                fields += ["name", "scope", "regions", "expiry_date", "revoked"]
        return fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=_("regions"))
    def region_codes(self, obj):
        return ", ".join(region.code for region in obj.regions.all()) or _("those of the account")

    def has_module_permission(self, request):
        return access.may_manage_keys(actor_of(request))

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: self.has_module_permission(request)
    )


class RegionGrantInline(admin.TabularInline):
    model = RegionGrant
    extra = 1
    autocomplete_fields = ["region"]
    verbose_name_plural = _("region grants (none: every region with the national permission, else none)")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with the regions they act in (coverage.figures.access): a kabupaten/kota operator gets their
    kabupaten/kota, the province team its province; a user with no grant acts nationally with the permission to
    write every region (or as a superuser), and nowhere without it."""

    inlines = [*DjangoUserAdmin.inlines, RegionGrantInline]
    list_display = [*DjangoUserAdmin.list_display, "region_codes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("region_grants")

    @admin.display(description=_("regions"))
    def region_codes(self, obj):
        granted = ", ".join(grant.region_id for grant in obj.region_grants.all())
        return granted or (_("national") if access.Actor(obj).scope.national else _("none"))
