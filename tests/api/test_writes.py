"""Writes: token-authenticated, with the model permission, by code, validated with the model's own rules."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from coverage.models import Measurement, NationalTarget, Region

from ..factories import UserFactory
from ..helpers import errors_of, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


@pytest.fixture
def new_figure(article):
    return {
        "region": "64.72",
        "indicator": "kia-ownership",
        "as_of": "2024-06-13",
        "value": 75.5,
        "source": article.pk,
    }


def test_anonymous_writes_are_refused_with_401(new_figure, api):
    figure_id = Measurement.objects.first().pk

    assert errors_of(api.post(URL, new_figure, format="json"), 401) == {(None, "not_authenticated")}
    assert api.patch(f"{URL}{figure_id}/", {"value": 1}, format="json").status_code == 401
    assert api.delete(f"{URL}{figure_id}/").status_code == 401
    assert Measurement.objects.count() == 12


def test_a_token_without_the_model_permission_is_refused_with_403(new_figure, reader):
    response = reader.post(URL, new_figure, format="json")

    assert errors_of(response, 403) == {(None, "permission_denied")}
    assert not Measurement.objects.filter(region__code="64.72").exists()


def test_a_wrong_token_is_refused_with_401(new_figure, api):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert errors_of(api.post(URL, new_figure, format="json"), 401) == {(None, "authentication_failed")}


def test_a_token_with_the_add_permission_creates_a_figure_by_codes(new_figure):
    client = token_client(UserFactory(permissions=["add_measurement", "edit_all_regions"]))

    response = client.post(URL, new_figure, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["region"], body["region_name"], body["indicator"], body["value"]) == (
        "64.72",
        "Kota Samarinda",
        "kia-ownership",
        75.5,
    )
    stored = Measurement.objects.get(pk=body["id"])
    assert (stored.region.code, str(stored.value), stored.source_id) == ("64.72", "75.50", new_figure["source"])


def test_the_value_is_derived_from_the_counts_when_left_out(new_figure, editor):
    del new_figure["value"]

    response = editor.post(URL, {**new_figure, "numerator": 1875, "denominator": 2000}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["value"] == 93.75


def test_patch_changes_only_the_given_field(article, editor):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    response = editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")

    assert response.status_code == 200
    figure.refresh_from_db()
    assert (str(figure.value), figure.as_of.isoformat(), figure.region.code) == ("97.44", "2024-06-13", "64.74")


def test_patching_the_counts_derives_the_value_again(article, editor):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    response = editor.patch(f"{URL}{figure.pk}/", {"numerator": 9743, "denominator": 10000}, format="json")

    assert response.json()["value"] == 97.43


def test_delete_with_the_permission(article, editor):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    assert editor.delete(f"{URL}{figure.pk}/").status_code == 204
    assert not Measurement.objects.filter(pk=figure.pk).exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"value": -0.01}, ("value", "min_value")),
        ({"value": 1000}, ("value", "max_whole_digits")),
        ({"value": 999.999}, ("value", "max_digits")),
        ({"value": 96.905}, ("value", "max_decimal_places")),
        ({"value": "NaN"}, ("value", "invalid")),
        ({"value": "Infinity"}, ("value", "invalid")),
        ({"value": None}, ("value", "null")),
        ({"value": 50, "numerator": 1, "denominator": 0}, ("denominator", "min_value")),
        ({"value": 50, "numerator": -1, "denominator": 2}, ("numerator", "min_value")),
        ({"value": 50, "numerator": 1, "denominator": 3}, ("value", "value_counts_mismatch")),
        ({"value": 50, "numerator": 2**63, "denominator": 2**64}, ("numerator", "max_value")),
        ({"region": "99.99"}, ("region", "does_not_exist")),
        ({"region": "6472"}, ("region", "bps_code")),
        ({"indicator": "kia"}, ("indicator", "does_not_exist")),
        ({"source": 999}, ("source", "does_not_exist")),
        ({"as_of": "2024-13-01"}, ("as_of", "invalid")),
        ({"as_of": "2999-01-01"}, ("as_of", "future_date")),
        ({"region": "64.71"}, ("non_field_errors", "unique")),
    ],
)
def test_each_rule_is_a_400_naming_the_field(new_figure, editor, change, expected):
    response = editor.post(URL, {**new_figure, **change}, format="json")

    assert expected in errors_of(response, 400)
    assert Measurement.objects.count() == 12


def test_an_overflowing_number_in_the_json_body_is_a_400(new_figure, editor):
    body = '{"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "source": %d, "value": 1e400}'

    response = editor.post(URL, body % new_figure["source"], content_type="application/json")

    assert errors_of(response, 400) == {("value", "invalid")}


def test_a_figure_needs_a_value_or_both_counts(new_figure, editor):
    del new_figure["value"]

    assert ("value", "required") in errors_of(editor.post(URL, {**new_figure, "numerator": 5}, format="json"), 400)


def test_a_value_above_100_is_stored_as_published(new_figure, editor):
    response = editor.post(
        URL, {**new_figure, "value": 104.38, "numerator": 10438, "denominator": 10000}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["value"] == 104.38


def test_regions_are_written_by_code_and_checked_against_level_kind_and_parent(article, editor):
    created = editor.post(
        "/api/v1/regions/",
        {"code": "64.71.01", "name": "Balikpapan Selatan", "level": 3, "kind": "district", "parent": "64.71"},
    )
    wrong_parent = editor.post(
        "/api/v1/regions/", {"code": "64.71.02", "name": "X", "level": 3, "kind": "district", "parent": "64.72"}
    )
    wrong_kind = editor.post(
        "/api/v1/regions/", {"code": "64.12", "name": "X", "level": 2, "kind": "city", "parent": "64"}
    )
    wrong_level = editor.post(
        "/api/v1/regions/", {"code": "64.12", "name": "X", "level": 3, "kind": "regency", "parent": "64"}
    )
    renamed_code = editor.patch("/api/v1/regions/64.71/", {"code": "64.79"}, format="json")

    assert created.status_code == 201
    assert Region.objects.get(code="64.71.01").parent_id == "64.71"
    assert errors_of(wrong_parent, 400) == {("parent", "wrong_parent")}
    assert errors_of(wrong_kind, 400) == {("code", "code_kind_mismatch")}
    assert ("kind", "kind_level_mismatch") in errors_of(wrong_level, 400)
    assert errors_of(renamed_code, 400) == {("code", "immutable")}


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/regions/", {"code": "65", "name": "X", "level": 1, "kind": "province", "parent": ""}, "parent"),
        (
            "/api/v1/measurements/",
            {"region": "", "indicator": "kia-ownership", "as_of": "2024-12-31", "value": 1},
            "region",
        ),
        (
            "/api/v1/measurements/",
            {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-12-31", "value": 1, "source": ""},
            "source",
        ),
    ],
)
def test_a_blank_reference_is_refused_not_stored_as_none(article, editor, path, payload, field):
    response = editor.post(path, payload, format="json")

    assert (field, "blank") in errors_of(response, 400)
    assert not Region.objects.filter(code="65").exists()


def test_deleting_a_region_that_has_figures_is_a_409_and_deletes_nothing(article, editor):
    response = editor.delete("/api/v1/regions/64.71/")

    assert errors_of(response, 409) == {(None, "protected")}
    assert Region.objects.filter(code="64.71").exists()


def test_targets_are_unique_per_indicator_and_year(article, editor):
    duplicate = editor.post(
        "/api/v1/targets/", {"indicator": "kia-ownership", "year": 2024, "value": 65, "source": article.pk}
    )
    next_year = editor.post(
        "/api/v1/targets/", {"indicator": "kia-ownership", "year": 2025, "value": 65, "source": article.pk}
    )
    bad_year = editor.post(
        "/api/v1/targets/", {"indicator": "kia-ownership", "year": 1999, "value": 65, "source": article.pk}
    )

    assert ("non_field_errors", "unique") in errors_of(duplicate, 400)
    assert next_year.status_code == 201
    assert errors_of(bad_year, 400) == {("year", "min_value")}
    assert NationalTarget.objects.count() == 3


def test_indicator_codes_are_lowercase_slugs_that_never_change(article, editor):
    bad = editor.post(
        "/api/v1/indicators/", {"code": "Akta_Lahir", "name": "Akta", "name_en": "Birth certificate", "population": "x"}
    )
    renamed = editor.patch("/api/v1/indicators/kia-ownership/", {"code": "kia"}, format="json")

    assert errors_of(bad, 400) == {("code", "invalid_code")}
    assert errors_of(renamed, 400) == {("code", "immutable")}


@override_settings(API_PUBLIC_READ=False)
def test_with_api_public_read_off_reads_need_a_token(article, api, reader):
    assert api.get(URL).status_code == 401
    assert reader.get(URL).status_code == 200


def test_the_token_command_issues_a_token_that_writes(new_figure, capsys):
    user = UserFactory(username="kpu-app", permissions=["add_measurement", "edit_all_regions"])
    user.auth_token.delete()

    call_command("drf_create_token", "kpu-app")

    key = capsys.readouterr().out.split()[2]
    client = token_client(type(user).objects.get(pk=user.pk))
    assert client.post(URL, new_figure, format="json").status_code == 201
    assert user.auth_token.__class__.objects.get(user=user).key == key
