"""A region's figure against the national target of a year, and its children's."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Q,
)

from ..figures import access
from ..figures.latest import latest_measurements
from ..models import Indicator, Measurement, NationalTarget, Region, valid_on_q
from .common import better_first


class NoTarget(LookupError):
    """No national target is set for this indicator and year."""


def target_met(value: Decimal, target: Decimal, *, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


@dataclass
class Attained:
    region: Region
    figure: Measurement | None
    gap: Decimal | None
    met: bool | None


@dataclass
class Attainment:
    indicator: Indicator
    year: int
    target: NationalTarget
    region: Attained
    children: list[Attained] | None

    @property
    def results(self):
        return [self.region, *(self.children or [])]


def attained(region: Region, figure: Measurement | None, target: NationalTarget) -> Attained:
    if figure is None:
        return Attained(region, None, None, None)
    return Attained(
        region,
        figure,
        figure.value - target.value,
        target_met(figure.value, target.value, higher_is_better=target.indicator.higher_is_better),
    )


def attainment(*, indicator: Indicator, region: Region, year: int, children: bool) -> Attainment:
    """The region's latest figure in ``year`` against the national target of that year (and its children's)."""
    target = NationalTarget.objects.select_related("indicator", "source").filter(indicator=indicator, year=year).first()
    if target is None:
        raise NoTarget(indicator, year)
    # The children whose codes named them on some day of the year (in 2022 both 91.01 and 93.01 name Merauke).
    in_year = valid_on_q(datetime.date(year, 1, 1), until=datetime.date(year, 12, 31))
    scope = (
        Region.objects.filter(Q(pk=region.pk) | (Q(parent=region.code) & in_year))
        if children
        else Region.objects.filter(pk=region.pk)
    )
    figures = latest_measurements(
        access.public_figures().filter(indicator=indicator, region__in=scope, as_of__year=year).select_related("region")
    )
    by_region = {figure.region_id: figure for figure in figures}
    child_rows = None
    if children:
        child_figures = [f for f in by_region.values() if f.region_id != region.pk]
        child_rows = [
            attained(f.region, f, target)
            for f in better_first(child_figures, higher_is_better=indicator.higher_is_better)
        ]
    return Attainment(indicator, year, target, attained(region, by_region.get(region.pk), target), child_rows)
