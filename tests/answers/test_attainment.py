"""The attainment answer (coverage.answers.attainment) through the API: the article's figures against the national
targets, the children's, a 404 without a target, nothing invented without a figure, bad parameters named."""

import pytest

from coverage.models import Measurement

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED


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
