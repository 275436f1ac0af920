"""The region summary (coverage.answers.summary) through the API: the article as data, a kabupaten ranked among its
siblings, and the roll-up of the children's counts (Σnumerator / Σdenominator) against the stored figure.
tests/answers/test_rollup_unit.py: the roll-up itself."""

import datetime
from decimal import Decimal

import pytest

from coverage.models import Indicator, Measurement, Region, Source

from ..helpers import ARTICLE_EXTREMES

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED


def test_the_summary_of_kaltim_is_the_article_as_data(article, api):
    body = api.get("/api/v1/regions/64/summary/", {"as_of": "2024-06-30"}).json()

    rows = {r["indicator"]: r for r in body["results"]}
    assert body["region"]["code"] == "64"
    assert {code: r["value"] for code, r in rows.items()} == {
        "ktp-el-recording": 98.75,
        "ktp-el-recording-first-voters": 71.61,
        "kia-ownership": 72.8,
        "ikd-activation": 4.48,
    }
    assert (rows["kia-ownership"]["target"], rows["kia-ownership"]["gap"], rows["kia-ownership"]["met"]) == (
        60.0,
        12.8,
        True,
    )
    assert (rows["ikd-activation"]["target"], rows["ikd-activation"]["gap"], rows["ikd-activation"]["met"]) == (
        30.0,
        -25.52,
        False,
    )
    assert (rows["ktp-el-recording"]["target"], rows["ktp-el-recording"]["met"]) == (None, None)
    for code, ((high, high_value), (low, low_value)) in ARTICLE_EXTREMES.items():
        assert (rows[code]["highest"]["region"], rows[code]["highest"]["value"]) == (high, high_value)
        assert (rows[code]["lowest"]["region"], rows[code]["lowest"]["value"]) == (low, low_value)
    assert {(r["rank"], r["ranked"]) for r in rows.values()} == {(1, 1)}


def test_the_summary_ranks_a_kabupaten_among_its_siblings(article, api):
    rows = {r["indicator"]: r for r in api.get("/api/v1/regions/64.07/summary/").json()["results"]}

    assert (rows["kia-ownership"]["rank"], rows["kia-ownership"]["ranked"]) == (2, 2)
    assert (rows["ikd-activation"]["value"], rows["ikd-activation"]["rank"]) == (None, None)
    assert rows["kia-ownership"]["highest"] is None


def test_a_summary_before_any_figure_is_empty(article, api):
    rows = api.get("/api/v1/regions/64/summary/", {"as_of": "2020-01-01"}).json()["results"]

    assert {(r["value"], r["highest"], r["children"]) for r in rows} == {(None, None, 0)}


@pytest.fixture
def counted(article):
    """Synthetic counts (tests only) for the ten kabupaten/kota and Kaltim on one date."""
    kia = Indicator.objects.get(code="kia-ownership")
    source = Source.objects.get()
    as_of = datetime.date(2024, 12, 31)
    numerator = denominator = 0
    for index, region in enumerate(Region.objects.filter(parent="64").order_by("code")):
        n, d = 700 + 10 * index, 1000 + 100 * index
        numerator, denominator = numerator + n, denominator + d
        Measurement.objects.create(
            status=PUBLISHED,
            region=region,
            indicator=kia,
            as_of=as_of,
            numerator=n,
            denominator=d,
            value=(Decimal(100) * n / d).quantize(Decimal("0.01")),
            source=source,
        )
    return kia, source, as_of, numerator, denominator


def test_the_rollup_is_the_sum_of_counts_not_the_average_of_percentages(counted, api):
    kia, source, as_of, numerator, denominator = counted
    Measurement.objects.create(
        status=PUBLISHED,
        region=Region.objects.get(code="64"),
        indicator=kia,
        as_of=as_of,
        value=Decimal("55.00"),
        source=source,
    )

    body = api.get("/api/v1/regions/64/summary/", {"rollup": "true"}).json()

    rollup = next(r for r in body["results"] if r["indicator"] == "kia-ownership")["rollup"]
    expected = (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"))
    assert (rollup["numerator"], rollup["denominator"]) == (numerator, denominator) == (7450, 14500)
    assert Decimal(str(rollup["value"])) == expected == Decimal("51.38")
    assert (rollup["complete"], rollup["children_with_counts"], rollup["as_of"]) == (True, 10, "2024-12-31")
    assert rollup["stored_value"] == 55.0
    assert rollup["disagrees"] is True
    assert Decimal(str(rollup["difference"])) == Decimal("55.00") - expected


def test_a_stored_figure_within_tolerance_of_the_rollup_is_not_flagged(counted, api):
    kia, source, as_of, _numerator, _denominator = counted
    Measurement.objects.create(
        status=PUBLISHED,
        region=Region.objects.get(code="64"),
        indicator=kia,
        as_of=as_of,
        value=Decimal("51.40"),
        source=source,
    )

    rows = api.get("/api/v1/regions/64/summary/", {"rollup": "true"}).json()["results"]

    assert next(r for r in rows if r["indicator"] == "kia-ownership")["rollup"]["disagrees"] is False


def test_an_incomplete_rollup_says_which_children_are_missing_and_does_not_judge(counted, api):
    kia, source, as_of, *_ = counted
    Measurement.objects.filter(region__code="64.11", indicator=kia).delete()
    Measurement.objects.create(
        status=PUBLISHED,
        region=Region.objects.get(code="64"),
        indicator=kia,
        as_of=as_of,
        value=Decimal("10.00"),
        source=source,
    )

    rollup = next(
        r
        for r in api.get("/api/v1/regions/64/summary/", {"rollup": "true"}).json()["results"]
        if r["indicator"] == "kia-ownership"
    )["rollup"]

    assert (rollup["complete"], rollup["children_missing"], rollup["disagrees"]) == (False, ["64.11"], None)
