"""Rules that hold in the database itself, whatever path writes: rows here bypass all validation."""

import datetime
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from coverage.models import Indicator, Measurement, NationalTarget, Region

from ..factories import (
    IndicatorFactory,
    MeasurementFactory,
    NationalTargetFactory,
    ProvinceFactory,
    RegencyFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_database(model, **fields):
    # PostgreSQL reports a number too wide for its column as a DataError rather than a constraint violation.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.create(**fields)


@pytest.fixture
def figure_fields():
    return {
        "region": RegencyFactory(code="64.71", kind="city", parent=ProvinceFactory(code="64")),
        "indicator": IndicatorFactory(code="kia-ownership"),
        "as_of": datetime.date(2024, 6, 13),
        "source": SourceFactory(),
    }


@pytest.mark.parametrize(
    "counts",
    [
        {"value": Decimal("-0.01")},
        {"value": Decimal("1000.00")},
        {"value": Decimal("50.00"), "numerator": 1, "denominator": 0},
        {"value": Decimal("50.00"), "numerator": -1, "denominator": 2},
        {"value": Decimal("50.00"), "numerator": 1, "denominator": 3},
        {"value": Decimal("33.34"), "numerator": 1, "denominator": 3},
    ],
    ids=["negative", "1000", "denominator-0", "negative-numerator", "value-not-counts", "misrounded"],
)
def test_the_database_refuses_an_impossible_figure(figure_fields, counts):
    refused_by_database(Measurement, **figure_fields, **counts)


@pytest.mark.parametrize(
    "counts",
    [
        {"value": Decimal("104.38")},
        {"value": Decimal("104.38"), "numerator": 10438, "denominator": 10000},
        {"value": Decimal("33.33"), "numerator": 1, "denominator": 3},
        {"value": Decimal("66.67"), "numerator": 2, "denominator": 3},
        {"value": Decimal("0.00")},
        {"value": Decimal("999.99")},
        {"value": Decimal("72.80"), "denominator": 1000},
    ],
    ids=[
        "above-100",
        "numerator-above-denominator",
        "rounded-down",
        "rounded-up",
        "zero",
        "999.99",
        "denominator-only",
    ],
)
def test_the_database_accepts_an_unusual_but_possible_figure(figure_fields, counts):
    Measurement.objects.create(**figure_fields, **counts)

    assert Measurement.objects.count() == 1


def test_the_database_refuses_a_second_figure_for_the_same_region_indicator_and_date(figure_fields):
    Measurement.objects.create(**figure_fields, value=Decimal("96.90"))

    refused_by_database(Measurement, **figure_fields, value=Decimal("96.91"))


@pytest.mark.parametrize(
    ("code", "level", "kind", "parent"),
    [
        ("64.71", 1, "province", None),  # code of a city at province level
        ("64", 2, "city", "64"),  # province code at level 2
        ("64.71", 2, "regency", "64"),  # 71-99 are kota
        ("64.01", 2, "city", "64"),  # 01-69 are kabupaten
        ("64.71", 3, "city", "64"),  # kind does not match level
        ("64.71.01", 3, "district", "64"),  # parent is not the code minus its last segment
        ("65.71", 2, "city", "64"),  # does not start with the parent's code
        ("64.71", 2, "city", None),  # no parent below province level
        ("6471", 2, "city", "64"),  # BPS-style code without the dot
    ],
)
def test_the_database_refuses_a_region_code_that_does_not_fit_level_kind_and_parent(code, level, kind, parent):
    ProvinceFactory(code="64")
    RegencyFactory(code="64.72", parent_id="64", kind="city")

    refused_by_database(Region, code=code, name="X", level=level, kind=kind, parent_id=parent)


def test_the_database_accepts_each_level_of_the_kemendagri_code():
    Region.objects.create(code="64", name="Kalimantan Timur", level=1, kind="province")
    Region.objects.create(code="64.71", name="Kota Balikpapan", level=2, kind="city", parent_id="64")
    Region.objects.create(code="64.01", name="Kabupaten Paser", level=2, kind="regency", parent_id="64")
    Region.objects.create(code="64.71.01", name="Balikpapan Selatan", level=3, kind="district", parent_id="64.71")
    Region.objects.create(code="64.71.01.1001", name="Sepinggan", level=4, kind="village", parent_id="64.71.01")

    assert Region.objects.count() == 5


def test_the_database_refuses_two_targets_for_one_indicator_and_year():
    target = NationalTargetFactory(year=2024)

    refused_by_database(NationalTarget, indicator=target.indicator, year=2024, value=Decimal(1), source=target.source)


@pytest.mark.parametrize(("year", "value"), [(1999, "60.00"), (2101, "60.00"), (2024, "-1.00"), (2024, "1000.00")])
def test_the_database_refuses_a_target_out_of_range(year, value):
    refused_by_database(
        NationalTarget, indicator=IndicatorFactory(), year=year, value=Decimal(value), source=SourceFactory()
    )


@pytest.mark.parametrize("code", ["KIA", "kia_ownership", "kia--ownership", "-kia", "kia ownership"])
def test_the_database_refuses_an_indicator_code_that_is_not_a_lowercase_slug(code):
    refused_by_database(Indicator, code=code, name="x", name_en="x", population="x")


def test_a_region_with_figures_cannot_be_deleted():
    figure = MeasurementFactory()

    with pytest.raises(Exception, match="protected"):
        figure.region.delete()
