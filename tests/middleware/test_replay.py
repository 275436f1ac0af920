"""Answers replayed in front of Django (coverage.middleware.cache.ReplayAnswers, in adminduk.wsgi): the same bytes
Django sent, never after a write, never for a request Django would answer differently, counted and logged like any."""

import io
import json
import logging
import sys

import pytest
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django_guid import get_guid
from django_guid.log_filters import CorrelationId

from adminduk.wsgi import application
from coverage.middleware.cache import ReplayAnswers
from coverage.models import Measurement

from ..helpers import throttle_rates
from ..live import manage

# Replayed answers close old connections as Django's request_finished does; inside a test's transaction that
# would close the test's own connection, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/measurements/"
QUERY = "indicator=ktp-el-recording&region=64.74"


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = {name.lower(): value for name, value in headers}
        self.names = [name.lower() for name, _ in headers]
        self.body = body

    def __getitem__(self, name):
        return self.headers[name.lower()]

    def get(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)


def wsgi_get(path=URL, query=QUERY, host="testserver", app=application, **headers):
    """One GET through the WSGI application gunicorn serves, headers as WSGI names them (HTTP_...)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **headers,
    }
    sent = []

    def start_response(status, response_headers, exc_info=None):
        sent[:] = [status, response_headers]

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return Answer(*sent, body)


def test_a_repeated_anonymous_get_is_replayed_byte_for_byte_with_its_own_request_id(article):
    first = wsgi_get()
    second = wsgi_get()
    third = wsgi_get()

    assert first.get("X-Cache") is None
    assert (second["X-Cache"], third["X-Cache"]) == ("hit", "hit")
    assert second.body == third.body == first.body
    assert first.json()["results"][0]["value"] == 97.43
    per_request = {"x-request-id", "x-cache"}
    assert {k: v for k, v in second.headers.items() if k not in per_request} == {
        k: v for k, v in first.headers.items() if k not in per_request
    }
    assert len({first["X-Request-ID"], second["X-Request-ID"], third["X-Request-ID"]}) == 3
    # Security headers as Django sent them, and the length (gunicorn would send the body chunked without it).
    assert second["X-Content-Type-Options"] == "nosniff"
    assert second["Content-Length"] == str(len(second.body))


def test_a_replayed_answer_never_reaches_django(article):
    handled = []
    django = get_wsgi_application()

    def counted(environ, start_response):
        handled.append(environ["PATH_INFO"])
        return django(environ, start_response)

    app = ReplayAnswers(counted)
    answers = [wsgi_get(app=app) for _ in range(3)]

    assert handled == [URL]
    assert [a.get("X-Cache") for a in answers] == [None, "hit", "hit"]


def test_no_write_leaves_a_replayed_answer_behind(article, editor):
    wsgi_get()
    assert wsgi_get()["X-Cache"] == "hit"
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")

    fresh = wsgi_get()
    assert fresh.get("X-Cache") is None
    assert fresh.json()["results"][0]["value"] == 97.44
    assert wsgi_get().json()["results"][0]["value"] == 97.44


def test_requests_django_would_answer_differently_are_never_replayed(article, reader):
    wsgi_get()
    assert wsgi_get()["X-Cache"] == "hit"
    token = reader._credentials["HTTP_AUTHORIZATION"]

    authenticated = wsgi_get(HTTP_AUTHORIZATION=token)
    english = wsgi_get(HTTP_COOKIE="django_language=en")
    not_modified = wsgi_get(HTTP_IF_NONE_MATCH=wsgi_get()["ETag"])

    assert authenticated["Cache-Control"] == "private, no-cache"
    assert english["Content-Language"] == "en"
    assert (not_modified.status_code, not_modified.body) == (304, b"")


def test_a_request_over_https_behind_the_proxy_is_not_given_the_http_answer(article):
    query = "indicator=ktp-el-recording&page_size=1"
    plain = wsgi_get(query=query)
    assert wsgi_get(query=query)["X-Cache"] == "hit"

    secure = wsgi_get(query=query, HTTP_X_FORWARDED_PROTO="https")

    assert plain.json()["next"].startswith("http://testserver/")
    assert secure.json()["next"].startswith("https://testserver/")


def test_a_host_outside_allowed_hosts_gets_a_400_even_for_a_replayable_request(article):
    wsgi_get()
    wsgi_get()

    answer = wsgi_get(host="evil.example.com")

    assert answer.status_code == 400
    assert answer.get("X-Cache") is None


@pytest.mark.usefixtures("fresh_throttle_counters")
def test_replayed_answers_count_against_the_anonymous_rate(article):
    with throttle_rates(anon="2/min"):
        answers = [wsgi_get() for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1]["X-Cache"] == "hit"
    assert answers[2].json()["errors"][0]["code"] == "throttled"
    assert int(answers[2]["Retry-After"]) >= 1


def test_a_replayed_answer_is_logged(article, caplog):
    wsgi_get()
    caplog.clear()
    caplog.handler.addFilter(CorrelationId(correlation_id_field="request_id"))  # as the service's log handler
    with caplog.at_level(logging.INFO, logger="adminduk.request"):
        answer = wsgi_get()

    (record,) = [r for r in caplog.records if r.name == "adminduk.request"]
    assert (record.method, record.path, record.status, record.client_ip) == ("GET", URL, 200, "127.0.0.1")
    assert answer["X-Cache"] == "hit"
    assert record.request_id == answer["X-Request-ID"]
    assert get_guid() is None  # forgotten once answered, as django-guid does


@override_settings(RESPONSE_CACHE=False)
def test_without_the_response_cache_nothing_is_replayed(article):
    wsgi_get()

    assert wsgi_get().get("X-Cache") is None


def test_a_valid_request_id_from_a_proxy_is_kept_and_an_invalid_one_replaced(article):
    wsgi_get()
    given = "0c8a5e0f9b6d4b0e8d5f3e2a1c4b7d9e"

    kept = wsgi_get(HTTP_X_REQUEST_ID=given)
    replaced = wsgi_get(HTTP_X_REQUEST_ID="not-a-uuid")

    assert (kept["X-Cache"], kept["X-Request-ID"]) == ("hit", given)
    assert replaced["X-Cache"] == "hit"
    assert replaced["X-Request-ID"] != "not-a-uuid" and len(replaced["X-Request-ID"]) == 32


def test_what_is_logged_before_django_answers_carries_the_id_of_this_request(article, caplog):
    from django.conf import settings

    wsgi_get()  # another request's id, left behind in this thread
    dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    caplog.handler.addFilter(CorrelationId(correlation_id_field="request_id"))
    with override_settings(CACHES={**settings.CACHES, "responses": dead}):
        caplog.clear()
        answer = wsgi_get()

    unavailable = [r for r in caplog.records if r.getMessage() == "response cache unavailable"]
    assert answer.status_code == 200 and unavailable
    assert {r.request_id for r in unavailable} == {answer["X-Request-ID"]}


def test_a_path_outside_latin_1_is_answered_by_django_not_broken(article):
    # As a WSGI server hands it over: the path's UTF-8 bytes, each as one character.
    answer = wsgi_get(path="/api/v1/measurements/\u20ac/".encode().decode("latin-1"), query="")
    accented = wsgi_get(path="/api/v1/caf\u00e9/".encode().decode("latin-1"), query="")

    assert (answer.status_code, accented.status_code) == (404, 404)
    assert answer["Content-Type"].startswith("application/json")


def test_a_database_error_in_front_of_django_gets_djangos_json_500(article, monkeypatch):
    from django.db import ProgrammingError

    def denied(provinces=None):
        raise ProgrammingError("permission denied for table coverage_dataversion")

    monkeypatch.setattr("coverage.middleware.cache.current_data_version", denied)
    answer = wsgi_get()

    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("application/json") and answer.get("X-Request-ID")


def test_answers_given_before_midnight_are_not_replayed_after_it(article):
    ranking = "/api/v1/indicators/kia-ownership/ranking/"
    # Two zones 26 hours apart: the local date always differs between them.
    with override_settings(TIME_ZONE="Pacific/Kiritimati"):
        wsgi_get(path=ranking, query="parent=64")
        before = wsgi_get(path=ranking, query="parent=64")
    with override_settings(TIME_ZONE="Etc/GMT+12"):
        after = wsgi_get(path=ranking, query="parent=64")

    assert before["X-Cache"] == "hit"
    assert after.get("X-Cache") is None
    assert after.json()["as_of"] != before.json()["as_of"]


def test_a_database_restored_to_an_earlier_version_never_gets_answers_of_the_discarded_data(article, editor, backup):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    other = Measurement.objects.get(region__code="64.71", indicator__code="ktp-el-recording")
    wsgi_get()
    before = backup(figure)
    editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")
    assert wsgi_get().json()["results"][0]["value"] == 97.44  # kept for this version

    # The backup from before that write comes back, and a write of another figure follows it.
    before.restore()
    editor.patch(f"{URL}{other.pk}/", {"value": 90}, format="json")

    assert wsgi_get().json()["results"][0]["value"] == 97.43


def test_answers_kept_by_another_release_are_not_replayed(article, monkeypatch):
    wsgi_get()
    assert wsgi_get()["X-Cache"] == "hit"

    monkeypatch.setattr("coverage.middleware.cachekey.RELEASE", "another-release")

    assert wsgi_get().get("X-Cache") is None


def test_answers_kept_under_another_configuration_are_not_replayed(article):
    wsgi_get()
    assert wsgi_get()["Cache-Control"] == "public, max-age=60"

    # As after a restart with API_CACHE_MAX_AGE=300 in the environment, the cache (Redis) kept.
    with override_settings(API_CACHE_MAX_AGE=300):
        answer = wsgi_get()

    assert answer.get("X-Cache") is None
    assert answer["Cache-Control"] == "public, max-age=300"


def test_settings_that_shape_no_answer_do_not_split_the_cache(article):
    wsgi_get()

    # Another replica: its own secret, host list and Redis address, the same answers.
    with override_settings(
        SECRET_KEY="another-replica-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS=["testserver", "pod-7.internal"],
        REDIS_URL="redis://:a-password@10.0.0.7:6379/0",
    ):
        answer = wsgi_get()

    assert answer["X-Cache"] == "hit"


def test_replicas_started_alike_key_answers_alike_and_another_time_zone_does_not():
    def configuration(**env):
        code = "from coverage.middleware.cachekey import configuration; print(configuration())"
        return manage("shell", "--no-imports", "-c", code, database_url="sqlite:///:memory:", **env).stdout

    replica = configuration(SECRET_KEY="replica-one-0123456789-abcdefghijklmnopqrstuvwxyz", ALLOWED_HOSTS="a.example")
    other = configuration(SECRET_KEY="replica-two-0123456789-abcdefghijklmnopqrstuvwxyz", ALLOWED_HOSTS="b.example")

    assert replica == other
    assert configuration(TIME_ZONE="UTC") != replica


@override_settings(CORS_ALLOWED_ORIGINS=["https://dashboard.example.go.id"])
def test_a_dashboard_in_a_browser_gets_its_cors_answer_replayed_and_no_other_origin_does(article):
    dashboard = "https://dashboard.example.go.id"
    wsgi_get(HTTP_ORIGIN=dashboard)

    replayed = wsgi_get(HTTP_ORIGIN=dashboard)
    stranger = wsgi_get(HTTP_ORIGIN="https://elsewhere.example.com")
    plain = wsgi_get()

    assert replayed["X-Cache"] == "hit"
    assert replayed["Access-Control-Allow-Origin"] == dashboard
    assert "X-Request-ID" in replayed["Access-Control-Expose-Headers"]
    assert stranger.get("Access-Control-Allow-Origin") is None
    assert plain.get("Access-Control-Allow-Origin") is None


def test_a_request_with_too_many_parameters_gets_djangos_json_400_not_a_crash(article):
    too_many = "&".join(["region=64.72"] * 1001)  # past DATA_UPLOAD_MAX_NUMBER_FIELDS

    answer = wsgi_get(query=too_many)

    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/json") and answer.get("X-Request-ID")
