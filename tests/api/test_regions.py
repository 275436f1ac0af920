"""GET /api/v1/regions/ (kecamatan_and_a_village list) and the smaller resources."""

import pytest
from django.core.management import call_command

from coverage.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def kecamatan_and_a_village(db):
    """The official list down to kecamatan, plus one village."""
    call_command("load_regions", "--level", "3", verbosity=0)
    Region.objects.create(code="64.71.01.1001", name="Sepinggan", level=4, kind="village", parent_id="64.71.01")


def codes(api, **params):
    response = api.get("/api/v1/regions/", {"page_size": 1000, **params})
    assert response.status_code == 200, response.json()
    return [r["code"] for r in response.json()["results"]]


def test_region_filters(kecamatan_and_a_village, api):
    assert len(codes(api, level="1")) == 38
    assert codes(api, parent="64") == [
        "64.01",
        "64.02",
        "64.03",
        "64.07",
        "64.08",
        "64.09",
        "64.11",
        "64.71",
        "64.72",
        "64.74",
    ]
    assert codes(api, parent="64", kind="city") == ["64.71", "64.72", "64.74"]
    assert len(codes(api, within="64.71")) == 6 + 1  # 6 kecamatan, 1 village
    assert len(codes(api, within="64.71", level="3")) == 6
    assert codes(api, within="64.71.01") == ["64.71.01.1001"]
    assert codes(api, search="balikpapan", level="2") == ["64.71"]
    assert codes(api, search="64.7", level="2") == ["64.71", "64.72", "64.74"]
    assert codes(api, parent="64.71,64.74", level=3) == codes(api, within="64.71,64.74", level=3)


def test_region_detail_by_code_at_every_level(kecamatan_and_a_village, api):
    village = api.get("/api/v1/regions/64.71.01.1001/").json()

    assert village == {
        "code": "64.71.01.1001",
        "name": "Sepinggan",
        "level": 4,
        "kind": "village",
        "parent": "64.71.01",
        "population": None,
        "population_as_of": None,
        "bps_code": None,
        "valid_from": None,
        "valid_until": None,
        "version": 1,
    }


def test_a_page_of_regions_costs_three_queries(kecamatan_and_a_village, api, django_assert_num_queries):
    # the data version, COUNT and the page
    with django_assert_num_queries(3):
        api.get("/api/v1/regions/", {"page_size": 1000, "level": "3"})


def test_indicator_detail_by_code(article, api):
    body = api.get("/api/v1/indicators/ikd-activation/").json()

    assert (body["name"], body["name_en"]) == ("Kepemilikan IKD", "IKD (digital ID) activation")


def test_targets_filter_by_indicator_and_year(article, api):
    assert [t["indicator"] for t in api.get("/api/v1/targets/", {"indicator": "kia-ownership"}).json()["results"]] == [
        "kia-ownership"
    ]
    assert api.get("/api/v1/targets/", {"year": 2025}).json()["count"] == 0
    assert api.get("/api/v1/targets/", {"year": 2024}).json()["count"] == 2
