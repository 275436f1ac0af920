"""The production settings (DEBUG off, the documented environment): check --deploy, JSON only, HTTPS with HSTS
but probes on any host over plain HTTP, and CORS for named origins only."""

from unittest import mock

import pytest
from django.test import override_settings

from .live import manage_fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

URL = "/api/v1/measurements/"


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
    "ALLOWED_HOSTS": "adminduk.kaltimprov.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://adminduk.kaltimprov.go.id",
    "CORS_ALLOWED_ORIGINS": "https://dashboard.kaltimprov.go.id",
    "TRUSTED_PROXIES": "1",
}


def test_check_deploy_passes_with_the_documented_production_environment():
    result = manage_fresh("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_in_development_mode():
    result = manage_fresh("check", "--deploy", "--fail-level", "WARNING", DEBUG="true")

    assert result.returncode != 0


def test_production_serves_json_not_the_browsable_api():
    script = (
        "from rest_framework.settings import api_settings as a; print([r.__name__ for r in a.DEFAULT_RENDERER_CLASSES])"
    )
    result = manage_fresh("shell", "--no-imports", "-c", script, **PRODUCTION)

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


def test_a_gunicorn_worker_moves_what_it_loaded_out_of_the_garbage_collectors_way():
    import gc

    from adminduk import gunicorn

    assert gc.get_freeze_count() == 0
    try:
        gunicorn.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000  # Django, DRF and the service's modules, not a handful of objects
    finally:
        gc.unfreeze()


def test_gunicorn_builds_no_access_log_fields_the_service_writes_its_own_line_per_request():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from adminduk import gunicorn

    config = Config()
    config.set("logger_class", gunicorn.logger_class)
    config.set("accesslog", "-")  # an access log gunicorn's own logger would build each request's fields for
    built = AssertionError("the access-log fields were built")
    with mock.patch.object(Logger, "atoms", side_effect=built):
        with pytest.raises(AssertionError):
            Logger(config).access(resp=None, req=None, environ={}, request_time=None)
        config.logger_class(config).access(resp=None, req=None, environ={}, request_time=None)

    assert config.logger_class is gunicorn.ServiceLogger
