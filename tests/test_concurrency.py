"""No lost updates, proven against a real gunicorn serving the test database on PostgreSQL.

Writers PATCH different fields of the same figure at the same moment (a barrier releases them together).
Every write must either survive in the final row or be refused with an error; none may vanish silently.
"""

import http.client
import json
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from coverage.models import Indicator, Measurement, Region, Source

from .factories import UserFactory
from .live import Gunicorn, served_database_url

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL, as deployed"),
]


@pytest.fixture
def server():
    """gunicorn, 3 workers × 4 threads, on the test database."""
    # No write throttle: the races send more writes per minute than an editor ever would.
    with Gunicorn(
        served_database_url(), workers=3, threads=4, CONN_MAX_AGE="0", THROTTLE_WRITE_RATE="", THROTTLE_CLIENT_RATE=""
    ) as live:
        yield live.port


def patch(port, token, figure_id, body, if_match=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    if if_match:
        headers["If-Match"] = if_match
    conn.request("PATCH", f"/api/v1/measurements/{figure_id}/", body=json.dumps(body), headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def race(port, token, figure_id, bodies, if_match=None):
    barrier = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)

    def writer(index):
        barrier.wait()
        statuses[index] = patch(port, token, figure_id, bodies[index], if_match)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def setup():
    call_command("loaddata", "article", verbosity=0)
    user = UserFactory(username="racer")
    user.is_superuser = True
    user.save()
    other = Source.objects.create(title="Synthetic (race test only)", publisher="tests", published_on="2024-07-01")
    return user.auth_token.key, Source.objects.get(title__startswith="Capaian"), other


ROUNDS = 25


def test_racing_patches_of_different_fields_all_survive_or_are_refused(server, setup, capsys):
    token, source, other = setup
    kia = Indicator.objects.get(code="kia-ownership")
    attempts = survivors = refusals = lost = 0
    for round_ in range(ROUNDS):
        figure = Measurement.objects.create(
            region=Region.objects.get(code="64.72"),
            indicator=kia,
            as_of=f"2023-{1 + round_ % 12:02d}-{1 + round_ // 12:02d}",
            value="10.00",
            source=source,
        )
        bodies = [
            {"value": 55.5},
            {"source": other.pk},
            {"status": "verified"},
            {"denominator": 1000},
        ]
        statuses = race(server, token, figure.pk, bodies)
        figure.refresh_from_db()
        survived = [
            str(figure.value) == "55.50",
            figure.source_id == other.pk,
            figure.status == "verified",
            figure.denominator == 1000,
        ]
        for status, kept in zip(statuses, survived, strict=True):
            attempts += 1
            if status == 200 and kept:
                survivors += 1
            elif status != 200 and not kept:
                refusals += 1
            else:
                lost += 1
        assert figure.version == 1 + statuses.count(200)

    print(f"\nrace without If-Match: {attempts} attempts, {survivors} survived, {refusals} refused, {lost} lost")
    assert lost == 0
    assert survivors + refusals == attempts == ROUNDS * 4


def test_racing_patches_with_the_same_if_match_let_exactly_one_through(server, setup):
    token, source, _other = setup
    figure = Measurement.objects.create(
        region=Region.objects.get(code="64.72"),
        indicator=Indicator.objects.get(code="kia-ownership"),
        as_of="2023-06-30",
        value="10.00",
        source=source,
    )
    bodies = [{"value": 20 + i} for i in range(8)]

    statuses = race(server, token, figure.pk, bodies, if_match='"1"')

    figure.refresh_from_db()
    assert sorted(statuses) == [200] + [412] * 7
    winner = statuses.index(200)
    assert (figure.value, figure.version) == (20 + winner, 2)
    print("\nrace with If-Match: 8 attempts, 1 survived, 7 refused (412), 0 lost")
