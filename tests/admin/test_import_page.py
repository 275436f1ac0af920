"""The admin's import page (coverage.admin.import_page): a preview, then the figures written on confirmation; every
bad row shown with no confirmation offered; linked from the figure list; its preview files removed on confirm and
cancel, and expired after 24 hours. Every figure is synthetic."""

import io
import os
import time

import pytest
from django.urls import reverse

from coverage.admin import import_page
from coverage.models import Door, Measurement

from ..helpers import csv_bytes, synthetic_rows
from ..imports.doors import ADMIN, ENGLISH, figures, through_admin

pytestmark = pytest.mark.django_db


def test_the_admin_import_previews_then_writes_on_confirmation(article_all_regions, admin_client):
    rows = synthetic_rows(article_all_regions, 5)
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "semester.csv"

    preview = admin_client.post(reverse("admin:coverage_measurement_import"), {"file": upload})

    assert preview.status_code == 200
    assert (
        "5 rows: 5 new, 0 changed, 0 unchanged, 0 rejected." in preview.content.decode()
        or "5 baris" in preview.content.decode()
    )
    assert Measurement.objects.count() == 12
    confirmed = admin_client.post(
        reverse("admin:coverage_measurement_import"), {"confirm": "1", "token": preview.context["token"]}
    )
    assert confirmed.status_code == 302
    assert Measurement.objects.count() == 17
    assert Measurement.history.filter(history_door=Door.IMPORT).count() == 5


def test_the_admin_import_shows_every_bad_row_and_offers_no_confirmation(article_all_regions, admin_client):
    rows = synthetic_rows(article_all_regions, 3)
    rows[2]["value"] = "-4"
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "bad.csv"

    response = admin_client.post(reverse("admin:coverage_measurement_import"), {"file": upload})

    page = response.content.decode()
    assert [(e.line, e.column, e.code) for e in response.context["report"].errors] == [(4, "value", "min_value")]
    assert 'name="confirm"' not in page
    assert Measurement.objects.count() == 12


def test_the_import_page_is_linked_from_the_figure_list(article_all_regions, admin_client):
    page = admin_client.get(reverse("admin:coverage_measurement_changelist")).content.decode()

    assert reverse("admin:coverage_measurement_import") in page


# --- The admin's preview files -------------------------------------------------------------------------------


def test_a_preview_file_is_removed_on_confirm(article_all_regions, admin_client, previews):
    preview = through_admin(admin_client, csv_bytes(figures(article_all_regions.pk, 3), lineterminator="\n"))
    stored = previews()

    admin_client.post(reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]})

    assert stored == [f"{preview.context['token']}.csv"]
    assert previews() == []
    assert Measurement.objects.count() == 15


def test_a_preview_can_be_cancelled_and_its_file_is_removed(article_all_regions, admin_client, previews):
    preview = through_admin(admin_client, csv_bytes(figures(article_all_regions.pk, 3), lineterminator="\n"))

    cancelled = admin_client.post(reverse(ADMIN), {"cancel": "1", "token": preview.context["token"]})
    confirmed_after = admin_client.post(reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]})

    assert cancelled.status_code == confirmed_after.status_code == 302
    assert previews() == []
    assert 'name="cancel"' in preview.content.decode()
    assert Measurement.objects.count() == 12


def test_a_preview_expires_after_24_hours_and_its_confirmation_says_upload_again(
    article_all_regions, admin_client, previews
):
    old = through_admin(admin_client, csv_bytes(figures(article_all_regions.pk, 3), lineterminator="\n"))
    recent = through_admin(admin_client, csv_bytes(figures(article_all_regions.pk, 3, start=3), lineterminator="\n"))
    a_day_ago = time.time() - 24 * 3600 - 60
    os.utime(import_page.import_directory() / f"{old.context['token']}.csv", (a_day_ago, a_day_ago))

    visit = admin_client.get(reverse(ADMIN))
    kept = previews()
    confirmed = admin_client.post(
        reverse(ADMIN), {"confirm": "1", "token": old.context["token"]}, follow=True, headers=ENGLISH
    )

    assert visit.status_code == 200
    assert kept == [f"{recent.context['token']}.csv"]
    assert "expired (after 24 hours) or was already used: upload the file again" in confirmed.content.decode()
    assert Measurement.objects.count() == 12
