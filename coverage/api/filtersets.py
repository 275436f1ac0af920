"""The query parameters of each resource and answer, names exactly as in the v1 contract (docs/design.md)."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..figures import access, quality
from ..figures.latest import latest_measurements
from ..models import Measurement, NationalTarget, Partnership, Region
from ..regions import lineage
from .clients import actor_of
from .filterfields import (
    BpsCodeFilter,
    ChoiceListFilter,
    IsoDateFilter,
    KindListFilter,
    LevelListFilter,
    MomentFilter,
    StrictBooleanFilter,
    TieBreakingOrderingFilter,
    UpdatedAfterFilter,
    WithinFilter,
    YearFilter,
    indicator_code_filter,
    region_code_filter,
)
from .filtering import FilterSet, ParameterForm, lookup_condition


class RegionFilterSet(FilterSet):
    level = LevelListFilter(
        field_name="level", help_text=_("Region level: 1 province, 2 regency/city, 3 district, 4 village.")
    )
    kind = KindListFilter(field_name="kind", help_text=_("Region kind: province, regency, city, district, village."))
    parent = region_code_filter(field_name="parent", help_text=_("Direct children of these regions (codes)."))
    within = region_code_filter(
        WithinFilter,
        field_name="code",
        help_text=_("All descendants of these regions (codes), not the regions themselves."),
    )
    bps_code = BpsCodeFilter(help_text=_("Regions with these BPS codes (6402,6403): the crosswalk's pairs."))
    retired = StrictBooleanFilter(
        method="filter_retired",
        help_text=_(
            "true: only the codes retired by a change (e.g. 91.01, Merauke until 2022-07-24, now 93.01); by default "
            "only today's regions are listed."
        ),
    )
    search = django_filters.CharFilter(
        method="search_name_or_code", max_length=100, help_text=_("Part of the name, or the start of the code.")
    )

    class Meta:
        model = Region
        fields = []

    def search_name_or_code(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_retired(self, queryset, name, value):
        return queryset  # applied in filter_queryset, also when not given

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        view = self.request.parser_context.get("view") if self.request is not None else None
        if getattr(view, "detail", False):
            return queryset  # regions/{code}/ answers for any code, current or retired
        day = timezone.localdate()
        return (
            queryset.filter(valid_until__lte=day) if self.form.cleaned_data.get("retired") else queryset.valid_on(day)
        )


class NationalTargetFilterSet(FilterSet):
    indicator = indicator_code_filter(field_name="indicator", help_text=_("Indicator codes."))
    year = YearFilter(field_name="year", help_text=_("Target year."))
    updated_after = UpdatedAfterFilter()

    class Meta:
        model = NationalTarget
        fields = []


class DateRangeForm(ParameterForm):
    """``as_of_from`` after ``as_of_to`` selects nothing, surely not what was meant: a 400, not an empty list."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("as_of_from"), cleaned.get("as_of_to")
        if start is not None and end is not None and start > end:
            self.add_error(
                "as_of_from",
                ValidationError(
                    _("as_of_from (%(start)s) is after as_of_to (%(end)s)."),
                    code="invalid_range",
                    params={"start": start.isoformat(), "end": end.isoformat()},
                ),
            )
        return cleaned


