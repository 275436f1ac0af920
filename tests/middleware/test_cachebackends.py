"""The cache backends (coverage.middleware.cachebackends): the per-process response cache within its byte budget,
least recently used out first, and the throttle counters' database cache keeping a counter's expiry."""

import datetime

import pytest
from django.core.cache import caches
from django.test import override_settings

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_the_per_process_response_cache_keeps_answers_within_its_byte_budget(national_kia, api):
    from django.conf import settings
    from django.core.cache import caches

    assert (
        settings.CACHES["responses"]["BACKEND"] == "coverage.middleware.cachebackends.BoundedLocMemCache"
    )  # the default
    every = {"indicator": "kia-ownership", "page_size": 500}
    reordered = {**every, "ordering": "-value"}  # the same figures: as many bytes
    size = len(api.get(URL, every).content)
    assert size > 50_000  # the headers kept with an answer are a small part of it
    room_for_one = {
        "BACKEND": "coverage.middleware.cachebackends.BoundedLocMemCache",
        "LOCATION": "room-for-one",
        "OPTIONS": {"MAX_BYTES": int(size * 1.5)},
    }
    with override_settings(CACHES={**settings.CACHES, "responses": room_for_one}):
        caches["responses"].clear()
        api.get(URL, every)
        assert api.get(URL, every)["X-Cache"] == "hit"
        api.get(URL, reordered)
        assert api.get(URL, reordered)["X-Cache"] == "hit"

        assert "X-Cache" not in api.get(URL, every)  # pushed out by the other answer


def test_the_byte_budget_pushes_out_the_least_recently_used_first():
    from coverage.middleware.cachebackends import BoundedLocMemCache

    cache = BoundedLocMemCache("lru-test", {"OPTIONS": {"MAX_BYTES": 3500}})
    cache.clear()
    for name in "abc":
        cache.set(name, b"x" * 1000)
    cache.get("a")

    cache.set("d", b"x" * 1000)
    assert [name for name in "abcd" if cache.get(name) is not None] == ["a", "c", "d"]
    cache.delete("a")
    cache.set("e", b"x" * 1000)
    assert [name for name in "cde" if cache.get(name) is not None] == ["c", "d", "e"]

    cache.set("huge", b"x" * 5000)  # more than the whole budget: kept by nobody, and it pushed the rest out
    assert [name for name in ("c", "d", "e", "huge") if cache.get(name) is not None] == []


@pytest.mark.usefixtures("fresh_throttle_counters")
def test_an_hourly_counter_keeps_its_hour_when_it_is_incremented(db):
    from django.db import connection

    cache = caches["throttle"]
    cache.add("probe", 0, 3600)
    cache.incr("probe")
    cache.incr("probe")
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM adminduk_cache WHERE cache_key LIKE %s", ["%probe"])
        (expires,) = cursor.fetchone()

    from django.utils import timezone

    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, datetime.UTC)
    assert cache.get("probe") == 2
    assert 3500 < (expires - timezone.now()).total_seconds() <= 3600
