"""is_latest upkeep locks one indicator in one province at a time (coverage.figures.latest.lock_series): a writer
publishing in Kalimantan Timur never waits for one publishing in Papua, or for another indicator, while two writers
in the same series still take turns. Checked on PostgreSQL, with a second connection holding a lock, and the API's
writes told to give up after half a second of waiting (lock_timeout) instead of waiting."""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections

from coverage.figures import signals
from coverage.figures.latest import LATEST_LOCKS
from coverage.models import Indicator, Measurement

from ..factories import ProvinceFactory, RegencyFactory
from ..helpers import admin_url, assert_latest_consistent
from ..live import served_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"),
]


@pytest.fixture
def held(article):
    """A second connection, in a transaction holding the lock of (kia-ownership, Papua); released at the end."""
    RegencyFactory(code="91.01", parent=ProvinceFactory(code="91"))
    kia = Indicator.objects.get(code="kia-ownership").pk
    with psycopg.connect(served_database_url()) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LATEST_LOCKS, kia * 100 + 91])
        yield article
        other.rollback()


@pytest.fixture
def held_nothing(article):
    """The article's data and Papua's 91.01; no lock held."""
    RegencyFactory(code="91.01", parent=ProvinceFactory(code="91"))
    return article


def publish(editor, source, code, indicator="kia-ownership", status="published"):
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '500ms'")
    try:
        return editor.post(
            "/api/v1/measurements/",
            {
                "region": code,
                "indicator": indicator,
                "as_of": "2025-01-31",
                "value": 60,
                "source": source.pk,
                "status": status,
            },
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def test_a_writer_in_another_province_or_of_another_indicator_does_not_wait(held, editor):
    assert publish(editor, held, "64.72").status_code == 201
    assert publish(editor, held, "91.01", indicator="ktp-el-recording").status_code == 201
    assert Measurement.objects.filter(as_of="2025-01-31", is_latest=True).count() == 2


def test_a_draft_takes_no_lock(held, editor):
    assert publish(editor, held, "91.01", status="draft").status_code == 201


def test_a_writer_in_the_same_series_waits_for_the_lock(held, editor, caplog):
    with pytest.raises(Exception, match="lock timeout"):
        publish(editor, held, "91.01")
    assert not Measurement.objects.filter(region__code="91.01").exists()  # the write was undone, nothing half-done


def _together(*jobs):
    """Run each job in a thread of its own, the next one 0.3 s after the previous: their results (or errors)."""
    results = [None] * len(jobs)

    def run(index, job):
        try:
            results[index] = job()
        except Exception as error:  # a deadlock is raised here: the test reports it
            results[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join(30)
    return results


def test_a_change_racing_a_publish_in_its_series_never_deadlocks(article, editor, monkeypatch, api):
    # The change locks the figure's row; the publish, holding the series' lock, must clear that figure's is_latest.
    current = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    real = signals.refresh_latest
    monkeypatch.setattr(signals, "refresh_latest", lambda *a, **k: (time.sleep(1.0), real(*a, **k)))
    newer = {
        "region": "64.74",
        "indicator": "ktp-el-recording",
        "as_of": "2025-01-31",
        "value": 99,
        "status": "published",
    }

    published, changed = _together(
        lambda: editor.post("/api/v1/measurements/", {**newer, "source": article.pk}).status_code,
        lambda: editor.patch(f"/api/v1/measurements/{current.pk}/", {"value": 97.5}, format="json").status_code,
    )

    assert (published, changed) == (201, 200)
    assert_latest_consistent(api)


def test_a_bulk_deletion_in_the_admin_takes_every_lock_first_in_order(held_nothing, editor, admin_client, monkeypatch):
    ids = []
    for code in ("91.01", "64.72"):  # the first figure's lock key (… 91) is above the second's (… 64)
        answer = publish(editor, held_nothing, code)
        assert answer.status_code == 201
        ids.append(answer.json()["id"])
    kia = Indicator.objects.get(code="kia-ownership").pk
    real = signals.lock_series
    monkeypatch.setattr(signals, "lock_series", lambda *a, **k: (real(*a, **k), time.sleep(0.7)))

    def other_writer():  # takes both keys in ascending order, as every writer does
        with psycopg.connect(served_database_url()) as other:
            other.execute(
                "SELECT count(pg_advisory_xact_lock(%s, k)) FROM (SELECT unnest(%s::int[]) AS k ORDER BY k) AS keys",
                [LATEST_LOCKS, [kia * 100 + 64, kia * 100 + 91]],
            )
            other.rollback()
        return "ok"

    deleted, other = _together(
        lambda: (
            admin_client.post(
                admin_url(Measurement, "changelist"),
                {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
            ).status_code
        ),
        other_writer,
    )

    assert (deleted, other) == (302, "ok")
    assert not Measurement.objects.filter(pk__in=ids).exists()
