"""Inputs that once broke the service (a 500, an HTML page, or a change silently dropped)."""

import json

import pytest
from django.urls import reverse
from django_filters.widgets import BaseCSVWidget

from coverage.api.filterfields import CommaSeparatedWidget
from coverage.api.filtersets import MeasurementFilterSet, RegionFilterSet
from coverage.models import Indicator, Measurement, Region

from ..helpers import json_errors_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


@pytest.fixture
def figure(article):
    return {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-03-13", "source": article.pk}


def test_counts_that_give_an_impossible_percentage_are_a_400_not_a_500(figure, editor):
    response = editor.post(URL, {**figure, "numerator": 5000, "denominator": 1}, format="json")

    assert json_errors_of(response, 400) == {("value", "counts_out_of_range")}


@pytest.mark.parametrize(("numerator", "denominator", "value"), [(13, 20000, 0.07), (221, 20000, 1.11), (1, 8, 12.5)])
def test_exact_half_way_counts_round_up_and_are_stored_on_every_database(figure, editor, numerator, denominator, value):
    response = editor.post(URL, {**figure, "numerator": numerator, "denominator": denominator}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["value"] == value


@pytest.mark.parametrize("field", ["region", "indicator"])
def test_a_nul_byte_in_a_code_in_the_body_is_a_400(figure, editor, field):
    response = editor.post(URL, {**figure, "value": 1, field: "64\x00"}, format="json")

    assert json_errors_of(response, 400) == {(field, "does_not_exist")}


def test_a_nul_byte_in_a_parent_code_is_a_400(article, editor):
    response = editor.post(
        "/api/v1/regions/", {"code": "64.12", "name": "X", "level": 2, "kind": "regency", "parent": "6\x004"}
    )

    assert ("parent", "does_not_exist") in json_errors_of(response, 400)


def test_a_misspelled_field_in_a_body_is_a_400_not_silently_dropped(article, editor):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    response = editor.patch(f"{URL}{figure.pk}/", {"valeu": 50}, format="json")

    assert json_errors_of(response, 400) == {("valeu", "unknown_field")}
    figure.refresh_from_db()
    assert str(figure.value) == "97.43"


def test_patching_one_count_of_a_figure_without_counts_keeps_its_value(article, editor):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    response = editor.patch(f"{URL}{figure.pk}/", {"denominator": 250000}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["value"], response.json()["denominator"]) == (97.43, 250000)


def test_a_date_before_1900_is_a_400(figure, editor):
    assert json_errors_of(editor.post(URL, {**figure, "value": 1, "as_of": "0001-01-01"}, format="json"), 400) == {
        ("as_of", "date_too_early")
    }


def test_more_query_parameters_than_django_accepts_is_a_json_400(article, api):
    response = api.get(URL + "?" + "&".join(["region=64"] * 1100))

    assert json_errors_of(response, 400) == {(None, "bad_request")}


def test_json_nested_too_deeply_is_a_400(article, editor):
    response = editor.post(URL, data="[" * 100000 + "]" * 100000, content_type="application/json")

    assert json_errors_of(response, 400) == {(None, "parse_error")}


def test_an_empty_filter_value_is_a_400_not_the_whole_table(article, api):
    assert json_errors_of(api.get(URL, {"region": ""}), 400) == {("region", "empty")}
    assert json_errors_of(api.get(URL, {"level": ","}), 400) == {("level", "empty")}


def _lists(filterset) -> list[str]:
    """The parameters of a FilterSet that take comma-separated values."""
    return sorted(
        name
        for name, filter_ in filterset.base_filters.items()
        if isinstance(filter_.field.widget, CommaSeparatedWidget | BaseCSVWidget)
    )


@pytest.mark.parametrize(
    ("path", "parameter"),
    [(URL, name) for name in _lists(MeasurementFilterSet)]
    + [("/api/v1/regions/", name) for name in _lists(RegionFilterSet)],
)
@pytest.mark.parametrize("value", [",", "value,", " , "])
def test_an_empty_term_in_any_list_is_a_400(article, api, path, parameter, value):
    # Found by schemathesis: ?ordering=, was a 500 (an empty field name reached order_by()).
    assert json_errors_of(api.get(path, {parameter: value}), 400) == {(parameter, "empty")}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (URL, "as_of"),
        (URL, "latest"),
        (URL, "year"),
        (URL, "known_at"),
        (URL, "ordering"),
        (URL, "format"),
        (URL, "page"),
        ("/api/v1/regions/", "search"),
        ("/api/v1/indicators/kia-ownership/ranking/", "as_of"),
        ("/api/v1/regions/64/summary/", "rollup"),
        ("/api/v1/indicators/kia-ownership/", "format"),
    ],
)
def test_a_parameter_without_a_value_is_a_400_not_the_default(article, api, path, parameter):
    # Found by the fuzz test: ?as_of= answered for today, ?latest= and ?known_at= with every current figure.
    assert json_errors_of(api.get(f"{path}?{parameter}="), 400) == {(parameter, "empty")}


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        (URL, "dry_run=true", "dry_run"),
        (URL, "format=", "format"),
        (f"{URL}import/", "dry_rn=true", "dry_rn"),
        (f"{URL}import/", "dry_run=", "dry_run"),
    ],
)
def test_the_query_string_of_a_write_is_checked_too(article, editor, path, query, parameter):
    # dry_run belongs to the import: given to a create, it must not quietly create the figure.
    figure = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-03-13", "value": 1, "source": article.pk}

    response = editor.post(f"{path}?{query}", figure if path == URL else [figure], format="json")

    assert json_errors_of(response, 400) == {(parameter, "empty" if query.endswith("=") else "unknown_parameter")}
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-03-13").exists()


