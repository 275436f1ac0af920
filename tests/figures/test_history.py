"""The change history of every figure and region: who changed what, through which door (API, admin, import,
command, fixture), old and new values; kept after a deletion, shown in the API and the admin, never reverted there."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coverage.models import Door, Measurement, Region

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_an_api_change_is_recorded_with_user_door_and_old_and_new_values(bontang, editor):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    entries = editor.get(f"{URL}{bontang.pk}/history/").json()

    assert [(e["type"], e["door"], e["user"]) for e in entries] == [
        ("changed", "api", "editor"),
        ("created", "fixture", None),
    ]
    assert entries[0]["changes"] == [{"field": "value", "old": 97.43, "new": 97.44}]


def test_an_admin_change_is_recorded_through_the_admin_door(bontang, admin_client, admin_user):
    form = {
        "region": bontang.region_id,
        "indicator": bontang.indicator_id,
        "as_of": "2024-06-13",
        "value": "97.45",
        "numerator": "",
        "denominator": "",
        "source": bontang.source_id,
        "status": "published",
        "expected_version": bontang.version,
    }

    response = admin_client.post(reverse("admin:coverage_measurement_change", args=[bontang.pk]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = bontang.history.order_by("-history_id").first()
    assert (str(latest.value), latest.history_door, latest.history_user) == ("97.45", Door.ADMIN, admin_user)


def test_the_admin_shows_each_objects_history(bontang, admin_client, editor):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    page = admin_client.get(reverse("admin:coverage_measurement_history", args=[bontang.pk])).content.decode()

    assert "editor" in page
    assert "api" in page.lower()


def test_a_command_records_its_changes_through_the_command_door(db):
    call_command("load_regions", "--level", "1", stdout=StringIO())

    records = Region.history.filter(code="64").order_by("history_id")
    # Created, then its population and its BPS code set (one step each, one new version in all).
    assert [(r.history_type, r.history_door) for r in records] == [("+", Door.COMMAND)] + [("~", Door.COMMAND)] * 2
    assert (records.last().population, records.last().bps_code, records.last().version) == (4123303, "64", 2)


def test_a_deleted_figure_keeps_its_history(bontang, editor):
    editor.delete(f"{URL}{bontang.pk}/")

    entries = editor.get(f"{URL}{bontang.pk}/history/").json()

    assert [e["type"] for e in entries] == ["deleted", "created"]


def test_history_needs_the_right_to_see_unpublished_figures(bontang, api, reader):
    assert api.get(f"{URL}{bontang.pk}/history/").status_code == 401
    assert reader.get(f"{URL}{bontang.pk}/history/").status_code == 403


def test_loading_the_fixture_again_records_no_new_history(article):
    before = Measurement.history.count()

    call_command("loaddata", "article", verbosity=0)

    assert Measurement.history.count() == before == 12


def test_reloading_the_article_after_a_correction_is_a_change_made_now(bontang, editor, api):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")
    moment = timezone.now()

    call_command("loaddata", "article", verbosity=0)
    call_command("loaddata", "article", verbosity=0)

    bontang.refresh_from_db()
    assert (str(bontang.value), bontang.version) == ("97.43", 3)
    assert bontang.updated_at >= moment
    changed = api.get(URL, {"updated_after": moment.isoformat()}).json()["results"]
    assert [r["id"] for r in changed] == [bontang.pk]
    now = api.get(URL, {"known_at": timezone.now().isoformat(), "region": "64.74"}).json()["results"]
    assert [r["value"] for r in now] == [97.43]
    assert [e["door"] for e in editor.get(f"{URL}{bontang.pk}/history/").json()] == ["fixture", "api", "fixture"]


def test_the_admin_cannot_revert_from_history(bontang, admin_client, editor):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")
    record = bontang.history.order_by("history_id").first()

    response = admin_client.post(
        reverse("admin:coverage_measurement_simple_history", args=[bontang.pk, record.history_id]),
        {"value": "12.34", "status": "published"},
    )

    assert response.status_code in (403, 404, 302) or "revert" not in response.content.decode().lower()
    bontang.refresh_from_db()
    assert str(bontang.value) == "97.44"
