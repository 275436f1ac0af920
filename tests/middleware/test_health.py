"""The probes (coverage.middleware.health) and a database outage in process: /healthz without the database,
/readyz checking it, and a database error a JSON 503 with Retry-After, in a view or before it (tests/test_live.py
does the same against gunicorn and a PostgreSQL it stops)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

URL = "/api/v1/measurements/"


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
