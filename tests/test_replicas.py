"""Anonymous answers from a real PostgreSQL streaming replica, never from older data than their version says
(coverage.middleware.replicas): a private primary and a replica made from it (initdb, pg_basebackup -R, pg_ctl),
gunicorn serving both.

- Anonymous answers are computed on the replica; a client with credentials, and every write, on the primary.
- A replica held behind (pg_wal_replay_pause) is passed over: the answer after a write shows it at once.
- A replica stopped mid-test is skipped without an error, and used again once it is back.
Which database answered is read from the service's own log line of each request (its "replica" field).
"""

import json
import re
import time
import uuid

import psycopg
import pytest
from django.db import connection

from .live import Gunicorn, PrivatePostgres, manage, postgres_bin, request

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="replicas are PostgreSQL's"),
    pytest.mark.skipif(postgres_bin() is None, reason="needs PostgreSQL's server binaries (initdb, pg_basebackup)"),
]

KALTIM = "/api/v1/measurements/?indicator=kia-ownership&parent=64"


def database_url(cluster):
    return f"postgresql://postgres@127.0.0.1:{cluster.port}/adminduk"


class Service:
    """gunicorn on the primary with the replica, its key, and which database answered each request."""

    def __init__(self, server, key, source, primary, replica):
        self.server, self.key, self.source, self.primary, self.replica = server, key, source, primary, replica

    def get(self, path, *, key=False):
        """(status, JSON body, the replica that answered or None, seconds)."""
        request_id = uuid.uuid4().hex
        headers = {"X-Request-ID": request_id, **({"Authorization": f"Api-Key {self.key}"} if key else {})}
        status, body, _, seconds = request(self.server.port, path, headers=headers)
        return status, json.loads(body), self.answered_by(request_id), seconds

    def publish(self, code, as_of):
        body = {"region": code, "indicator": "kia-ownership", "as_of": as_of, "value": 66.6, "source": self.source}
        headers = {"Authorization": f"Api-Key {self.key}", "Content-Type": "application/json"}
        status, content, _, _ = request(
            self.server.port,
            "/api/v1/measurements/",
            method="POST",
            headers=headers,
            body=json.dumps({**body, "status": "published"}),
        )
        assert status == 201, content

    def answered_by(self, request_id):
        for _ in range(50):  # the worker writes its line as it answers
            for line in self.server.output().splitlines():
                if request_id in line and line.startswith("{") and '"adminduk.request"' in line:
                    return json.loads(line)["replica"]
            time.sleep(0.05)
        raise AssertionError(f"no log line for request {request_id}")

    def on_replica(self, sql):
        with psycopg.connect(database_url(self.replica), autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    def wait_for_replica(self):
        with psycopg.connect(database_url(self.primary), autocommit=True) as conn:
            wanted = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + 20
        while self.on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{wanted}'::pg_lsn")[0][0] is not True:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def service():
    primary = PrivatePostgres().init()
    replica = PrivatePostgres()
    try:
        primary.start()
        url = database_url(primary)
        with psycopg.connect(primary.url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE adminduk")
        manage("migrate", "--noinput", database_url=url)
        manage("loaddata", "article", database_url=url)
        script = (
            "from django.contrib.auth.models import User; from coverage.models import Source; "
            "User.objects.create_superuser('writer', None, None); print(Source.objects.get().pk)"
        )
        source = int(manage("shell", "--no-imports", "-c", script, database_url=url).stdout)
        created = manage(
            "api_key", "create", "--name", "t", "--user", "writer", "--scope", "read-write", database_url=url
        ).stdout
        key = re.search(r"^\S{8}\.\S{32}$", created, re.M).group(0)
        replica.replica_of(primary).start()
        replica_url = database_url(replica)
        with Gunicorn(
            url,
            workers=2,
            DATABASE_REPLICA_URLS=replica_url,
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            REPLICA_RETRY_SECONDS="2",
            THROTTLE_ANON_RATE="",
            THROTTLE_CLIENT_RATE="",
            THROTTLE_WRITE_RATE="",
        ) as server:
            live = Service(server, key, source, primary, replica)
            live.wait_for_replica()
            yield live
    finally:
        replica.destroy()
        primary.destroy()


def test_anonymous_answers_are_computed_on_the_replica_and_clients_with_credentials_on_the_primary(service):
    status, body, answered_by, _ = service.get(KALTIM)
    assert status == 200 and answered_by == "replica1"
    assert {r["region"] for r in body["results"]} >= {"64.71", "64.07"}

    status, keyed, answered_by, _ = service.get(KALTIM, key=True)
    assert status == 200 and answered_by is None
    assert keyed["results"] == body["results"]


def test_a_replica_held_behind_is_passed_over_and_the_new_figure_shown_at_once(service):
    service.on_replica("SELECT pg_wal_replay_pause()")
    try:
        service.publish("64.72", "2025-01-31")
        status, body, answered_by, _ = service.get(KALTIM + "&as_of_from=2025-01-01")
        assert status == 200 and answered_by is None  # the replica has not replayed the new version
        assert [(r["region"], r["as_of"]) for r in body["results"]] == [("64.72", "2025-01-31")]
    finally:
        service.on_replica("SELECT pg_wal_replay_resume()")
    service.wait_for_replica()

    status, body, answered_by, _ = service.get(KALTIM + "&as_of_from=2025-01-01&ordering=-value")
    assert status == 200 and answered_by == "replica1"
    assert [(r["region"], r["as_of"]) for r in body["results"]] == [("64.72", "2025-01-31")]


def test_a_stopped_replica_is_skipped_without_an_error_and_used_again_when_back(service, capsys):
    assert service.get(KALTIM + "&ordering=value")[2] == "replica1"  # a kept connection to it, as in production
    service.replica.stop()
    answers = [service.get(f"{KALTIM}&page_size={size}") for size in range(10, 16)]
    assert [(status, answered_by) for status, _, answered_by, _ in answers] == [(200, None)] * 6
    slowest = max(seconds for *_, seconds in answers)

    service.replica.start()
    service.wait_for_replica()
    time.sleep(2.1)  # REPLICA_RETRY_SECONDS: then it is tried again
    back = [service.get(f"{KALTIM}&page_size={size}")[2] for size in range(20, 26)]
    assert "replica1" in back
    with capsys.disabled():
        print(f"\nreplica stopped: every answer 200 from the primary, the slowest in {slowest * 1000:.0f} ms")
