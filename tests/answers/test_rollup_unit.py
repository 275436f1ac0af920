"""The roll-up (coverage.answers.summary.rollup) without the database: a parent's figure as Σnumerator /
Σdenominator of its children's counts, rounded half-up as coverage is published (coverage.models.percentage);
complete only when every child reported counts, and then judged against the parent's stored figure within
ROLLUP_TOLERANCE."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from coverage.answers.summary import rollup
from coverage.models import percentage

AS_OF = datetime.date(2024, 12, 31)


def child(code, numerator=None, denominator=None, value="0"):
    return SimpleNamespace(
        region=SimpleNamespace(code=code), numerator=numerator, denominator=denominator, value=Decimal(value)
    )


def parent(value):
    return SimpleNamespace(value=Decimal(value))


@pytest.fixture(autouse=True)
def tolerance(settings):
    settings.ROLLUP_TOLERANCE = 0.1


@pytest.mark.parametrize(
    ("numerator", "denominator", "value"),
    [(1, 3, "33.33"), (2, 3, "66.67"), (1, 8, "12.50"), (1, 800, "0.13"), (13, 20000, "0.07"), (7, 7, "100.00")],
)
def test_a_percentage_is_rounded_half_up_to_two_places(numerator, denominator, value):
    assert percentage(numerator, denominator) == Decimal(value)


def test_the_rollup_is_the_sum_of_the_childrens_counts_not_the_average_of_their_percentages():
    # 1/4 is 25 % and 30/40 is 75 %: their average is 50 %, the 31 people of 44 are 70.45 %.
    children = [child("64.01", 1, 4, "25.00"), child("64.02", 30, 40, "75.00")]

    result = rollup(parent_figure=None, as_of=AS_OF, child_codes=["64.01", "64.02"], child_figures=children)

    assert (result.numerator, result.denominator, result.value) == (31, 44, Decimal("70.45"))
    assert (result.children_with_counts, result.complete, result.as_of) == (2, True, AS_OF)
    assert (result.stored_value, result.difference, result.disagrees) == (None, None, None)


@pytest.mark.parametrize(
    ("stored", "difference", "disagrees"),
    [("50.00", "0.00", False), ("50.10", "0.10", False), ("49.90", "-0.10", False), ("50.11", "0.11", True)],
)
def test_a_complete_rollup_judges_the_stored_figure_within_the_tolerance(stored, difference, disagrees):
    children = [child("64.01", 1, 4), child("64.02", 3, 4)]  # 4 of 8: 50.00 %

    result = rollup(parent_figure=parent(stored), as_of=AS_OF, child_codes=["64.01", "64.02"], child_figures=children)

    assert result.value == Decimal("50.00")
    assert (result.stored_value, result.difference, result.disagrees) == (
        Decimal(stored),
        Decimal(difference),
        disagrees,
    )


def test_children_without_counts_or_without_a_figure_make_it_incomplete_and_unjudged():
    children = [child("64.01", 1, 4), child("64.72", value="80.00"), child("64.71", 5, 0)]

    result = rollup(
        parent_figure=parent("10.00"),
        as_of=AS_OF,
        child_codes=["64.01", "64.03", "64.02", "64.71", "64.72"],
        child_figures=children,
    )

    assert (result.numerator, result.denominator, result.value) == (1, 4, Decimal("25.00"))
    assert result.children_with_counts == 1
    assert result.children_without_counts == ["64.71", "64.72"]  # a denominator of 0 counts nobody
    assert result.children_missing == ["64.02", "64.03"]
    assert result.complete is False
    assert (result.stored_value, result.difference, result.disagrees) == (Decimal("10.00"), None, None)


def test_without_any_counts_there_is_no_value():
    result = rollup(
        parent_figure=parent("50.00"), as_of=AS_OF, child_codes=["64.01"], child_figures=[child("64.01", value="1")]
    )

    assert (result.numerator, result.denominator, result.value) == (0, 0, None)
    assert (result.children_without_counts, result.complete, result.disagrees) == (["64.01"], False, None)


def test_without_children_the_rollup_is_complete_but_has_no_value_to_judge():
    result = rollup(parent_figure=parent("50.00"), as_of=AS_OF, child_codes=[], child_figures=[])

    assert (result.value, result.complete, result.difference, result.disagrees) == (None, True, None, None)
