"""Checking import rows (coverage.imports.checking.RowChecker) without HTTP: each column's rules and the error each
breaks with, counts and the value checked together, a text repeated on many rows named on each, a key twice, and the
writer's regions. tests/imports/test_rows.py sends such rows through the API. Every figure is synthetic."""

import datetime
from decimal import Decimal

import pytest

from coverage.figures.access import COMMAND_LINE, Actor
from coverage.imports.checking import RowChecker, columns_of
from coverage.models import Indicator, Region

from ..factories import (
    IndicatorFactory,
    ProvinceFactory,
    RegencyFactory,
    RegionGrantFactory,
    SourceFactory,
    UserFactory,
)

ROW = {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "96.90"}


@pytest.fixture
def known(db):
    """Kaltim with Paser (64.01) and Balikpapan (64.71), the KIA indicator and a source: (the source's id)."""
    kaltim = ProvinceFactory(code="64")
    RegencyFactory(code="64.01", parent=kaltim)
    RegencyFactory(code="64.71", kind=Region.Kind.CITY, parent=kaltim)
    IndicatorFactory(code="kia-ownership")
    return SourceFactory().pk


def check(rows, *, default_source=None, actor=COMMAND_LINE):
    """(the figures that passed, the errors as (line, column, code)) of ``rows`` on lines 2, 3, …"""
    lines, columns = columns_of(list(enumerate(rows, start=2)))
    checker = RowChecker(lines, columns, default_source=default_source, actor=actor)
    figures = checker.check()
    return figures, [(error.line, error.column, error.code) for error in checker.errors]


def test_a_good_row_becomes_the_figure_it_names(known):
    figures, errors = check([ROW], default_source=known)

    assert errors == []
    ((line, figure),) = figures.rows()
    assert line == 2
    assert figure == {
        "region_id": Region.objects.get(code="64.71").pk,
        "indicator_id": Indicator.objects.get(code="kia-ownership").pk,
        "as_of": datetime.date(2024, 6, 13),
        "value": Decimal("96.90"),
        "numerator": None,
        "denominator": None,
        "source_id": known,
        "status": None,  # an existing figure keeps its status, a new one gets the importer's default
    }


def test_cells_are_read_without_the_spaces_around_them_and_values_to_two_places(known):
    figures, errors = check([{**ROW, "region": " 64.71 ", "value": "96.9", "status": "draft"}], default_source=known)

    assert errors == []
    assert (str(figures.value[0]), figures.status[0]) == ("96.90", "draft")


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        ({"region": ""}, "region", "required"),
        ({"region": "6471"}, "region", "bps_code"),
        ({"region": "99.99"}, "region", "unknown_region"),
        ({"region": "64.7"}, "region", "unknown_region"),  # not a code at all: unknown, and never asked of the database
        ({"region": "64\x00"}, "region", "unknown_region"),
        ({"indicator": ""}, "indicator", "required"),
        ({"indicator": "kia"}, "indicator", "unknown_indicator"),
        ({"indicator": "KIA Ownership"}, "indicator", "unknown_indicator"),
        ({"as_of": ""}, "as_of", "required"),
        ({"as_of": "13/06/2024"}, "as_of", "invalid"),
        ({"as_of": "2024-6-13"}, "as_of", "invalid"),
        ({"as_of": "2024-02-30"}, "as_of", "invalid"),
        ({"as_of": "2999-01-01"}, "as_of", "future_date"),
        ({"as_of": "1899-12-31"}, "as_of", "date_too_early"),
        ({"value": ""}, "value", "required"),
        ({"value": "abc"}, "value", "invalid"),
        ({"value": "NaN"}, "value", "invalid"),
        ({"value": "Infinity"}, "value", "invalid"),
        ({"value": "96,90"}, "value", "decimal_comma"),
        ({"value": "12.345"}, "value", "max_decimal_places"),
        ({"value": "-0.01"}, "value", "min_value"),
        ({"value": "1000"}, "value", "max_value"),
        ({"value": "50", "numerator": "1", "denominator": "3"}, "value", "value_counts_mismatch"),
        ({"value": "", "numerator": "5000", "denominator": "1"}, "value", "counts_out_of_range"),
        ({"numerator": "1.234", "denominator": "2000"}, "numerator", "invalid"),
        ({"numerator": "x", "denominator": "2000"}, "numerator", "invalid"),
        ({"numerator": "9" * 20, "denominator": "2000"}, "numerator", "invalid"),
        ({"numerator": "1000000001", "denominator": "2000"}, "numerator", "max_value"),
        ({"numerator": "1", "denominator": "0"}, "denominator", "min_value"),
        ({"source": "999999999"}, "source", "unknown_source"),
        ({"source": "x"}, "source", "unknown_source"),
        ({"status": "final"}, "status", "invalid_choice"),
    ],
)
def test_each_columns_rule_refuses_the_row_naming_the_column(known, change, column, code):
    figures, errors = check([{**ROW, **change}], default_source=known)

    assert errors == [(2, column, code)]
    assert len(figures) == 0


