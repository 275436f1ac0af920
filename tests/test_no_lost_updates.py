"""No lost updates, on every door: a detail's ETag and If-Match on the API (a stale one is a 412 that changes
nothing), PATCH writing only what it was given, and the admin refusing to save over a change made since its form
was opened. tests/test_concurrency.py races real writers against gunicorn."""

import pytest
from django.urls import reverse

from coverage.models import Measurement

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_a_detail_response_carries_an_etag_and_a_stale_if_match_is_a_412_that_changes_nothing(bontang, editor):
    etag = editor.get(f"{URL}{bontang.pk}/")["ETag"]
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json", headers={"if-match": etag})

    stale_patch = editor.patch(f"{URL}{bontang.pk}/", {"value": 90}, format="json", headers={"if-match": etag})
    stale_put = editor.put(
        f"{URL}{bontang.pk}/",
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": 90,
            "source": bontang.source_id,
        },
        format="json",
        headers={"if-match": etag},
    )
    stale_delete = editor.delete(f"{URL}{bontang.pk}/", headers={"if-match": etag})

    assert etag == '"1"'
    assert {stale_patch.status_code, stale_put.status_code, stale_delete.status_code} == {412}
    assert stale_patch.json()["errors"][0]["code"] == "precondition_failed"
    bontang.refresh_from_db()
    assert (str(bontang.value), bontang.version) == ("97.44", 2)


def test_a_current_if_match_succeeds_and_returns_the_new_etag(bontang, editor):
    response = editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json", headers={"if-match": '"1"'})

    assert (response.status_code, response["ETag"]) == (200, '"2"')


def test_patch_writes_only_the_fields_it_was_given(bontang, editor):
    Measurement.objects.filter(pk=bontang.pk).update(numerator=9743, denominator=10000)  # someone else, meanwhile

    editor.patch(f"{URL}{bontang.pk}/", {"as_of": "2024-06-14"}, format="json")

    bontang.refresh_from_db()
    assert (bontang.as_of.isoformat(), bontang.numerator, bontang.denominator) == ("2024-06-14", 9743, 10000)


def test_the_admin_refuses_to_save_over_a_change_made_since_the_form_was_opened(bontang, admin_client, editor):
    opened = admin_client.get(reverse("admin:coverage_measurement_change", args=[bontang.pk]))
    seen = opened.context["adminform"].form["expected_version"].value()
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    response = admin_client.post(
        reverse("admin:coverage_measurement_change", args=[bontang.pk]),
        {
            "region": bontang.region_id,
            "indicator": bontang.indicator_id,
            "as_of": "2024-06-13",
            "value": "90.00",
            "numerator": "",
            "denominator": "",
            "source": bontang.source_id,
            "status": "published",
            "expected_version": seen,
        },
    )

    assert response.status_code == 200
    assert "stale" in [e.code for e in response.context["adminform"].form.errors.as_data()["__all__"]]
    bontang.refresh_from_db()
    assert str(bontang.value) == "97.44"
