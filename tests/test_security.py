"""Throttling, production settings, CORS, request ids in JSON logs, health probes and the 503 of a database
outage (in-process; tests/test_live.py does the same against gunicorn and a PostgreSQL it stops)."""

import datetime
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client, override_settings
from rest_framework.test import APIClient

from .conftest import token_client
from .factories import UserFactory
from .helpers import throttle_rates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

ROOT = Path(__file__).resolve().parent.parent
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


# --- production settings ------------------------------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
    "ALLOWED_HOSTS": "adminduk.kaltimprov.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://adminduk.kaltimprov.go.id",
    "CORS_ALLOWED_ORIGINS": "https://dashboard.kaltimprov.go.id",
    "TRUSTED_PROXIES": "1",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "ENV_FILE": "/nonexistent/.env", **env},
        capture_output=True,
        text=True,
    )


def test_check_deploy_passes_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_in_development_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="true")

    assert result.returncode != 0


def test_production_serves_json_not_the_browsable_api():
    script = (
        "from rest_framework.settings import api_settings as a; print([r.__name__ for r in a.DEFAULT_RENDERER_CLASSES])"
    )
    result = manage("shell", "--no-imports", "-c", script, **PRODUCTION)

    assert result.stdout.strip() == "['ORJSONRenderer', 'CSVRenderer']", result.stderr


def test_a_browser_asking_for_html_in_production_gets_json(article, api):
    # tests/settings.py keeps DEBUG off, like production.
    response = api.get(URL, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_but_the_probes_are_not(api, db):
    assert api.get(URL).status_code == 301
    assert api.get("/healthz").status_code == 200
    assert api.get("/readyz").status_code == 200


@override_settings(ALLOWED_HOSTS=["adminduk.kaltimprov.go.id"])
def test_the_probes_answer_on_any_host_name_the_api_does_not(api, db):
    # Docker asks 127.0.0.1, an orchestrator the pod's address: neither is a name of the service.
    assert api.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert api.get("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert api.get(URL, HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_https_responses_carry_hsts(api, article):
    response = api.get(URL, secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- CORS ---------------------------------------------------------------------------------------------------


@override_settings(CORS_ALLOWED_ORIGINS=["https://dashboard.kaltimprov.go.id"])
def test_cors_answers_named_origins_only(api, article):
    allowed = api.get(URL, HTTP_ORIGIN="https://dashboard.kaltimprov.go.id")
    other = api.get(URL, HTTP_ORIGIN="https://evil.example")
    preflight = api.options(
        f"{URL}1/",
        HTTP_ORIGIN="https://dashboard.kaltimprov.go.id",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-match, content-type",
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://dashboard.kaltimprov.go.id"
    exposed = allowed["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "X-Request-ID" in exposed
    assert "Access-Control-Allow-Origin" not in other
    assert preflight.status_code == 200
    assert "if-match" in preflight["Access-Control-Allow-Headers"]


# --- logs ---------------------------------------------------------------------------------------------------


def test_every_request_is_one_json_log_line_with_the_request_id_it_answers_with(article, api, capfd):
    from django.conf import settings

    logging.config.dictConfig({**settings.LOGGING, "formatters": settings.LOGGING["formatters"]})
    response = api.get(URL, {"region": "64.71"})
    given = api.get(URL, HTTP_X_REQUEST_ID="0f8fad5b-d9cb-469f-a165-70867728950e")

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "adminduk.request"]
    assert requests[0]["request_id"] == response["X-Request-ID"]
    assert requests[0]["status"] == 200 and requests[0]["path"] == URL and "duration_ms" in requests[0]
    assert given["X-Request-ID"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert requests[1]["request_id"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert all(line["time"].endswith("+00:00") for line in requests)


# --- health and outages -------------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database(api, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_checks_the_database_migrations_and_throttle_cache(api, db):
    response = api.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"Database": "ok", "MigrationsApplied": "ok", "Cache": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_database_error_in_a_view_is_a_json_503_with_retry_after(article):
    api = APIClient(raise_request_exception=False)  # the error is reported (got_request_exception), as it should be
    with mock.patch("coverage.api.representation.figure_values", side_effect=OperationalError("connection refused")):
        response = api.get(URL)

    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"


def test_a_database_error_before_the_view_is_a_json_503_too(article):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "coverage.middleware.cache.current_data_version", side_effect=OperationalError("connection refused")
    ):
        api_response = client.get(URL)
        page = client.get("/")

    assert api_response.status_code == 503
    assert api_response.json()["errors"][0]["code"] == "database_unavailable"
    assert page.status_code == 503


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


def test_not_modified_answers_are_counted_against_the_anonymous_rate(article, api):
    etag = api.get(URL)["ETag"]
    caches["throttle"].clear()
    with throttle_rates(anon="2/min"):
        answers = [api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(3)]

    assert answers == [304, 304, 429]


@override_settings(API_PUBLIC_READ=False)
def test_with_closed_reads_an_etag_gets_no_304_without_credentials(article, editor, api):
    etag = editor.get(URL)["ETag"]

    assert api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 401
    assert api.get(URL, HTTP_IF_NONE_MATCH=etag, HTTP_AUTHORIZATION="Api-Key nope.nope").status_code == 401
    assert editor.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