class MeasurementFilterSet(FilterSet):
    region = region_code_filter(field_name="region", help_text=_("Figures of these regions (codes)."))
    indicator = indicator_code_filter(field_name="indicator", help_text=_("Figures of these indicators (codes)."))
    parent = region_code_filter(
        field_name="region__parent", help_text=_("Figures of the direct children of these regions (codes).")
    )
    within = region_code_filter(
        WithinFilter,
        field_name="region__code",
        help_text=_("Figures of all descendants of these regions (codes), not of the regions themselves."),
    )
    level = LevelListFilter(field_name="region__level", help_text=_("Figures of regions of these levels."))
    kind = KindListFilter(field_name="region__kind", help_text=_("Figures of regions of these kinds."))
    as_of = IsoDateFilter(field_name="as_of", help_text=_("Figures as of exactly this date (YYYY-MM-DD)."))
    as_of_from = IsoDateFilter(
        field_name="as_of", lookup_expr="gte", help_text=_("Figures as of this date or later (inclusive).")
    )
    as_of_to = IsoDateFilter(
        field_name="as_of", lookup_expr="lte", help_text=_("Figures as of this date or earlier (inclusive).")
    )
    year = YearFilter(field_name="as_of", lookup_expr="year", help_text=_("Figures as of a date in this year."))
    updated_after = UpdatedAfterFilter()
    status = ChoiceListFilter(
        field_name="status",
        choices=Measurement.Status.choices,
        help_text=_(
            "Publication status (default: published). draft and verified need the permission to see unpublished "
            "figures."
        ),
    )
    flag = ChoiceListFilter(
        method="filter_flags",
        choices=list(quality.FLAGS.items()),
        help_text=_(
            "Figures with any of these data-quality flags: above_100 (value over 100 %), jump (more than QUALITY_JUMP "
            "points from the region's previous figure), rollup_mismatch (differs from the roll-up of its children's "
            "counts by more than ROLLUP_TOLERANCE)."
        ),
    )
    known_at = MomentFilter(
        method="keep_all",
        help_text=_(
            "The figures as the service served them at this moment (ISO 8601), from the change history: "
            "reproduces a report after later corrections."
        ),
    )
    latest = StrictBooleanFilter(
        help_text=_(
            "true: only the most recent figure per region and indicator among those that match the other "
            "filters (with as_of_to: each region's latest figure on or before that date)."
        ),
    )
    lineage = StrictBooleanFilter(
        method="keep_all",
        help_text=_(
            "true: region, parent and within also match the figures recorded, before a recode, under the code it "
            "replaced (region=93.01 gives 91.01's figures up to 2022-07-24 and 93.01's after); each row keeps the "
            "code it was recorded under, and latest=true keeps one row per series across the recode."
        ),
    )
    ordering = TieBreakingOrderingFilter(
        fields=(("region__code", "region"), ("as_of", "as_of"), ("value", "value"), ("updated_at", "updated_at")),
        tie_breakers=["region__code", "indicator__code", "as_of", "id"],
        help_text=_(
            "Sort by region, as_of, value or updated_at, each optionally prefixed with - (descending); comma-separated."
        ),
    )

    class Meta:
        model = Measurement
        fields = []
        form = DateRangeForm

    def keep_all(self, queryset, name, value):
        return queryset  # known_at is applied by the view, which swaps in the historical rows

    def filter_flags(self, queryset, name, value):
        return quality.with_quality(queryset).filter(quality.flag_condition(value)) if value else queryset

    def filter_queryset(self, queryset):
        # latest=true picks among the rows every other filter kept; ordering comes last.
        data = dict(self.form.cleaned_data)
        latest = data.pop("latest", None)
        ordering = data.pop("ordering", None)
        known = lineage.changes() if data.pop("lineage", None) else None
        queryset = self.filter_status(queryset, data.pop("status", None))
        # One filter() for all plain lookups: the same rows as one call each, since every relation followed
        # (region, its parent, indicator) is a foreign key, where chained filter() calls share their joins.
        conditions = []
        for name, value in data.items():
            condition = lookup_condition(self.filters[name], value)
            if condition is NotImplemented:
                queryset = self.filters[name].filter(queryset, value)
            elif condition is not None:
                if known is not None and name in ("region", "parent", "within"):
                    earlier = lineage.series_condition(name, [region.code for region in value], known)
                    condition = condition if earlier is None else condition | earlier
                conditions.append(condition)
        queryset = queryset.filter(*conditions)
        if latest:
            selecting_series = {"region", "indicator", "parent", "within", "level", "kind", "code_system"}
            published_only = queryset.model is Measurement and set(self.statuses) == {Measurement.Status.PUBLISHED}
            if known is not None:
                named = [r.code for name in ("region", "parent", "within") for r in data.get(name) or []]
                series = lineage.series_code(known, named if named else None)
                queryset = latest_measurements(queryset, series=series)
            elif published_only and not any(value for name, value in data.items() if name not in selecting_series):
                # Precomputed: each series' latest published figure, kept current on every write.
                queryset = queryset.filter(is_latest=True)
            else:
                queryset = latest_measurements(queryset)
        if "ordering" in self.filters:
            queryset = self.filters["ordering"].filter(queryset, ordering)
        return queryset

    def filter_status(self, queryset, statuses):
        view = self.request.parser_context.get("view") if self.request is not None else None
        self.statuses = statuses or [Measurement.Status.PUBLISHED]
        if not statuses and getattr(view, "detail", False):
            return queryset  # one figure by id: the view applies who may see it
        actor = actor_of(self.request)
        if set(self.statuses) != {Measurement.Status.PUBLISHED}:
            access.check_may_ask_for_unpublished(actor)
        return access.visible_figures(queryset.filter(status__in=self.statuses), actor)


