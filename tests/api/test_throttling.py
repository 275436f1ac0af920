"""Throttling (coverage.api.throttling): a budget per anonymous address, per key or user and for writes, counted
for cached and 304 answers too, the client's address as the trusted proxy gives it, counters in the database cache
or Redis, and reads served when Redis is down."""

import os
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from ..factories import UserFactory
from ..helpers import throttle_rates, token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

URL = "/api/v1/measurements/"


# --- throttling ---------------------------------------------------------------------------------------------


def test_the_throttle_counters_live_in_the_database_cache_by_default():
    from django.conf import settings

    assert settings.CACHES["throttle"]["BACKEND"] == "coverage.middleware.cachebackends.LockingDatabaseCache"


def test_an_anonymous_client_over_its_rate_gets_a_json_429_with_retry_after(article, api):
    with throttle_rates(anon="3/min"):
        answers = [api.get(URL, {"region": "64.71"}) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = answers[3].json()
    assert body["type"] == "client_error" and body["errors"][0]["code"] == "throttled"
    assert 1 <= int(answers[3]["Retry-After"]) <= 60


@override_settings(RESPONSE_CACHE=True)
def test_answers_from_the_response_cache_are_throttled_too(article, api):
    with throttle_rates(anon="2/min"):
        answers = [api.get(URL) for _ in range(3)]

    assert answers[1].get("X-Cache") == "hit"
    assert answers[2].status_code == 429
    assert answers[2].json()["errors"][0]["code"] == "throttled"
    assert int(answers[2]["Retry-After"]) >= 1


def test_each_key_or_user_has_its_own_budget_apart_from_anonymous_clients(article, api):
    first = token_client(UserFactory(username="one"))
    second = token_client(UserFactory(username="two"))
    with throttle_rates(anon="1/min", client="2/min"):
        assert api.get(URL).status_code == 200
        assert api.get(URL).status_code == 429
        assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 429]
        assert second.get(URL).status_code == 200


def test_writes_have_their_own_lower_rate(article, editor):
    with throttle_rates(client="100/min", write="1/min"):
        assert editor.patch(f"{URL}1/", {}, format="json").status_code in (200, 404)
        response = editor.patch(f"{URL}1/", {}, format="json")
        assert response.status_code == 429
        assert editor.get(URL).status_code == 200


def test_x_forwarded_for_from_the_client_does_not_open_a_new_bucket_without_a_trusted_proxy(article, api):
    with throttle_rates(anon="2/min", proxies=0):
        answers = [api.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}") for n in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]


def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client(article, api):
    with throttle_rates(anon="1/min", proxies=1):
        # The client forged the first entries; our proxy appended the real address last.
        spoofed = [api.get(URL, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 203.0.113.7") for n in range(2)]
        other = api.get(URL, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9")

    assert [a.status_code for a in spoofed] == [200, 429]
    assert other.status_code == 200


@pytest.mark.skipif(not os.environ.get("REDIS_URL") and not Path("/usr/bin/redis-server").exists(), reason="no Redis")
def test_with_redis_url_the_counters_live_in_redis(article, api):
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {url}")
    from django.conf import settings

    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "test"}
    with override_settings(CACHES={**settings.CACHES, "throttle": backend}), throttle_rates(anon="2/min"):
        caches["throttle"].clear()
        answers = [api.get(URL).status_code for _ in range(3)]
        assert any(key.startswith(b"test:") for key in redis.Redis.from_url(url).keys())
        caches["throttle"].clear()

    assert answers == [200, 200, 429]


# --- found by review -----------------------------------------------------------------------------------------


def test_with_redis_down_reads_are_computed_not_refused(article, api):
    from django.conf import settings

    dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with (
        override_settings(CACHES={**settings.CACHES, "responses": dead, "throttle": dead}),
        throttle_rates(anon="100/min"),
    ):
        answers = [api.get(URL, {"region": "64.71"}) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]


def test_not_modified_answers_are_counted_against_the_anonymous_rate(article, api):
    etag = api.get(URL)["ETag"]
    caches["throttle"].clear()
    with throttle_rates(anon="2/min"):
        answers = [api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(3)]

    assert answers == [304, 304, 429]