def test_a_value_is_derived_from_the_counts_or_must_match_them(known):
    rows = [
        {**ROW, "value": "", "numerator": "1", "denominator": "3"},
        {**ROW, "as_of": "2024-06-14", "value": "33.33", "numerator": "1", "denominator": "3"},
        {**ROW, "as_of": "2024-06-15", "value": "33.34", "numerator": "1", "denominator": "3"},
        {**ROW, "as_of": "2024-06-16", "value": "40", "numerator": "", "denominator": "1000"},  # a denominator alone
    ]

    figures, errors = check(rows, default_source=known)

    assert errors == [(4, "value", "value_counts_mismatch")]
    assert figures.lines == [2, 3, 5]
    assert figures.value == [Decimal("33.33"), Decimal("33.33"), Decimal("40.00")]
    assert (figures.numerator, figures.denominator) == ([1, 1, None], [3, 3, 1000])


def test_counts_written_with_thousands_separators_are_refused_saying_how_to_write_them(known):
    checker = RowChecker(
        *columns_of([(2, {**ROW, "value": "", "numerator": "1.234", "denominator": "2,000"})]),
        default_source=known,
        actor=COMMAND_LINE,
    )
    checker.check()

    messages = {error.column: error.message for error in checker.errors}
    assert "(1234)" in messages["numerator"] and "(2000)" in messages["denominator"]


def test_a_text_refused_once_is_named_on_every_row_that_has_it(known):
    rows = [{**ROW, "as_of": f"2024-06-{day:02d}"} for day in range(1, 7)]
    for index in (0, 3, 5):
        rows[index]["region"] = "64.99"

    figures, errors = check(rows, default_source=known)

    assert errors == [(2, "region", "unknown_region"), (5, "region", "unknown_region"), (7, "region", "unknown_region")]
    assert figures.lines == [3, 4, 6]


def test_a_row_of_the_same_region_indicator_and_date_as_another_is_refused_naming_the_first(known):
    rows = [ROW, {**ROW, "as_of": "2024-06-14"}, {**ROW, "value": "50"}]

    figures, errors = check(rows, default_source=known)

    assert errors == [(4, None, "duplicate")]
    assert figures.lines == [2, 3]


def test_the_source_comes_from_the_row_or_the_whole_import_and_one_of_them_is_needed(known):
    from_the_row, row_errors = check([{**ROW, "source": str(known)}])
    from_the_import, _ = check([ROW], default_source=known)
    from_neither, errors = check([ROW])

    assert row_errors == []
    assert from_the_row.source_id == from_the_import.source_id == [known]
    assert errors == [(2, "source", "required")]
    assert len(from_neither) == 0


def test_a_row_outside_the_writers_regions_is_out_of_scope(known):
    operator = UserFactory(permissions=["add_measurement", "change_measurement"])
    RegionGrantFactory(user=operator, region=Region.objects.get(code="64.01"))
    rows = [ROW, {**ROW, "region": "64.01"}]

    figures, errors = check(rows, default_source=known, actor=Actor(operator))

    assert errors == [(2, "region", "out_of_scope")]
    assert figures.region_id == [Region.objects.get(code="64.01").pk]
