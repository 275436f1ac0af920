"""Cost per write: gunicorn on PostgreSQL (the article, every province and kabupaten/kota), written to through the
API as a provincial office does, one request at a time, then by several writers at once.

    .venv/bin/python bench/writes.py                 # 200 writes of each kind, 3 imports of 10,000 rows
    .venv/bin/python bench/writes.py --count 50      # a quick run

Prints, per kind of write, the median and p90 of the request's time as the client sees it (one writer: the cost of a
write), and for writers at once (each in its own province, then all in the same one) the writes per second and
their median. Exits non-zero on any answer that is not a success.
SYNTHETIC: every figure written is invented; the database (adminduk_writes by default) is dropped and made anew.
"""

import argparse
import csv
import io
import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import prepare  # noqa: E402

from tests.live import Gunicorn, request  # noqa: E402

INDICATOR = "kia-ownership"


class Writer:
    """One API client with the bench's key; every figure a (region, date) no other write of the run uses."""

    def __init__(self, port, key, source):
        self.port, self.key, self.source = port, key, source

    def send(self, method, path, body, content_type="application/json"):
        headers = {"Authorization": f"Api-Key {self.key}", "Content-Type": content_type}
        status, content, _, seconds = request(self.port, path, method=method, headers=headers, body=body, timeout=120)
        if status >= 300:
            sys.exit(f"{method} {path}: {status} {content[:300]!r}")
        return json.loads(content), seconds

    def create(self, code, as_of, status):
        body = {"region": code, "indicator": INDICATOR, "as_of": as_of, "value": 61.25, "source": self.source}
        return self.send("POST", "/api/v1/measurements/", json.dumps({**body, "status": status}))

    def patch(self, figure_id, value):
        return self.send("PATCH", f"/api/v1/measurements/{figure_id}/", json.dumps({"value": value}))

    def import_rows(self, rows):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="figures.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n{out.getvalue()}\r\n--{boundary}--\r\n"
        ).encode()
        return self.send("POST", "/api/v1/measurements/import/", body, f"multipart/form-data; boundary={boundary}")


def dates(start_year):
    """Month-ends from January of ``start_year`` on, as YYYY-MM-DD."""
    year, month = start_year, 1
    while True:
        yield f"{year}-{month:02d}-28"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def summary(label, seconds):
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(f"| {label} | {len(ms):,} | {statistics.median(ms):.1f} ms | {p90:.1f} ms |", flush=True)


def together(writers, jobs):
    """Each writer publishes its (code, date) figures in a thread of its own, all started together: (writes per
    second, median ms)."""
    timings, barrier = [], threading.Barrier(len(writers))

    def run(writer, work):
        barrier.wait()
        for code, as_of in work:
            timings.append(writer.create(code, as_of, "published")[1])

    threads = [threading.Thread(target=run, args=pair) for pair in zip(writers, jobs, strict=True)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return len(timings) / elapsed, statistics.median(timings) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="writes of each kind (default 200)")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows per import (default 10,000)")
    parser.add_argument("--writers", type=int, default=4, help="writers at once, and gunicorn workers (default 4)")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="adminduk_writes", help="database to (re)create")
    args = parser.parse_args()

    _url, key, source, codes, _ = prepare(args.server, args.database)
    source = int(source)
    unlimited = {"THROTTLE_ANON_RATE": "", "THROTTLE_CLIENT_RATE": "", "THROTTLE_WRITE_RATE": ""}
    with Gunicorn(_url, workers=args.writers, LOG_LEVEL="ERROR", **unlimited) as server:
        one = Writer(server.port, key, source)
        print("| write (one writer) | writes | median | p90 |\n|---|---:|---:|---:|")
        for status, start in (("draft", 1950), ("published", 1970)):
            days = dates(start)
            created = [one.create(codes[i % len(codes)], next(days), status) for i in range(args.count)]
            summary(f"API create, {status}", [seconds for _, seconds in created])
        figure_ids = [answer["id"] for answer, _ in created]  # the published ones
        summary("API PATCH of a published figure", [one.patch(pk, 70.5)[1] for pk in figure_ids])
        imports = []
        for run, start in enumerate((1987, 1990, 1993)):  # ~21 months of 488 codes each
            days = dates(start)
            rows = []
            while len(rows) < args.import_rows:
                as_of = next(days)
                rows += [
                    {
                        "region": c,
                        "indicator": INDICATOR,
                        "as_of": as_of,
                        "value": "55.5",
                        "source": source,
                        "status": "published",
                    }
                    for c in codes
                ]
            answer, seconds = one.import_rows(rows[: args.import_rows])
            assert answer["created"] == args.import_rows, answer
            imports.append(seconds)
            print(f"  import {run + 1}: {seconds:.2f} s", file=sys.stderr, flush=True)
        summary(f"API import of {args.import_rows:,} published rows", imports)

        # Writers at once, publishing: each in a province of its own, then all in the same province.
        provinces = sorted({c[:2] for c in codes})
        print(f"\n| {args.writers} writers at once, publishing | writes/s | median |\n|---|---:|---:|")
        for label, pick, start in (
            ("each in its own province", lambda w: [c for c in codes if c[:2] == provinces[w]], 2000),
            # Aceh's 23 kabupaten/kota shared out: no two writers write the same figure.
            (
                "all in the same province",
                lambda w: [c for c in codes if c[:2] == provinces[0]][w :: args.writers],
                2005,
            ),
        ):
            jobs = []
            for w in range(args.writers):
                mine, days = pick(w), dates(start)
                jobs.append([(mine[i % len(mine)], next(days)) for i in range(args.count // args.writers)])
            writers = [Writer(server.port, key, source) for _ in range(args.writers)]
            rate, median = together(writers, jobs)
            print(f"| {label} | {rate:,.0f} | {median:.1f} ms |", flush=True)


if __name__ == "__main__":
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    main()
