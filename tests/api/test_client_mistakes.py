"""Clients that get details wrong lose nothing: a missing final slash, DEBUG's error pages, a BPS code, a range
that runs backwards, a date without its zeros, a wrong choice, an unencoded +, an unknown code in a path. Each is
either served as meant or refused with a 400/404 that says what is wrong — never a redirect that loses a write, an
HTML page, or an empty answer that looks like data."""

import pytest
from django.test import override_settings

from coverage.models import Measurement, NationalTarget

from ..helpers import error_codes

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def figure_body(article, **fields):
    return {
        "region": "64.72",
        "indicator": "kia-ownership",
        "as_of": "2024-06-20",
        "value": 61,
        "source": article.pk,
        **fields,
    }


# --- the final slash ----------------------------------------------------------------------------------------


def requests_without_slash(article):
    figure = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    target = NationalTarget.objects.first()
    return {
        "create a figure": ("post", "/api/v1/measurements", figure_body(article), 201),
        "change a figure": ("patch", f"/api/v1/measurements/{figure.pk}", {"value": 96.95}, 200),
        "replace a figure": ("put", f"/api/v1/measurements/{figure.pk}", figure_body(article, region="64.71"), 200),
        "delete a figure": ("delete", f"/api/v1/measurements/{figure.pk}", None, 204),
        "import": ("post", "/api/v1/measurements/import", [figure_body(article)], 200),
        "change a region": ("patch", "/api/v1/regions/64.71", {"name": "Kota Balikpapan"}, 200),
        "change a target": ("patch", f"/api/v1/targets/{target.pk}", {"value": 61}, 200),
        "read a figure's history": ("get", f"/api/v1/measurements/{figure.pk}/history", None, 200),
        "read a ranking": ("get", "/api/v1/indicators/kia-ownership/ranking", None, 200),
        "read the schema": ("get", "/api/schema", None, 200),
    }


NAMES = [
    "create a figure",
    "change a figure",
    "replace a figure",
    "delete a figure",
    "import",
    "change a region",
    "change a target",
    "read a figure's history",
    "read a ranking",
    "read the schema",
]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "DEBUG"])
@pytest.mark.parametrize("name", NAMES)
def test_every_path_works_without_its_final_slash_for_every_method_without_a_redirect(article, editor, name, debug):
    method, path, body, status = requests_without_slash(article)[name]

    with override_settings(DEBUG=debug):
        response = getattr(editor, method)(path, body, format="json")

    assert response.status_code == status, response.content


def test_a_figure_posted_without_the_final_slash_is_stored(article, editor):
    editor.post("/api/v1/measurements", figure_body(article), format="json")

    assert Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()


# --- JSON everywhere under /api/ ------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["production", "DEBUG"])
@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/nothing", "/api/v1/regions/64.71/nothing/"])
def test_unknown_paths_under_the_api_are_json_404s_in_every_mode(article, api, path, debug):
    with override_settings(DEBUG=debug):
        response = api.get(path)

    assert response["Content-Type"].startswith("application/json")
    assert error_codes(response, 404) == ["not_found"]


# --- BPS codes ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (URL, "region"),
        (URL, "parent"),
        (URL, "within"),
        ("/api/v1/regions/", "parent"),
        ("/api/v1/regions/", "within"),
        ("/api/v1/availability/", "region"),
        ("/api/v1/indicators/kia-ownership/ranking/", "parent"),
        ("/api/v1/partnerships/", "region"),
    ],
)
@pytest.mark.parametrize("code", ["6402", "6402010", "6402010001"])
def test_a_bps_code_in_a_filter_is_a_400_that_says_so_and_guesses_no_dotted_code(article, api, path, parameter, code):
    response = api.get(path, {parameter: code})

    assert error_codes(response, 400) == ["bps_code"]
    detail = response.json()["errors"][0]["detail"]
    assert code in detail and "64.02" not in detail and "64.07" not in detail


def test_a_bps_code_in_a_write_is_a_400_that_says_so(article, editor):
    response = editor.post(URL, figure_body(article, region="6472"), format="json")

    assert error_codes(response, 400) == ["bps_code"]


def test_a_two_digit_code_stays_a_kemendagri_province(article, api):
    assert api.get(URL, {"region": "64"}).json()["count"] == 4


