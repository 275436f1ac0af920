"""Each region's latest published figure, as every answer reads it, and how figures are ordered and compared."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    QuerySet,
)
from django.utils import timezone

from ..figures import access
from ..figures.fields import MOMENTS
from ..figures.latest import latest_measurements
from ..models import Indicator, Measurement, Region


def latest_figures(*, regions: QuerySet[Region], as_of: datetime.date, indicators=None) -> list[Measurement]:
    """Each region's latest published figure per indicator on or before ``as_of`` (two queries)."""
    # Answers show values, dates, counts and sources, never a figure's own timestamps: left unread, they cost
    # nothing (parsing three timestamps a row was 40 % of ranking the 7,285 kecamatan).
    figures = _latest_figures(regions=regions, as_of=as_of, indicators=indicators)
    return list(figures.select_related("region", "indicator").defer(*MOMENTS))


class RegionName(NamedTuple):
    code: str
    name: str


@dataclass(slots=True)
class Figure:
    """A figure as a ranking shows it. For thousands of regions (the 7,285 kecamatan) a Measurement and its
    Region, built by the ORM for each, took most of the time the answer took."""

    region: RegionName
    value: Decimal
    as_of: datetime.date
    source_id: int
    rank: int | None = None


def latest_figures_of(indicator: Indicator, *, regions: QuerySet[Region], as_of: datetime.date) -> list[Figure]:
    """As latest_figures() for one indicator, as Figures (two queries)."""
    figures = _latest_figures(regions=regions, as_of=as_of, indicators=[indicator])
    rows = figures.values_list("region__code", "region__name", "value", "as_of", "source_id")
    return [Figure(RegionName(code, name), value, day, source) for code, name, value, day, source in rows]


def _latest_figures(*, regions, as_of, indicators) -> QuerySet[Measurement]:
    latest = Measurement.objects.filter(is_latest=True, region__in=regions)
    if indicators is not None:
        latest = latest.filter(indicator__in=indicators)
    if as_of >= timezone.localdate() and not latest.filter(as_of__gt=as_of).exists():
        # Every series' latest figure is on or before as_of (the usual case: as_of is today): precomputed.
        figures = latest
    else:
        figures = latest_measurements(access.public_figures().filter(region__in=regions, as_of__lte=as_of))
    if indicators is not None:
        figures = figures.filter(indicator__in=indicators)
    return figures


def better_first(figures: list[Measurement | Figure], *, higher_is_better: bool) -> list[Measurement | Figure]:
    """Sort best first by the indicator's direction and give each figure its ``rank`` (ties share a rank)."""
    ordered = sorted(figures, key=lambda f: (-f.value if higher_is_better else f.value, f.region.code))
    for position, figure in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        figure.rank = previous.rank if previous is not None and previous.value == figure.value else position
    return ordered


def extremes(figures: list[Measurement | Figure]) -> tuple[Measurement | Figure | None, Measurement | Figure | None]:
    """The highest and the lowest figure by value (ties: the lower region code)."""
    if not figures:
        return None, None
    highest = min(figures, key=lambda f: (-f.value, f.region.code))
    lowest = min(figures, key=lambda f: (f.value, f.region.code))
    return highest, lowest
