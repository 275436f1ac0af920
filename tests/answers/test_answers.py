"""What every answer (ranking, attainment, summary, availability) shares: bad parameters named, unknown indicators
and regions 404s, and a bounded number of queries at national scale."""

import pytest

from coverage.models import Measurement

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED


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


def test_answers_take_a_bounded_number_of_queries_at_national_scale(national_kia, api, django_assert_max_num_queries):
    # Each request also reads the data version (ETag, response cache).
    with django_assert_max_num_queries(6):
        ranking = api.get("/api/v1/indicators/kia-ownership/ranking/", {"level": "2"}).json()
    with django_assert_max_num_queries(10):
        api.get("/api/v1/regions/64/summary/", {"rollup": "true"})
    with django_assert_max_num_queries(6):
        api.get("/api/v1/indicators/kia-ownership/attainment/", {"region": "64", "year": 2024, "children": "true"})

    assert ranking["count"] == 514
