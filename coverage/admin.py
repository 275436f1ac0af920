from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Indicator, Measurement, NationalTarget, Partnership, Region, Source

admin.site.site_header = _("Population-administration coverage")
admin.site.site_title = _("adminduk-coverage")
admin.site.index_title = _("Figures, targets and regions")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
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


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "unit", "population", "higher_is_better"]
    list_filter = ["unit", "higher_is_better"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "publisher", "published_on", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "note"]
    date_hierarchy = "published_on"


@admin.register(NationalTarget)
class NationalTargetAdmin(admin.ModelAdmin):
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


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["region", "indicator", "as_of", "value", "numerator", "denominator", "source"]
        help_texts = {"value": _("Leave empty to derive it from numerator and denominator.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Measurement.clean() derives the value from the counts when it is left empty.
        self.fields["value"].required = False


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    form = MeasurementForm
    list_display = ["region_code", "region_name", "indicator", "as_of", "value", "numerator", "denominator", "source"]
    list_display_links = ["region_code", "region_name"]
    list_filter = ["indicator", RegionLevelFilter, "as_of", "source"]
    list_select_related = ["region", "indicator", "source"]
    search_fields = ["^region__code", "region__name"]
    autocomplete_fields = ["region", "source"]
    date_hierarchy = "as_of"
    ordering = ["region__code", "indicator__code", "-as_of"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["region", "indicator", "as_of", "value"]}),
        (_("Counts (optional)"), {"fields": ["numerator", "denominator"]}),
        (_("Provenance"), {"fields": ["source", "created_at", "updated_at"]}),
    ]
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description=_("code"), ordering="region__code")
    def region_code(self, obj):
        return obj.region.code

    @admin.display(description=_("region"), ordering="region__name")
    def region_name(self, obj):
        return obj.region.name


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
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