class AnswerParametersMixin:
    """Parameters that shape an answer rather than select rows: validated, then read from cleaned_data."""

    def keep_all(self, queryset, name, value):
        return queryset


class RegionScopeFilterSet(FilterSet):
    parent = region_code_filter(field_name="parent", help_text=_("Rank the direct children of these regions (codes)."))
    within = region_code_filter(
        WithinFilter, field_name="code", help_text=_("Rank all descendants of these regions (codes).")
    )
    level = LevelListFilter(field_name="level", help_text=_("Rank regions of these levels."))
    kind = KindListFilter(field_name="kind", help_text=_("Rank regions of these kinds."))

    class Meta:
        model = Region
        fields = []


class RankingFilterSet(AnswerParametersMixin, RegionScopeFilterSet):
    as_of = IsoDateFilter(
        method="keep_all", help_text=_("Rank each region's latest figure on or before this date (default: today).")
    )


class AttainmentFilterSet(AnswerParametersMixin, FilterSet):
    region = region_code_filter(field_name="code", required=True, help_text=_("The region (one code)."))
    year = YearFilter(
        method="keep_all",
        required=True,
        help_text=_("The year: its national target and the region's latest figure in it."),
    )
    children = StrictBooleanFilter(
        method="keep_all", help_text=_("true: also each direct child region with a figure in the year.")
    )

    class Meta:
        model = Region
        fields = []


class SummaryFilterSet(AnswerParametersMixin, FilterSet):
    as_of = IsoDateFilter(method="keep_all", help_text=_("Latest figures on or before this date (default: today)."))
    rollup = StrictBooleanFilter(
        method="keep_all",
        help_text=_("true: also compute each figure from the children's numerators and denominators."),
    )

    class Meta:
        model = Region
        fields = []


class AvailabilityFilterSet(MeasurementFilterSet):
    """The measurement filters that select rows to count (no latest, no ordering)."""


for _name in ("latest", "ordering", "known_at", "flag"):
    del AvailabilityFilterSet.base_filters[_name]


class DeletedFilterSet(FilterSet):
    deleted_after = MomentFilter(
        field_name="deleted_at",
        lookup_expr="gt",
        help_text=_("Only deletions after this moment (ISO 8601, e.g. 2024-06-21T00:00:00Z)."),
    )


class PartnershipFilterSet(FilterSet):
    indicator = indicator_code_filter(field_name="indicator", help_text=_("Programmes for these indicators (codes)."))
    region = region_code_filter(field_name="regions", help_text=_("Programmes running in these regions (codes)."))

    class Meta:
        model = Partnership
        fields = []
