"""Fuzzing with schemathesis: every operation of the live OpenAPI schema, anonymously and with a write credential,
with every check schemathesis has, and its stateful phase.

The schema is the one the service serves (/api/schema/), and every request goes through the whole WSGI application
(middleware, response cache, error handlers) in process, on the article's data. Each request of the per-operation
phases runs in a savepoint that is rolled back afterwards, so every example starts from the article as published,
whatever the one before wrote; each scenario of the stateful phase (create, then read, change, delete what it made)
runs in one.

Checks (all of them, as `schemathesis run --checks all` runs them): no 5xx; only documented status codes, content
types and headers; bodies that match the documented schema; requests the schema allows are accepted and requests it
forbids are refused (with the statuses schemathesis.toml allows for what no schema can state); writes refused
without a valid credential; undocumented methods refused with their Allow header; a created record readable, and a
deleted one gone.

Generation is derandomized and keeps no example database, so CI runs are reproducible.
"""

import tomllib
from pathlib import Path

import pytest
import schemathesis
import urllib3
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.transport.wsgi import WSGI_TRANSPORT
from schemathesis.transport.wsgi import multipart_serializer as werkzeug_multipart
from werkzeug.datastructures import FileStorage

from coverage.models import ClientKey

from .factories import UserFactory, client_key

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the fuzz test (about 2 minutes) runs on PostgreSQL only, the database CI tests first",
)

SCHEMA_PATH = "/api/schema/"
# The project's own schemathesis settings (the statuses the checks accept), shared with `schemathesis run`.
PROJECT_CONFIG = tomllib.loads((Path(__file__).resolve().parent.parent / "schemathesis.toml").read_text())
READS = ["GET"]
WRITES = ["POST", "PUT", "PATCH", "DELETE"]


def fuzz_config(credential):
    """Examples and random fuzzing everywhere; the coverage phase (every boundary, missing and wrong-typed value of
    every parameter and field, deterministic) where it tells most: on reads anonymously, on writes with the credential
    (anonymous writes stop at the 401; the credential's reads are the anonymous ones without the response cache)."""
    return schemathesis.Config.from_dict(
        {
            **PROJECT_CONFIG,
            "seed": 20240621,
            "generation": {
                "deterministic": True,
                "database": "none",
                "max-examples": 10,
                # Credentials come from the fixture, never from generated Authorization headers or cookies.
                "with-security-parameters": False,
            },
            "operations": [
                {"include-method": WRITES if not credential else READS, "phases": {"coverage": {"enabled": False}}}
            ],
        }
    )


def write_credential(user):
    """The headers of a client app that may write everything: a read-write API key of ``user``."""
    _, key = client_key(user, scope=ClientKey.Scope.READ_WRITE, name="fuzz")
    return {"Authorization": f"Api-Key {key}"}


@pytest.fixture(params=["anonymous", "writer"])
def credential(request, db):
    if request.param == "anonymous":
        return {}
    permissions = Permission.objects.filter(content_type__app_label="coverage").values_list("codename", flat=True)
    return write_credential(UserFactory(username="fuzz-writer", permissions=list(permissions)))


@pytest.fixture
def app():
    """The service's WSGI application, in process. As in Django's test client, a request does not close the database
    connection, whose transaction is the test's."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(app, article, credential):
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, app, config=fuzz_config(credential))


@WSGI_TRANSPORT.serializer("multipart/form-data")
def multipart_serializer(ctx, value):
    """Werkzeug's multipart encoder leaves out the line break that ends an empty part (a field sent as ""), and Django
    then drops the field. Encode the same parts as an HTTP client does."""
    serialized = werkzeug_multipart(ctx, value)
    if not isinstance(serialized.get("data"), dict):
        return serialized
    fields = []
    for name, values in serialized["data"].items():
        for part in values:
            if isinstance(part, FileStorage):
                fields.append((name, (part.filename or name, part.stream.read(), part.content_type)))
            else:
                fields.append((name, part if isinstance(part, bytes | str) else str(part)))
    body, content_type = urllib3.encode_multipart_formdata(fields)
    return {"data": body, "content_type": content_type}


schema = schemathesis.pytest.from_fixture("api_schema")


@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
@schema.parametrize()
def test_api(case, credential):
    with transaction.atomic():
        try:
            case.call_and_validate(headers=credential)  # every check enabled in the configuration: all of them
        finally:
            transaction.set_rollback(True)
            caches["responses"].clear()


@pytest.mark.parametrize("who", ["anonymous", "writer"])
def test_stateful(app, article, who):
    """Chains of calls linked through the schema (a figure created, then read, changed, deleted; a region created,
    then read...), each scenario from the article as published, with every check."""
    headers = (
        {}
        if who == "anonymous"
        else write_credential(
            UserFactory(
                username="fuzz-writer",
                permissions=list(
                    Permission.objects.filter(content_type__app_label="coverage").values_list("codename", flat=True)
                ),
            )
        )
    )
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app, config=fuzz_config(headers))

    class Scenarios(schema.as_state_machine()):
        def setup(self):
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)
            caches["responses"].clear()

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The credential is the test's, not generated: the checks must know it (as call_and_validate tells them).
            case.validate_response(response, headers=headers, transport_kwargs=kwargs or None, recorder=self.recorder)

    Scenarios.run(
        settings=hypothesis_settings(
            max_examples=30,
            stateful_step_count=6,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
