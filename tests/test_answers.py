"""The article's answers, computed by the service: ranking, attainment, region summary, roll-up."""

import datetime
from decimal import Decimal

import pytest

from coverage.models import Indicator, Measurement, Region, Source

from .factories import MeasurementFactory

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED

# The article's highest/lowest statements, per indicator: (highest, value), (lowest, value).
ARTICLE_EXTREMES = {
    "ktp-el-recording": (("64.71", 99.98), ("64.74", 97.43)),
    "ktp-el-recording-first-voters": (("64.71", 99.85), ("64.01", 55.53)),
    "kia-ownership": (("64.71", 96.9), ("64.07", 54.67)),
    "ikd-activation": (("64.09", 10.46), ("64.03", 1.74)),
}


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


@pytest.mark.parametrize(
    ("indicator", "region", "value", "target", "gap", "met"),
    [("kia-ownership", "64", 72.8, 60.0, 12.8, True), ("ikd-activation", "64", 4.48, 30.0, -25.52, False)],
)
def test_attainment_reproduces_the_article(article, api, indicator, region, value, target, gap, met):
    body = api.get(f"/api/v1/indicators/{indicator}/attainment/", {"region": region, "year": 2024}).json()

    assert body["target"] == {"year": 2024, "value": target, "source": article.pk}
    assert (body["region"]["value"], body["region"]["gap"], body["region"]["met"]) == (value, gap, met)
    assert body["children"] is None


def test_attainment_of_the_children(article, api):
    body = api.get(
        "/api/v1/indicators/kia-ownership/attainment/", {"region": "64", "year": 2024, "children": "true"}
    ).json()

    assert [(c["region"], c["gap"], c["met"]) for c in body["children"]] == [
        ("64.71", 36.9, True),
        ("64.07", -5.33, False),
    ]


def test_attainment_without_a_target_for_the_year_is_a_404_saying_so(article, api):
    response = api.get("/api/v1/indicators/kia-ownership/attainment/", {"region": "64", "year": 2023})

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "no_target"


def test_attainment_of_a_region_without_a_figure_in_the_year_is_empty_not_invented(article, api):
    body = api.get("/api/v1/indicators/kia-ownership/attainment/", {"region": "64.72", "year": 2024}).json()

    assert body["region"] == {
        "region": "64.72",
        "region_name": "Kota Samarinda",
        "value": None,
        "as_of": None,
        "source": None,
        "gap": None,
        "met": None,
    }


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"year": 2024}, "region", "required"),
        ({"region": "64"}, "year", "required"),
        ({"region": "64,64.71", "year": 2024}, "region", "one_region"),
        ({"region": "64", "year": "x"}, "year", "invalid"),
        ({"region": "99", "year": 2024}, "region", "invalid_choice"),
        ({"region": "64", "year": 2024, "children": "ya"}, "children", "invalid_choice"),
        ({"region": "64", "year": 2024, "parent": "64"}, "parent", "unknown_parameter"),
    ],
)
def test_attainment_rejects_bad_parameters_naming_them(article, api, params, attr, code):
    response = api.get("/api/v1/indicators/kia-ownership/attainment/", params)

    assert response.status_code == 400
    assert (attr, code) in {(e["attr"], e["code"]) for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("path", "params", "attr"),
    [
        ("indicators/kia-ownership/ranking", {"as_of": "2024-13-01"}, "as_of"),
        ("indicators/kia-ownership/ranking", {"parent": "99"}, "parent"),
        ("indicators/kia-ownership/ranking", {"region": "64"}, "region"),
        ("regions/64/summary", {"as_of": "kemarin"}, "as_of"),
        ("regions/64/summary", {"rollup": "yes"}, "rollup"),
        ("regions/64/summary", {"parent": "64"}, "parent"),
        ("availability", {"indicator": "nope"}, "indicator"),
        ("availability", {"latest": "true"}, "latest"),
    ],
)
def test_answers_reject_bad_parameters_naming_them(article, api, path, params, attr):
    response = api.get(f"/api/v1/{path}/", params)

    assert response.status_code == 400
    assert attr in {e["attr"] for e in response.json()["errors"]}


def test_answers_for_unknown_indicators_and_regions_are_404s(article, api):
    assert api.get("/api/v1/indicators/nope/ranking/").status_code == 404
    assert api.get("/api/v1/indicators/nope/attainment/", {"region": "64", "year": 2024}).status_code == 404
    assert api.get("/api/v1/regions/99/summary/").status_code == 404


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


def test_answers_take_a_bounded_number_of_queries_at_national_scale(national_kia, api, django_assert_max_num_queries):
    # Each request also reads the data version (ETag, response cache).
    with django_assert_max_num_queries(6):
        ranking = api.get("/api/v1/indicators/kia-ownership/ranking/", {"level": "2"}).json()
    with django_assert_max_num_queries(10):
        api.get("/api/v1/regions/64/summary/", {"rollup": "true"})
    with django_assert_max_num_queries(6):
        api.get("/api/v1/indicators/kia-ownership/attainment/", {"region": "64", "year": 2024, "children": "true"})

    assert ranking["count"] == 514
