"""known_at: the figures as they were known at a moment, before later corrections, deletions and additions."""

import pytest
from django.utils import timezone

from coverage.models import Door, Measurement

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_known_at_reproduces_what_was_served_before_a_correction_and_a_deletion(bontang, editor, api):
    moment = timezone.now()
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")
    balikpapan = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    editor.delete(f"{URL}{balikpapan.pk}/")
    editor.post(
        URL,
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": 80,
            "source": bontang.source_id,
            "status": "published",
        },
        format="json",
    )

    then = api.get(URL, {"known_at": moment.isoformat(), "page_size": 100}).json()
    now = api.get(URL, {"page_size": 100}).json()

    assert {(r["region"], r["indicator"]): r["value"] for r in then["results"]} == {
        (r.region.code, r.indicator.code): float(r.value)
        for r in Measurement.history.filter(history_type="+", history_door=Door.FIXTURE)
    }
    assert then["count"] == 12
    assert {(r["region"], r["indicator"]): r["value"] for r in now["results"]}[("64.74", "ktp-el-recording")] == 97.44
    assert now["count"] == 12  # one deleted, one created


def test_known_at_before_anything_was_recorded_is_empty(article, api):
    assert api.get(URL, {"known_at": "2000-01-01T00:00:00Z"}).json()["count"] == 0


def test_known_at_combines_with_filters(bontang, editor, api):
    moment = timezone.now()
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    rows = api.get(URL, {"known_at": moment.isoformat(), "region": "64.74"}).json()["results"]

    assert [(r["id"], r["value"]) for r in rows] == [(bontang.pk, 97.43)]


def test_a_bad_known_at_is_a_400(article, api):
    assert api.get(URL, {"known_at": "kemarin"}).json()["errors"][0]["attr"] == "known_at"