def test_the_query_string_of_a_figures_history_is_checked(article, editor):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    assert json_errors_of(editor.get(f"{URL}{figure.pk}/history/?page=2"), 400) == {("page", "unknown_parameter")}


def test_too_many_within_codes_is_a_400(article, api):
    response = api.get(URL, {"within": ",".join(["64"] * 1) + "," + ",".join(f"{n}" for n in range(11, 112))})

    assert ("within", "too_many_values") in json_errors_of(response, 400)


def test_an_unknown_format_is_a_400_naming_it(article, api):
    assert json_errors_of(api.get(URL, {"format": "xml"}), 400) == {("format", "invalid_choice")}


def test_a_region_code_without_the_final_slash_is_the_region_without_a_redirect(article, api):
    response = api.get("/api/v1/regions/64.71")

    assert response.status_code == 200
    assert response.json()["name"] == "Kota Balikpapan"


def test_a_bad_host_header_under_the_api_is_a_json_400(article, client):
    response = client.get(URL, headers={"host": "evil.example"})

    assert json_errors_of(response, 400) == {(None, "bad_request")}


def test_behind_the_proxy_links_are_https(article, api):
    response = api.get(URL, {"page_size": 1}, headers={"x-forwarded-proto": "https"})

    assert response.json()["next"].startswith("https://")


def test_a_bad_level_in_the_admin_filter_is_ignored_not_a_500(article, admin_client):
    response = admin_client.get(reverse("admin:coverage_measurement_changelist"), {"level": "abc"})

    assert response.status_code in (200, 302)


def test_a_large_body_is_refused_as_json(article, editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(
        {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 1, "x": "y" * 5000}
    )

    response = editor.post(URL, data=body, content_type="application/json")

    assert json_errors_of(response, 413) == {(None, "request_too_large")}
    assert not Measurement.objects.filter(
        region=Region.objects.get(code="64.72"), indicator=Indicator.objects.get(code="kia-ownership")
    ).exists()


@pytest.mark.parametrize("path", ["/api/v1/measurements/", "/api/v1/availability/", "/api/v1/measurements/deleted/"])
def test_an_absurd_page_number_is_a_400(article, api, path):
    assert json_errors_of(api.get(path, {"page": "9" * 23}), 400) == {("page", "invalid")}


@pytest.mark.parametrize("name", ["updated_after", "known_at"])
def test_a_moment_outside_1900_to_2100_is_a_400(article, api, name):
    assert json_errors_of(api.get(URL, {name: "0001-01-01T00:00:00+14:00"}), 400) == {(name, "out_of_range")}


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_figure_id_beyond_any_row_is_a_404_for_a_write_too(article, editor, method):
    # Found by schemathesis with a write key: the series' locks were taken from SQL Django refuses to write for an
    # impossible condition (an id beyond bigint), a 500.
    response = getattr(editor, method)(f"{URL}290733042817913092639/", {"value": 1}, format="json")

    assert response.status_code == 404
