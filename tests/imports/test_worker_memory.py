"""The worker, measured: gunicorn as deployed (one sync worker), on PostgreSQL, importing hostile files: the bomb
and an oversized spreadsheet cost it a few MB and seconds, and a request over the byte limit is answered before its
body is sent. Every figure is synthetic."""

import json
import os

import pytest
from django.core.management import call_command
from django.db import connection

from ..factories import UserFactory
from ..helpers import token_client
from ..live import Gunicorn, request, served_database_url
from .doors import URL
from .workbooks import spreadsheet_of

pytestmark = pytest.mark.django_db


def live(test):
    """A test against gunicorn serving the test database: on PostgreSQL (its data committed, for another process)."""
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="gunicorn serves the test database on PostgreSQL"
    )
    return skip(pytest.mark.django_db(transaction=True)(test))


def worker_memory(master: int) -> dict[str, int]:
    """VmHWM (peak) and VmRSS, in MB, of the one worker of a gunicorn master."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == master:
                with open(f"/proc/{pid}/status") as status:
                    fields = dict(line.split(":", 1) for line in status)
                return {name: int(fields[name].split()[0]) // 1024 for name in ("VmHWM", "VmRSS")}
        except (OSError, ValueError):
            continue
    raise AssertionError("no worker")


def multipart(content, name) -> tuple[bytes, str]:
    boundary = "adminduk-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def served(article):
    """gunicorn (one sync worker, as deployed) on the test database, and an editor's token."""
    call_command("load_regions", verbosity=0)
    user = UserFactory(username="live-editor", is_superuser=True)
    token_client(user)
    with Gunicorn(served_database_url(), workers=1, THROTTLE_WRITE_RATE="") as server:
        server.token = user.auth_token.key

        def post(content, name, timeout=60):
            body, content_type = multipart(content, name)
            headers = {"Authorization": f"Token {server.token}", "Content-Type": content_type}
            return request(
                server.port, URL + "?dry_run=true", method="POST", headers=headers, body=body, timeout=timeout
            )

        server.post = post
        warm_up = spreadsheet_of(20, source=article.pk)
        for _ in range(2):  # the first import loads what every import needs
            assert post(warm_up, "warm-up.xlsx")[0] == 200
        yield server


@live
def test_the_bomb_costs_the_worker_a_few_mb_where_it_cost_400_mb(served, bomb):
    before = worker_memory(served.process.pid)

    status, body, _, seconds = served.post(bomb, "bomb.xlsx")

    after = worker_memory(served.process.pid)
    print(f"\nbomb ({len(bomb):,} bytes, 400 MB unpacked): {status} in {seconds:.2f} s; worker {before} -> {after}")
    assert (status, json.loads(body)["errors"][0]["code"]) == (400, "xlsx_too_large")
    assert after["VmHWM"] - before["VmHWM"] < 20  # it grew by 400 MB (895 MB in the run) before


@live
def test_a_600000_row_spreadsheet_is_a_413_well_inside_the_workers_timeout(served):
    oversized = spreadsheet_of(600_000)
    before = worker_memory(served.process.pid)

    status, body, _, seconds = served.post(oversized, "oversized.xlsx")

    after = worker_memory(served.process.pid)
    print(f"\n600,000 rows ({len(oversized):,} bytes): {status} in {seconds:.2f} s; worker {before} -> {after}")
    assert (status, json.loads(body)["errors"][0]["code"]) == (413, "too_many_rows")
    assert after["VmHWM"] - before["VmHWM"] < 100  # the 50,001 rows read before the refusal


@live
def test_a_request_over_the_byte_limit_is_answered_before_its_body_is_sent(served):
    import http.client

    connection_ = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection_.putrequest("POST", URL)
    connection_.putheader("Authorization", f"Token {served.token}")
    connection_.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection_.putheader("Content-Length", str(60 * 1024 * 1024))
    connection_.endheaders(b"--x\r\n")  # 60 MB announced, 5 bytes sent: an answer now means the body was not awaited

    response = connection_.getresponse()

    assert response.status == 413
    assert json.loads(response.read())["errors"][0]["code"] == "request_too_large"
    connection_.close()
