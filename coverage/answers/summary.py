"""A region at a glance: per indicator its latest figure, target, rank among its siblings, best and worst child,
and the figure rolled up from its children's counts."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Q,
    QuerySet,
)

from ..figures import access
from ..models import Indicator, Measurement, NationalTarget, Region, percentage, valid_on_q
from .attainment import target_met
from .common import better_first, extremes, latest_figures


@dataclass
class Rollup:
    """The parent's figure computed from its children's counts: Σnumerator / Σdenominator."""

    as_of: datetime.date
    value: Decimal | None
    numerator: int
    denominator: int
    children_with_counts: int
    children_without_counts: list[str]
    children_missing: list[str]
    stored_value: Decimal | None
    difference: Decimal | None
    disagrees: bool | None

    @property
    def complete(self):
        return not self.children_without_counts and not self.children_missing


def rollup(*, parent_figure: Measurement | None, as_of: datetime.date, child_codes: list[str], child_figures) -> Rollup:
    """Combine the children's figures of one date (the parent's own figure's date, if it has one)."""
    with_counts = [f for f in child_figures if f.numerator is not None and f.denominator]
    numerator = sum(f.numerator for f in with_counts)
    denominator = sum(f.denominator for f in with_counts)
    value = percentage(numerator, denominator) if denominator else None
    reported = {f.region.code for f in child_figures}
    result = Rollup(
        as_of=as_of,
        value=value,
        numerator=numerator,
        denominator=denominator,
        children_with_counts=len(with_counts),
        children_without_counts=sorted(f.region.code for f in child_figures if f not in with_counts),
        children_missing=sorted(code for code in child_codes if code not in reported),
        stored_value=parent_figure.value if parent_figure else None,
        difference=None,
        disagrees=None,
    )
    if parent_figure is not None and value is not None and result.complete:
        result.difference = parent_figure.value - value
        result.disagrees = abs(result.difference) > Decimal(str(settings.ROLLUP_TOLERANCE))
    return result


@dataclass
class IndicatorSummary:
    indicator: Indicator
    figure: Measurement | None
    target: NationalTarget | None
    gap: Decimal | None
    met: bool | None
    rank: int | None
    ranked: int
    highest: Measurement | None
    lowest: Measurement | None
    children: int
    rollup: Rollup | None = None


@dataclass
class RegionSummary:
    region: Region
    as_of: datetime.date
    results: list[IndicatorSummary] = field(default_factory=list)


def siblings_of(region: Region, as_of: datetime.date) -> QuerySet[Region]:
    """The regions ranked against this one on ``as_of``: same parent, or every province for a province."""
    regions = Region.objects.filter(valid_on_q(as_of) | Q(pk=region.pk))  # itself, even where retired
    if region.parent_id is None:
        return regions.filter(level=Region.Level.PROVINCE)
    return regions.filter(parent=region.parent_id)


def region_summary(*, region: Region, as_of: datetime.date, with_rollup: bool = False) -> RegionSummary:
    """For each indicator: the region's latest figure, its target, its rank among its siblings and
    the highest and lowest of its children. Eight queries (nine with the roll-up), whatever the number of regions."""
    indicators = list(Indicator.objects.order_by("code"))
    siblings = latest_figures(regions=siblings_of(region, as_of), as_of=as_of)
    children = latest_figures(regions=Region.objects.valid_on(as_of).filter(parent=region.code), as_of=as_of)
    own = {f.indicator_id: f for f in siblings if f.region_id == region.pk}
    years = {f.as_of.year for f in own.values()} | {as_of.year}
    targets = {
        (t.indicator_id, t.year): t
        for t in NationalTarget.objects.filter(year__in=years).select_related("indicator", "source")
    }
    siblings_by_indicator, children_by_indicator = defaultdict(list), defaultdict(list)
    for figure in siblings:
        siblings_by_indicator[figure.indicator_id].append(figure)
    for figure in children:
        children_by_indicator[figure.indicator_id].append(figure)

    rollup_figures = defaultdict(list)
    child_codes = []
    if with_rollup:
        child_codes = list(Region.objects.valid_on(as_of).filter(parent=region.code).values_list("code", flat=True))
        dates = {
            indicator.pk: own[indicator.pk].as_of
            if indicator.pk in own
            else max((f.as_of for f in children_by_indicator[indicator.pk]), default=None)
            for indicator in indicators
        }
        wanted = Q(pk__in=[])
        for indicator_id, date in dates.items():
            if date is not None:
                wanted |= Q(indicator_id=indicator_id, as_of=date)
        for figure in access.public_figures().filter(wanted, region__parent=region.code).select_related("region"):
            rollup_figures[figure.indicator_id].append(figure)

    summary = RegionSummary(region, as_of)
    for indicator in indicators:
        figure = own.get(indicator.pk)
        target = targets.get((indicator.pk, figure.as_of.year if figure else as_of.year))
        gap = met = None
        if figure is not None and target is not None:
            gap = figure.value - target.value
            met = target_met(figure.value, target.value, higher_is_better=indicator.higher_is_better)
        ranked = better_first(siblings_by_indicator[indicator.pk], higher_is_better=indicator.higher_is_better)
        item = IndicatorSummary(
            indicator=indicator,
            figure=figure,
            target=target,
            gap=gap,
            met=met,
            rank=figure.rank if figure is not None else None,
            ranked=len(ranked),
            highest=None,
            lowest=None,
            children=len(children_by_indicator[indicator.pk]),
        )
        item.highest, item.lowest = extremes(children_by_indicator[indicator.pk])
        if with_rollup and dates[indicator.pk] is not None:
            item.rollup = rollup(
                parent_figure=figure,
                as_of=dates[indicator.pk],
                child_codes=child_codes,
                child_figures=rollup_figures[indicator.pk],
            )
        summary.results.append(item)
    return summary
