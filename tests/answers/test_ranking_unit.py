"""Ranking figures (coverage.answers.common: better_first, extremes) without the database: best first by the
indicator's direction, equal figures sharing a rank and the next rank skipping as many, the region code breaking
ties in the order; the highest and lowest by value whatever the direction."""

import datetime
from decimal import Decimal

from coverage.answers.common import Figure, RegionName, better_first, extremes


def figures(**values) -> list[Figure]:
    """Figures of regions named by keyword (r64_71=… is 64.71), in the order given."""
    return [
        Figure(RegionName(name[1:].replace("_", "."), name), Decimal(value), datetime.date(2024, 6, 13), 1)
        for name, value in values.items()
    ]


def ranked(ordered) -> list[tuple[int, str]]:
    return [(figure.rank, figure.region.code) for figure in ordered]


def test_higher_is_better_ranks_the_highest_first():
    ordered = better_first(figures(r64_01="55.53", r64_71="99.85", r64_07="70.00"), higher_is_better=True)

    assert ranked(ordered) == [(1, "64.71"), (2, "64.07"), (3, "64.01")]


def test_lower_is_better_ranks_the_lowest_first():
    ordered = better_first(figures(r64_01="55.53", r64_71="99.85", r64_07="70.00"), higher_is_better=False)

    assert ranked(ordered) == [(1, "64.01"), (2, "64.07"), (3, "64.71")]


def test_equal_figures_share_a_rank_and_the_next_rank_skips_as_many():
    ordered = better_first(
        figures(r64_74="60.00", r64_07="54.67", r64_71="96.90", r64_72="60.00"), higher_is_better=True
    )

    assert ranked(ordered) == [(1, "64.71"), (2, "64.72"), (2, "64.74"), (4, "64.07")]


def test_ties_share_a_rank_whichever_the_direction_and_however_the_value_is_written():
    ordered = better_first(figures(r64_03="1.7", r64_09="1.70", r64_01="2.00", r64_02="1.74"), higher_is_better=False)

    assert ranked(ordered) == [(1, "64.03"), (1, "64.09"), (3, "64.02"), (4, "64.01")]


def test_three_equal_figures_at_the_top_all_rank_first():
    ordered = better_first(figures(r64_11="50", r64_02="50", r64_09="50", r64_01="10"), higher_is_better=True)

    assert ranked(ordered) == [(1, "64.02"), (1, "64.09"), (1, "64.11"), (4, "64.01")]


def test_no_figures_rank_as_nothing():
    assert better_first([], higher_is_better=True) == []
    assert extremes([]) == (None, None)


def test_the_highest_and_lowest_are_by_value_whatever_the_direction():
    given = figures(r64_09="10.46", r64_03="1.74", r64_71="5.00")

    highest, lowest = extremes(given)
    better_first(given, higher_is_better=False)  # ranking does not change which is highest

    assert (highest.region.code, lowest.region.code) == ("64.09", "64.03")
    assert extremes(given) == (highest, lowest)


def test_among_equal_extremes_the_lower_region_code_is_named():
    highest, lowest = extremes(figures(r64_74="90", r64_71="90", r64_72="20", r64_01="20"))

    assert (highest.region.code, lowest.region.code) == ("64.71", "64.01")


def test_a_single_figure_is_first_highest_and_lowest():
    (only,) = better_first(figures(r64="72.80"), higher_is_better=True)

    assert only.rank == 1
    assert extremes([only]) == (only, only)
