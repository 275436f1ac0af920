"""Bad input is a JSON 4xx that names the parameter or field and the problem; never a 500, never HTML."""

import pytest

from ..helpers import json_errors_of

pytestmark = pytest.mark.django_db


def test_a_misspelled_filter_is_a_400_naming_it_not_the_whole_table(article, api):
    response = api.get("/api/v1/measurements/", {"indicatr": "kia-ownership"})

    assert json_errors_of(response, 400) == {("indicatr", "unknown_parameter")}
    assert "indicator" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("measurements", {"region": "64.71,99.99"}, ("region", "invalid_choice")),
        ("measurements", {"parent": "65"}, ("parent", "invalid_choice")),
        ("measurements", {"within": "99"}, ("within", "invalid_choice")),
        ("measurements", {"indicator": "kia"}, ("indicator", "invalid_choice")),
        ("measurements", {"region": "6471"}, ("region", "bps_code")),
        ("measurements", {"region": "64.71\x00"}, ("region", "invalid_code")),
        ("measurements", {"indicator": "KIA Ownership"}, ("indicator", "invalid_code")),
        ("measurements", {"level": "5"}, ("level", "invalid_choice")),
        ("measurements", {"kind": "town"}, ("kind", "invalid_choice")),
        ("measurements", {"as_of": "2024-02-30"}, ("as_of", "invalid")),
        ("measurements", {"as_of_from": "13/06/2024"}, ("as_of_from", "invalid")),
        ("measurements", {"as_of_to": "yesterday"}, ("as_of_to", "invalid")),
        ("measurements", {"year": "2024.5"}, ("year", "invalid")),
        ("measurements", {"year": "0"}, ("year", "min_value")),
        ("measurements", {"latest": "yes"}, ("latest", "invalid_choice")),
        ("measurements", {"ordering": "population"}, ("ordering", "invalid_choice")),
        ("regions", {"level": "0"}, ("level", "invalid_choice")),
        ("regions", {"parent": "99"}, ("parent", "invalid_choice")),
        ("regions", {"name": "Bontang"}, ("name", "unknown_parameter")),
        ("targets", {"indicator": "unknown"}, ("indicator", "invalid_choice")),
        ("targets", {"year": "twenty"}, ("year", "invalid")),
        ("indicators", {"code": "kia-ownership"}, ("code", "unknown_parameter")),
    ],
)
def test_bad_filter_values_are_400s_naming_the_parameter(article, api, path, params, expected):
    response = api.get(f"/api/v1/{path}/", params)

    assert expected in json_errors_of(response, 400)


def test_an_unknown_code_is_named_in_the_message(article, api):
    response = api.get("/api/v1/measurements/", {"region": "64.71,99.99"})

    assert "99.99" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions/99/",
        "/api/v1/regions/%00/",
        "/api/v1/regions/64.71%00/",
        "/api/v1/indicators/unknown/",
        "/api/v1/indicators/KIA/",
        "/api/v1/sources/999/",
        "/api/v1/sources/abc/",
        "/api/v1/measurements/0/",
        "/api/v1/measurements/-1/",
        "/api/v1/nothing-here/",
        "/api/nothing-here",
    ],
)
def test_unknown_paths_and_codes_are_json_404s(article, api, path):
    response = api.get(path)

    assert json_errors_of(response, 404) == {(None, "not_found")}


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"page_size": "everything"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "first"}, "page"),
        ({"page": "9" * 5000}, "page"),
    ],
)
def test_bad_page_parameters_are_400s(article, api, params, attr):
    assert json_errors_of(api.get("/api/v1/measurements/", params), 400) == {(attr, "invalid")}


def test_a_page_past_the_end_is_a_json_404(article, api):
    response = api.get("/api/v1/measurements/", {"page": "2"})

    assert json_errors_of(response, 404) == {(None, "not_found")}


def test_pagination_defaults_to_50_and_allows_1000(db, api):
    from django.core.management import call_command

    call_command("load_regions", verbosity=0)

    first = api.get("/api/v1/regions/").json()
    big = api.get("/api/v1/regions/", {"page_size": 1000}).json()
    last = api.get("/api/v1/regions/", {"page": 12}).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (552, 50, None)
    assert first["next"].endswith("/api/v1/regions/?page=2")
    assert (len(big["results"]), big["next"]) == (552, None)
    assert (len(last["results"]), last["next"]) == (2, None)
    assert last["previous"].endswith("page=11")


def test_a_json_body_with_nan_is_a_parse_error(article, editor):
    response = editor.post("/api/v1/measurements/", data='{"value": NaN}', content_type="application/json")

    assert json_errors_of(response, 400) == {(None, "parse_error")}


def test_a_body_that_is_not_json_is_a_415(article, editor):
    response = editor.post("/api/v1/measurements/", data="value=1", content_type="text/plain")

    assert json_errors_of(response, 415) == {(None, "unsupported_media_type")}


def test_a_method_that_does_not_exist_is_a_405(article, editor):
    response = editor.put("/api/v1/measurements/", {}, format="json")

    assert json_errors_of(response, 405) == {(None, "method_not_allowed")}
