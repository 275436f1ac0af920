"""The public dashboard's figures: per indicator, the latest figures of a region's children, best first."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from ..figures import access
from ..models import Indicator, Measurement, NationalTarget, Region, Source
from .common import better_first, extremes, latest_figures


@dataclass
class Chart:
    indicator: Indicator
    figures: list[Measurement]
    highest: Measurement | None
    lowest: Measurement | None
    own: Measurement | None
    target: NationalTarget | None
    sources: list


def default_dashboard_region() -> Region | None:
    """The province with the most recent figure, or None when no province has one."""
    latest = (
        access.public_figures()
        .filter(region__level=Region.Level.PROVINCE)
        .order_by("-as_of", "region__code")
        .select_related("region")
        .first()
    )
    return latest.region if latest else None


def dashboard(*, region: Region | None, as_of: datetime.date) -> list[Chart]:
    """Per indicator: the latest figures of the region's children (of every province when ``region`` is
    None), best first, with the region's own figure and the national target. Five queries."""
    indicators = list(Indicator.objects.order_by("code"))
    scope = Region.objects.valid_on(as_of)
    scope = scope.filter(parent=region.code) if region else scope.filter(level=Region.Level.PROVINCE)
    figures = latest_figures(regions=scope, as_of=as_of)
    own = (
        {f.indicator_id: f for f in latest_figures(regions=Region.objects.filter(pk=region.pk), as_of=as_of)}
        if region
        else {}
    )
    by_indicator = defaultdict(list)
    for figure in figures:
        by_indicator[figure.indicator_id].append(figure)
    years = {as_of.year} | {f.as_of.year for f in figures} | {f.as_of.year for f in own.values()}
    targets = defaultdict(dict)
    for target in NationalTarget.objects.filter(year__in=years):
        targets[target.indicator_id][target.year] = target
    sources = Source.objects.in_bulk({f.source_id for f in figures} | {f.source_id for f in own.values()})
    charts = []
    for indicator in indicators:
        ranked = better_first(by_indicator[indicator.pk], higher_is_better=indicator.higher_is_better)
        latest_year = max((f.as_of.year for f in ranked), default=as_of.year)
        shown = ranked + ([own[indicator.pk]] if indicator.pk in own else [])
        charts.append(
            Chart(
                indicator=indicator,
                figures=ranked,
                highest=extremes(ranked)[0],
                lowest=extremes(ranked)[1],
                own=own.get(indicator.pk),
                target=targets[indicator.pk].get(latest_year),
                sources=[sources[pk] for pk in sorted({f.source_id for f in shown})],
            )
        )
    return charts
