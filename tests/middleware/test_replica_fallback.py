"""A replica that fails while answering (it went away, or its replay cancelled a query) costs the client nothing:
the primary answers the same request (coverage.middleware.replicas, in the response cache's middleware), and the
replica is left alone for a while. The replica here is a name the reads are routed to, failing on purpose; a real
one is tested in tests/test_replicas.py."""

import pytest
from django.db import OperationalError
from django.test import Client

from coverage.api.views.measurements import MeasurementViewSet
from coverage.middleware import replicas

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/?parent=64"


@pytest.fixture
def failing_replica(monkeypatch):
    asked = []
    monkeypatch.setattr(replicas, "replica_for", lambda versions, scope: asked.append(scope) or "replica-test")
    real = MeasurementViewSet.list

    def list_(self, request, *args, **kwargs):
        if replicas.reading_on() == "replica-test":
            raise OperationalError("terminating connection due to conflict with recovery")
        return real(self, request, *args, **kwargs)

    monkeypatch.setattr(MeasurementViewSet, "list", list_)
    yield asked
    replicas._unreachable_until.pop("replica-test", None)


def test_an_answer_the_replica_fails_is_given_by_the_primary(article, failing_replica):
    answer = Client(raise_request_exception=False).get(URL)  # the failed first try is logged, as in production

    assert answer.status_code == 200
    assert {row["region"] for row in answer.json()["results"]} >= {"64.71", "64.07"}
    assert failing_replica == [frozenset({"64"})]  # asked once, for the versions of what the answer reads
    assert replicas._unreachable_until["replica-test"] > 0  # and left alone for a while


def test_a_client_with_credentials_never_reads_from_a_replica(article, failing_replica, editor):
    assert editor.get(URL).status_code == 200
    assert failing_replica == []
