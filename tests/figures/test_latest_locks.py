"""is_latest upkeep locks one indicator in one province at a time (coverage.figures.latest.lock_series): a writer
publishing in Kalimantan Timur never waits for one publishing in Papua, or for another indicator, while two writers
in the same series still take turns. Checked on PostgreSQL, with a second connection holding a lock, and the API's
writes told to give up after half a second of waiting (lock_timeout) instead of waiting."""

import psycopg
import pytest
from django.db import connection

from coverage.figures.latest import LATEST_LOCKS
from coverage.models import Indicator, Measurement

from ..factories import ProvinceFactory, RegencyFactory
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
