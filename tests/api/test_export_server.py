"""The streamed full export against a real gunicorn worker on PostgreSQL: a client that leaves halfway must not
leave the worker's database connection (kept between requests, CONN_MAX_AGE) in the middle of a COPY."""

import datetime
import http.client
import socket
import struct

import pytest
from django.db import connection

from coverage import imports
from coverage.figures.access import Actor
from coverage.models import Indicator, Region, Source

from ..factories import UserFactory
from ..live import Gunicorn, served_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the export streams COPY on PostgreSQL"),
]

URL = "/api/v1/measurements/?format=csv&page_size=all"


@pytest.fixture
def worker():
    """gunicorn, one sync worker (so that every request meets the same database connection), kept connections."""
    with Gunicorn(
        served_database_url(), workers=1, CONN_MAX_AGE="600", RESPONSE_CACHE="false", THROTTLE_ANON_RATE=""
    ) as live:
        yield live.port


def export(port):
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    client.request("GET", URL)
    response = client.getresponse()
    assert response.status == 200
    return response.read()


def test_a_client_that_leaves_halfway_does_not_break_the_next_export(worker):
    """Synthetic figures, more than the sockets buffer (~7 MB), so the export is still streaming when the client
    leaves: gunicorn closes the response, the COPY is cancelled, the kept connection serves the next export."""
    loader = UserFactory(username="loader")
    loader.is_superuser = True
    loader.save()
    Region.objects.create(code="64", name="Kalimantan Timur", level=1, kind="province")
    codes = ["64"] + [
        Region.objects.create(code=f"64.0{i}", name=f"Kabupaten {i}", level=2, kind="regency", parent_id="64").code
        for i in range(1, 10)
    ]
    Indicator.objects.create(code="kia-ownership", name="KIA", name_en="KIA", population="anak")
    source = Source.objects.create(title="Synthetic (tests only)", publisher="tests", published_on="2024-07-01")
    first = datetime.date(1950, 1, 1)
    rows = [
        (
            line,
            {
                "region": code,
                "indicator": "kia-ownership",
                "as_of": str(first + datetime.timedelta(days=day)),
                "value": f"{day % 100}.5",
            },
        )
        for line, (code, day) in enumerate(((code, day) for code in codes for day in range(3000)), start=2)
    ]
    assert (
        imports.import_measurements(rows, actor=Actor(loader), dry_run=False, default_source=source.pk).created
        == 30_000
    )
    complete = export(worker)
    assert complete.count(b"\r\n") == 30_001

    for _ in range(3):
        with socket.create_connection(("127.0.0.1", worker)) as sock:
            sock.sendall(f"GET {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # leave with a reset

        assert export(worker) == complete
