"""GET /api/v1/measurements/: every filter of the contract, ordering, latest=true."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from coverage.models import Indicator, Measurement, Region, Source

from ..factories import MeasurementFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def rows(api, **params):
    response = api.get(URL, {"page_size": 1000, **params})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def keys(api, **params):
    return {(r["region"], r["indicator"]) for r in rows(api, **params)}


def regions_of(api, **params):
    return sorted({r["region"] for r in rows(api, **params)})


@pytest.fixture
def series(article):
    """The article plus synthetic earlier and later figures (tests only) for Balikpapan and Bontang."""
    balikpapan, bontang = Region.objects.get(code="64.71"), Region.objects.get(code="64.74")
    kia = Indicator.objects.get(code="kia-ownership")
    for region, as_of, value in [
        (balikpapan, datetime.date(2023, 12, 31), "90.00"),
        (balikpapan, datetime.date(2024, 12, 31), "97.50"),
        (bontang, datetime.date(2023, 12, 31), "80.00"),
    ]:
        MeasurementFactory(region=region, indicator=kia, as_of=as_of, value=Decimal(value), source=Source.objects.get())


def test_region_filter_takes_comma_separated_and_repeated_codes_alike(article, api):
    comma = rows(api, region="64.71,64.74")
    repeated = api.get(URL + "?region=64.71&region=64.74&page_size=1000").json()["results"]

    assert comma == repeated
    assert {r["region"] for r in comma} == {"64.71", "64.74"}
    assert len(comma) == 4


def test_indicator_filter(article, api):
    assert keys(api, indicator="ikd-activation,kia-ownership") == {
        ("64", "ikd-activation"),
        ("64.09", "ikd-activation"),
        ("64.03", "ikd-activation"),
        ("64", "kia-ownership"),
        ("64.71", "kia-ownership"),
        ("64.07", "kia-ownership"),
    }


def test_parent_filter_gives_direct_children_only(article, api):
    assert regions_of(api, parent="64") == ["64.01", "64.03", "64.07", "64.09", "64.71", "64.74"]


def test_within_filter_gives_all_descendants_but_not_the_region_itself(article, api):
    Region.objects.create(code="64.71.01", name="Balikpapan Selatan", level=3, kind="district", parent_id="64.71")
    MeasurementFactory(
        region=Region.objects.get(code="64.71.01"), indicator=Indicator.objects.get(code="kia-ownership")
    )

    assert regions_of(api, within="64") == ["64.01", "64.03", "64.07", "64.09", "64.71", "64.71.01", "64.74"]
    assert regions_of(api, within="64.71") == ["64.71.01"]


def test_level_and_kind_filters(article, api):
    assert regions_of(api, level="1") == ["64"]
    assert regions_of(api, level="1,2") == ["64", "64.01", "64.03", "64.07", "64.09", "64.71", "64.74"]
    assert regions_of(api, kind="city") == ["64.71", "64.74"]
    assert regions_of(api, kind="province,regency") == ["64", "64.01", "64.03", "64.07", "64.09"]


def test_date_filters_are_inclusive(series, api):
    assert len(rows(api, as_of="2024-06-13")) == 12
    assert len(rows(api, as_of="2023-12-31")) == 2
    assert len(rows(api, as_of_from="2024-06-13")) == 13
    assert len(rows(api, as_of_to="2024-06-13")) == 14
    assert len(rows(api, as_of_from="2024-06-13", as_of_to="2024-06-13")) == 12
    assert [r["as_of"] for r in rows(api, year="2024", region="64.71", indicator="kia-ownership")] == [
        "2024-06-13",
        "2024-12-31",
    ]


def test_latest_gives_exactly_one_row_per_region_and_indicator(series, api):
    latest = rows(api, latest="true")

    # 12 pairs of the article plus Bontang's synthetic KIA series.
    assert len(latest) == len({(r["region"], r["indicator"]) for r in latest}) == 13
    balikpapan_kia = next(r for r in latest if (r["region"], r["indicator"]) == ("64.71", "kia-ownership"))
    assert (balikpapan_kia["as_of"], balikpapan_kia["value"]) == ("2024-12-31", 97.5)


def test_latest_with_as_of_to_gives_each_regions_latest_figure_on_or_before_that_date(series, api):
    latest = rows(api, latest="1", indicator="kia-ownership", as_of_to="2024-01-31")

    assert {(r["region"], r["as_of"], r["value"]) for r in latest} == {
        ("64.71", "2023-12-31", 90.0),
        ("64.74", "2023-12-31", 80.0),
    }


def test_latest_keeps_the_requested_ordering(series, api):
    latest = rows(api, latest="true", indicator="kia-ownership", ordering="-value")

    assert [(r["region"], r["value"]) for r in latest] == [
        ("64.71", 97.5),
        ("64.74", 80.0),
        ("64", 72.8),
        ("64.07", 54.67),
    ]


def test_latest_false_returns_every_row(series, api):
    assert len(rows(api, latest="false")) == 15


def test_ordering_by_value_region_and_date_in_both_directions(series, api):
    kia = {"indicator": "kia-ownership"}

    assert [r["value"] for r in rows(api, ordering="value", **kia)] == [54.67, 72.8, 80.0, 90.0, 96.9, 97.5]
    assert [r["value"] for r in rows(api, ordering="-value", **kia)] == [97.5, 96.9, 90.0, 80.0, 72.8, 54.67]
    assert [(r["region"], r["as_of"]) for r in rows(api, ordering="-region,as_of", **kia)] == [
        ("64.74", "2023-12-31"),
        ("64.71", "2023-12-31"),
        ("64.71", "2024-06-13"),
        ("64.71", "2024-12-31"),
        ("64.07", "2024-06-13"),
        ("64", "2024-06-13"),
    ]
    assert [r["as_of"] for r in rows(api, ordering="-as_of", region="64.71", **kia)] == [
        "2024-12-31",
        "2024-06-13",
        "2023-12-31",
    ]


def test_default_order_is_region_indicator_date(series, api):
    ordered = [(r["region"], r["indicator"], r["as_of"]) for r in rows(api)]

    assert ordered == sorted(ordered)


def test_detail_by_id(article, api):
    first = rows(api, region="64.74")[0]

    assert api.get(f"{URL}{first['id']}/").json() == first


def count_queries(api, params):
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL, {"page_size": 1000, **params}).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {"indicator": "kia-ownership", "parent": "64"},
        {"latest": "true", "ordering": "-value"},
        {"within": "64", "year": 2024},
    ],
)
def test_a_list_costs_the_same_few_queries_however_many_rows(series, api, params):
    few = count_queries(api, params)
    kia = Indicator.objects.get(code="kia-ownership")
    publisher = UserFactory(username="publisher")
    for region in Region.objects.filter(parent="64"):
        for month in range(1, 13):
            MeasurementFactory(
                region=region,
                indicator=kia,
                as_of=datetime.date(2024, month, 1),
                value=Decimal(month),
                verified_by=publisher,
            )

    many = count_queries(api, params)

    assert few == many <= 4


def test_the_fast_list_path_gives_exactly_what_the_serializer_gives(article, api):
    from coverage.api.serializers.records import MeasurementSerializer

    figure = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    Measurement.objects.filter(pk=figure.pk).update(
        numerator=9690, denominator=10000, verified_by=UserFactory(username="verifier")
    )

    listed = api.get(URL, {"page_size": 100}).json()["results"]

    expected = MeasurementSerializer(
        Measurement.objects.select_related("region", "indicator", "verified_by").order_by(
            "region__code", "indicator__code", "as_of", "id"
        ),
        many=True,
    ).data
    assert listed == json.loads(JSONRenderer().render(expected))
