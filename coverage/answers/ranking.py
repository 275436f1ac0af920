"""Regions ranked by their latest figure of one indicator."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    QuerySet,
)

from ..models import Indicator, Region
from .common import Figure, better_first, extremes, latest_figures_of


@dataclass
class Ranking:
    indicator: Indicator
    as_of: datetime.date
    results: list[Figure]
    highest: Figure | None
    lowest: Figure | None

    @property
    def count(self):
        return len(self.results)


def ranking(*, indicator: Indicator, regions: QuerySet[Region], as_of: datetime.date) -> Ranking:
    """The latest figure of each region on or before ``as_of``, best first, ranked: the regions whose code named
    them on ``as_of`` (today's, by default; a retired code's figures are in its successor's series)."""
    figures = better_first(
        latest_figures_of(indicator, regions=regions.valid_on(as_of), as_of=as_of),
        higher_is_better=indicator.higher_is_better,
    )
    return Ranking(indicator, as_of, figures, *extremes(figures))
