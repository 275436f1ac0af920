"""Against real processes: gunicorn serving a private PostgreSQL cluster that the tests stop and start.

- A database outage is answered with a JSON 503 within seconds (never a 500, never a hang), /healthz stays up,
  /readyz says unavailable, and the service recovers by itself when PostgreSQL is back.
- Throttle counters are shared by every gunicorn worker.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from .live import Gunicorn, PrivatePostgres, manage, postgres_bin, request

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the service is deployed on PostgreSQL"),
    pytest.mark.skipif(postgres_bin() is None, reason="needs PostgreSQL's server binaries (initdb, pg_ctl)"),
]

FIGURES = "/api/v1/measurements/?indicator=kia-ownership&parent=64&ordering=-value"


@pytest.fixture(scope="module")
def postgres():
    cluster = PrivatePostgres().init()
    cluster.start()
    try:
        manage("migrate", "--noinput", database_url=cluster.url)
        manage("loaddata", "article", database_url=cluster.url)
        yield cluster
    finally:
        cluster.destroy()


def test_with_postgresql_stopped_the_api_answers_503_quickly_and_recovers_by_itself(postgres):
    # Persistent connections as in production: the ones broken by the outage must be replaced, not reused.
    with Gunicorn(postgres.url, workers=2, CONN_MAX_AGE="60") as server:
        status, body, _, _ = request(server.port, FIGURES)
        assert status == 200
        assert json.loads(body)["results"][0]["region"] == "64.71"
        assert request(server.port, "/readyz")[0] == 200

        postgres.stop()
        stopped = time.monotonic()
        during = []
        while time.monotonic() - stopped < 15:
            status, body, headers, took = request(server.port, FIGURES, timeout=10)
            during.append((status, took))
            if status == 503:
                break
            time.sleep(0.1)
        time_to_503 = time.monotonic() - stopped
        for _ in range(5):  # every request while it is down: 503 in JSON, quickly
            status, body, headers, took = request(server.port, FIGURES, timeout=10)
            during.append((status, took))
            assert status == 503
            assert json.loads(body)["errors"][0]["code"] == "database_unavailable"
            assert headers["Retry-After"] == "5"
        assert request(server.port, "/healthz")[0] == 200
        ready = request(server.port, "/readyz", timeout=15)
        assert ready[0] == 503 and json.loads(ready[1])["checks"]["Database"] != "ok"

        postgres.start()
        started = time.monotonic()
        while time.monotonic() - started < 30:
            status, body, _, took = request(server.port, FIGURES, timeout=10)
            if status == 200:
                break
            during.append((status, took))
            time.sleep(0.1)
        time_to_recover = time.monotonic() - started
        assert status == 200
        assert request(server.port, "/readyz")[0] == 200

    print(
        f"\noutage: first 503 {time_to_503:.2f} s after PostgreSQL stopped; slowest answer while down "
        f"{max(t for _, t in during):.2f} s; recovered {time_to_recover:.2f} s after it was back"
    )
    assert {status for status, _ in during} <= {200, 503}
    assert time_to_503 < 5
    assert max(took for _, took in during) < 5
    assert time_to_recover < 10


def test_the_throttle_holds_across_gunicorn_workers_even_for_simultaneous_requests(postgres):
    with Gunicorn(postgres.url, workers=3, THROTTLE_ANON_RATE="20/hour", RESPONSE_CACHE="false") as server:
        sequential = [request(server.port, f"{FIGURES}&page_size={10 + n % 5}")[0] for n in range(30)]
    # Per day, not per hour: a window of its own, not the one the first server filled.
    with Gunicorn(postgres.url, workers=3, THROTTLE_ANON_RATE="20/day", RESPONSE_CACHE="false") as server:

        def one(n):
            return request(server.port, f"{FIGURES}&page_size={10 + n % 5}")[0]

        with ThreadPoolExecutor(max_workers=9) as pool:  # 9 at a time over 3 workers
            concurrent = list(pool.map(one, range(45)))

    assert (sequential.count(200), sequential.count(429)) == (20, 10)
    assert (concurrent.count(200), concurrent.count(429)) == (20, 25)