# --- dates, ranges, choices, moments ------------------------------------------------------------------------------


def test_an_inverted_date_range_is_a_400_not_an_empty_list(article, api):
    response = api.get(URL, {"as_of_from": "2024-07-01", "as_of_to": "2024-01-01"})

    assert error_codes(response, 400) == ["invalid_range"]
    assert response.json()["errors"][0]["attr"] == "as_of_from"


@pytest.mark.parametrize("parameter", ["as_of", "as_of_from", "as_of_to"])
def test_a_date_without_its_zeros_is_refused_as_the_message_says(article, api, parameter):
    response = api.get(URL, {parameter: "2024-6-13"})

    assert error_codes(response, 400) == ["invalid"]
    assert "YYYY-MM-DD" in response.json()["errors"][0]["detail"]


def test_a_date_without_its_zeros_is_refused_in_a_write_too(article, editor):
    response = editor.post(URL, figure_body(article, as_of="2024-6-20"), format="json")

    assert error_codes(response, 400) == ["invalid"]
    assert "YYYY-MM-DD" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("path", "parameter", "choices"),
    [
        (URL, "level", ["1", "2", "3", "4"]),
        (URL, "kind", ["province", "regency", "city", "district", "village"]),
        (URL, "status", ["draft", "verified", "published"]),
        (URL, "ordering", ["region", "-as_of", "value", "-updated_at"]),
        (URL, "flag", ["above_100", "jump", "rollup_mismatch"]),
        ("/api/v1/regions/", "level", ["1", "2", "3", "4"]),
    ],
)
def test_an_invalid_choice_lists_the_choices(article, api, path, parameter, choices):
    response = api.get(path, {parameter: "bogus"})

    assert error_codes(response, 400) == ["invalid_choice"]
    detail = response.json()["errors"][0]["detail"]
    assert all(choice in detail for choice in choices)


@pytest.mark.parametrize(("field", "choices"), [("status", ["draft", "verified", "published"])])
def test_an_invalid_choice_in_a_write_lists_the_choices(article, editor, field, choices):
    response = editor.post(URL, figure_body(article, **{field: "bogus"}), format="json")

    assert error_codes(response, 400) == ["invalid_choice"]
    assert all(choice in response.json()["errors"][0]["detail"] for choice in choices)


def test_an_invalid_region_kind_in_a_write_lists_the_choices(article, editor):
    body = {"code": "64.12", "name": "Kabupaten Baru", "level": 2, "kind": "kabupaten", "parent": "64"}

    response = editor.post("/api/v1/regions/", body, format="json")

    assert error_codes(response, 400) == ["invalid_choice"]
    assert "regency" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("parameter", ["updated_after", "known_at"])
def test_a_moment_with_an_unencoded_plus_says_to_encode_it(article, api, parameter):
    response = api.get(f"{URL}?{parameter}=2024-06-21T00:00:00+07:00")  # the + arrives as a space

    assert error_codes(response, 400) == ["invalid"]
    assert "%2B" in response.json()["errors"][0]["detail"]


def test_an_encoded_plus_is_a_moment(article, api):
    assert api.get(f"{URL}?updated_after=2024-06-21T00:00:00%2B07:00").status_code == 200


# --- unknown codes in paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/indicators/nope/ranking/", "nope"),
        ("/api/v1/indicators/nope/attainment/?region=64&year=2024", "nope"),
        ("/api/v1/indicators/nope/", "nope"),
        ("/api/v1/regions/99/", "99"),
        ("/api/v1/regions/99/summary/", "99"),
    ],
)
def test_an_unknown_code_in_a_path_is_a_404_that_names_it(article, api, path, named):
    response = api.get(path, headers={"accept-language": "en"})

    assert error_codes(response, 404) == ["not_found"]
    assert named in response.json()["errors"][0]["detail"] and "Unknown" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("path", ["/api/v1/regions/6472/", "/api/v1/regions/6472/summary/"])
def test_a_bps_code_in_a_region_path_is_a_404_that_says_it_is_one(article, api, path):
    response = api.get(path, headers={"accept-language": "en"})

    assert error_codes(response, 404) == ["not_found"]
    assert "looks like a BPS code" in response.json()["errors"][0]["detail"]
