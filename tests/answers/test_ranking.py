"""The ranking answer (coverage.answers.ranking) through the API: the article's highest and lowest, each region's
latest figure on or before as_of, ties sharing a rank, the indicator's direction, by level and kind.
tests/answers/test_ranking_unit.py: the ordering itself."""

import datetime
from decimal import Decimal

import pytest

from coverage.models import Indicator, Measurement, Region

from ..factories import MeasurementFactory
from ..helpers import ARTICLE_EXTREMES

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED


@pytest.mark.parametrize("indicator", ARTICLE_EXTREMES)
def test_ranking_reproduces_each_highest_and_lowest_statement_of_the_article(article, api, indicator):
    body = api.get(f"/api/v1/indicators/{indicator}/ranking/", {"parent": "64"}).json()

    (high, high_value), (low, low_value) = ARTICLE_EXTREMES[indicator]
    assert (body["highest"]["region"], body["highest"]["value"]) == (high, high_value)
    assert (body["lowest"]["region"], body["lowest"]["value"]) == (low, low_value)
    assert [(r["rank"], r["region"]) for r in body["results"]] == [(1, high), (2, low)]
    assert {r["as_of"] for r in body["results"]} == {"2024-06-13"}


def test_ranking_takes_each_regions_latest_figure_on_or_before_as_of(article, api):
    kia = Indicator.objects.get(code="kia-ownership")
    bontang = Region.objects.get(code="64.74")
    MeasurementFactory(region=bontang, indicator=kia, as_of=datetime.date(2024, 3, 31), value=Decimal("99.00"))
    MeasurementFactory(region=bontang, indicator=kia, as_of=datetime.date(2024, 9, 30), value=Decimal("50.00"))

    june = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64", "as_of": "2024-06-30"}).json()
    today = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64"}).json()
    before = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64", "as_of": "2020-01-01"}).json()

    assert [(r["region"], r["value"], r["as_of"]) for r in june["results"]] == [
        ("64.74", 99.0, "2024-03-31"),
        ("64.71", 96.9, "2024-06-13"),
        ("64.07", 54.67, "2024-06-13"),
    ]
    assert [r["region"] for r in today["results"]] == ["64.71", "64.07", "64.74"]
    assert (before["count"], before["results"], before["highest"], before["lowest"]) == (0, [], None, None)


def test_equal_figures_share_a_rank(article, api):
    kia = Indicator.objects.get(code="kia-ownership")
    for code in ("64.72", "64.74"):
        MeasurementFactory(
            region=Region.objects.get(code=code),
            indicator=kia,
            as_of=datetime.date(2024, 6, 13),
            value=Decimal("60.00"),
        )

    results = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64"}).json()["results"]

    assert [(r["rank"], r["region"]) for r in results] == [(1, "64.71"), (2, "64.72"), (2, "64.74"), (4, "64.07")]


def test_ranking_follows_the_indicators_direction(article, api):
    Indicator.objects.filter(code="ikd-activation").update(higher_is_better=False)

    body = api.get("/api/v1/indicators/ikd-activation/ranking/", {"within": "64"}).json()

    assert [r["region"] for r in body["results"]] == ["64.03", "64.09"]
    assert (body["highest"]["region"], body["lowest"]["region"]) == ("64.09", "64.03")


def test_ranking_by_level_and_kind(article, api):
    provinces = api.get("/api/v1/indicators/kia-ownership/ranking/", {"level": "1"}).json()
    cities = api.get("/api/v1/indicators/ktp-el-recording/ranking/", {"level": "2", "kind": "city"}).json()

    assert [r["region"] for r in provinces["results"]] == ["64"]
    assert [r["region"] for r in cities["results"]] == ["64.71", "64.74"]
