"""Figures in the admin: the list an editor works from, the form, verification and publication, the import page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..api.clients import actor_of
from ..figures import access, quality
from ..figures.fields import IMPORTED
from ..figures.latest import lock_series_of
from ..models import Measurement, Region
from ..regions import lineage
from .base import VersionedAdmin, VersionedForm
from .import_page import measurement_import_view


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
        fields = list(IMPORTED)  # coverage.figures.fields: what an operator writes, as in an import file
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
        if cleaned.get("region") is not None and cleaned.get("as_of") is not None:
            try:
                lineage.check_valid_on(cleaned["region"], cleaned["as_of"])
            except forms.ValidationError as exc:
                self.add_error("as_of", exc)
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
        # Every series' is_latest locks at once, in order, before the rows are (coverage.figures.latest); held to the
        # end of the one transaction the deletions share.
        with transaction.atomic():
            lock_series_of(queryset)
            super().delete_queryset(request, queryset)

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST" and str(object_id).isdigit():
            lock_series_of(Measurement.objects.filter(pk=object_id))  # before the row's lock (VersionedAdmin)
        return super().get_object(request, object_id, from_field)

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
