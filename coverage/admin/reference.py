"""Regions, indicators, sources, national targets and partnerships in the admin."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..api.clients import actor_of
from ..figures import access
from ..models import BpsCode, Indicator, NationalTarget, Partnership, Region, Source
from ..regions import lineage
from .base import CheckedAutocomplete, ReferenceDataAdmin, VersionedAdmin


class BpsCodeInline(admin.TabularInline):
    """The crosswalk's pairs of a region, as load_regions loaded them: read-only (the crosswalk files are the truth)."""

    model = BpsCode
    fields = readonly_fields = ["code", "name"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("BPS codes (from the BPS crosswalk; load_regions keeps them)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin, VersionedAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "kind",
        "parent",
        "bps_code",
        "valid_from",
        "valid_until",
        "population",
        "population_as_of",
    ]
    list_filter = ["level", "kind", ("valid_until", admin.EmptyFieldListFilter)]
    search_fields = ["^code", "name", "=bps_code"]
    inlines = [BpsCodeInline]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
    list_per_page = 100
    # 91,599 regions at village level: skip the second COUNT(*) of the whole table.
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The code is the region's identity in every URL and import file; the BPS code comes from the crosswalk, the
        # validity and lineage from the code changes (load_regions).
        derived = ["bps_code", "valid_from", "valid_until", "lineage"]
        return ["code", *derived] if obj else derived

    @admin.display(description=_("lineage"))
    def lineage(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        steps = lineage.lineage_of(obj.code)
        lines = [
            format_html(
                "{} {} ({}, {}, {})",
                _("from") if side == "predecessors" else _("to"),
                step["code"],
                step["change"],
                step["effective"],
                step["legal_basis"],
            )
            for side in ("predecessors", "successors")
            for step in steps[side]
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) if lines else "-"

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


@admin.register(Partnership)
class PartnershipAdmin(ReferenceDataAdmin, CheckedAutocomplete, admin.ModelAdmin):
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
