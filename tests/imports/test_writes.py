"""What an import writes, and who may: updates counted and recorded with user and door, drafts only without the
right to publish, published figures by a publisher, add and change permissions needed, and two imports in one
transaction both applied. Every figure is synthetic."""

import io

import pytest

from coverage.models import Door, Measurement

from ..factories import UserFactory
from ..helpers import csv_bytes, synthetic_rows, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/import/"


def test_an_update_is_counted_and_recorded_with_user_and_door(article_all_regions, editor):
    rows = [
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": "97.44",
            "source": article_all_regions.pk,
        }
    ]

    response = editor.post(URL + "?dry_run=false", {"file": io.BytesIO(csv_bytes(rows))}, format="multipart")

    assert response.json()["updated"] == 1
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    latest = figure.history.order_by("-history_id").first()
    assert (str(figure.value), figure.version, latest.history_door, latest.history_user.username) == (
        "97.44",
        2,
        Door.IMPORT,
        "editor",
    )


def test_without_the_right_to_publish_imports_land_as_drafts_and_published_figures_cannot_change(
    article_all_regions, drafter
):
    new = [
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": "80",
            "source": article_all_regions.pk,
        }
    ]
    change = [
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": "97.44",
            "source": article_all_regions.pk,
        }
    ]

    created = drafter.post(URL, {"file": io.BytesIO(csv_bytes(new))}, format="multipart")
    refused = drafter.post(URL, {"file": io.BytesIO(csv_bytes(change))}, format="multipart")

    assert created.json()["created"] == 1
    assert Measurement.objects.get(region__code="64.72").status == "draft"
    assert [(e["attr"], e["code"]) for e in refused.json()["errors"]] == [("status", "permission_denied")]


def test_a_publisher_imports_published_figures(article_all_regions, editor):
    rows = [
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": "80",
            "source": article_all_regions.pk,
        }
    ]

    editor.post(URL, {"file": io.BytesIO(csv_bytes(rows))}, format="multipart")

    figure = Measurement.objects.get(region__code="64.72")
    assert (figure.status, figure.verified_by.username) == ("published", "editor")


def test_importing_needs_add_and_change_permissions(article_all_regions, reader, api):
    rows = csv_bytes(synthetic_rows(article_all_regions, 1))

    assert api.post(URL, {"file": io.BytesIO(rows)}, format="multipart").status_code == 401
    assert reader.post(URL, {"file": io.BytesIO(rows)}, format="multipart").status_code == 403
    only_add = token_client(UserFactory(permissions=["add_measurement"]))
    assert only_add.post(URL, {"file": io.BytesIO(rows)}, format="multipart").status_code == 403


def test_two_imports_in_one_transaction_both_apply(article_all_regions, editor):
    first = csv_bytes(
        [
            {
                "region": "64.74",
                "indicator": "ktp-el-recording",
                "as_of": "2024-06-13",
                "value": "97.44",
                "source": article_all_regions.pk,
            }
        ]
    )
    second = csv_bytes(
        [
            {
                "region": "64.74",
                "indicator": "ktp-el-recording",
                "as_of": "2024-06-13",
                "value": "97.45",
                "source": article_all_regions.pk,
            }
        ]
    )

    responses = [editor.post(URL, {"file": io.BytesIO(body)}, format="multipart") for body in (first, second)]

    assert [r.json()["updated"] for r in responses] == [1, 1]
    assert str(Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording").value) == "97.45"
