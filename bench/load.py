"""Load test: gunicorn on PostgreSQL, with the article's data and every province and kabupaten/kota, under
mixed anonymous reads and keyed writes from wrk for a few minutes.

    .venv/bin/python bench/load.py                      # 5 minutes (docs/performance.md: runs of --duration 60)
    .venv/bin/python bench/load.py --duration 30        # a quick run
    .venv/bin/python bench/load.py --write-share 0.01 --status published --province 64
                                 # reads about one province while the others publish

Without --province, reads are the questions dashboards ask of the country and of Kalimantan Timur, and writes go
anywhere; with it, reads ask about that province only (its own answers: coverage.api.scope) and writes go to the
other provinces. Writes are drafts unless --status published.

Prints requests/s, latency percentiles and every non-2xx answer, and checks that no figure was lost: every
201 wrk received is a figure more in the database. Exits non-zero on any 5xx, socket error or lost figure.
SYNTHETIC: the figures the load writes are invented; the database (adminduk_load by default) is dropped and
made anew on every run and is for load tests only.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import Gunicorn, manage  # noqa: E402


def prepare(server, database):
    """A new database (dropped first) with the article, every province and kabupaten/kota, and a superuser's
    read-write key: (url, key, source id, codes writes may use, figures stored)."""
    url = f"{server}/{database}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')
    started = time.monotonic()
    manage("migrate", "--noinput", database_url=url)
    manage("loaddata", "article", database_url=url)
    manage("load_regions", "--level", "2", database_url=url)
    script = (
        "from django.contrib.auth.models import User; from coverage.models import Source; "
        "User.objects.create_superuser('load-writer', None, None); print(Source.objects.get().pk)"
    )
    source = manage("shell", "--no-imports", "-c", script, database_url=url).stdout.strip()
    created = manage(
        "api_key", "create", "--name", "load test", "--user", "load-writer", "--scope", "read-write", database_url=url
    ).stdout
    key = re.search(r"^\S{8}\.\S{32}$", created, re.M).group(0)
    print(f"database ready in {time.monotonic() - started:.0f} s: article + 38 provinces and 514 kabupaten/kota")

    with psycopg.connect(url) as conn:
        # Writes are dated from 1990 on (load.lua): only the regions whose codes named them all along, never a
        # retired code nor one made in 2022 (the service refuses such figures: retired_region, not_yet_valid).
        codes = [
            row[0]
            for row in conn.execute(
                "SELECT code FROM coverage_region WHERE level = 2 AND valid_from IS NULL AND valid_until IS NULL"
                " ORDER BY code"
            )
        ]
        before = conn.execute("SELECT count(*) FROM coverage_measurement").fetchone()[0]
    return url, key, source, codes, before


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--write-share", type=float, default=0.1, help="share of writes (default 0.1)")
    parser.add_argument(
        "--status", choices=["draft", "published"], default="draft", help="status of the written figures (draft)"
    )
    parser.add_argument(
        "--province",
        help="two-digit code: reads ask about this province only, writes go to the others (default: reads of the "
        "whole country and of Kalimantan Timur, writes anywhere)",
    )
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="adminduk_load", help="database to (re)create (default adminduk_load)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian: apt-get install wrk)")

    url, key, source, codes, before = prepare(args.server, args.database)
    if args.province:
        # Reads ask about one province; writes go to the others.
        codes = [code for code in codes if not code.startswith(f"{args.province}.")]
    codes_file = Path(tempfile.mkstemp(suffix=".txt")[1])
    codes_file.write_text("\n".join(codes) + "\n")

    # One client address and one key send everything: the rate limits would measure themselves, so they are
    # off; request logging is off too (it is one JSON line per request on stderr).
    unlimited = {"THROTTLE_ANON_RATE": "", "THROTTLE_CLIENT_RATE": "", "THROTTLE_WRITE_RATE": ""}
    with Gunicorn(url, workers=args.workers, LOG_LEVEL="ERROR", **unlimited) as server:
        print(
            f"wrk: {args.duration} s, {args.connections} connections, {args.threads} threads, "
            f"{args.write_share:.0%} writes ({args.status}); reads about "
            f"{'province ' + args.province if args.province else 'the country and Kalimantan Timur'}; "
            f"gunicorn: {args.workers} sync workers"
        )
        result = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "bench" / "load.lua"),
                f"http://127.0.0.1:{server.port}",
                "--",
                key,
                str(codes_file),
                str(args.write_share),
                str(args.threads),
                source,
                args.status,
                args.province or "",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    codes_file.unlink()
    stats = json.loads(result.stdout.split("LOADRESULT ", 1)[1])
    with psycopg.connect(url) as conn:
        after = conn.execute("SELECT count(*) FROM coverage_measurement").fetchone()[0]
    # A write in flight when wrk stops is stored but its 201 is never counted: such figures may exceed the 201s
    # (at most one per connection); a figure missing for a 201 received is lost.
    stored = after - before
    lost = max(0, stats["created"] - stored)
    unacknowledged = stored - stats["created"] if stored > stats["created"] else 0
    rate = stats["requests"] / stats["seconds"]
    print(
        f"{stats['requests']:,} requests in {stats['seconds']:.0f} s: {rate:,.0f} req/s; "
        f"latency p50 {stats['p50_ms']:.1f} ms, p90 {stats['p90_ms']:.1f} ms, p99 {stats['p99_ms']:.1f} ms, "
        f"max {stats['max_ms']:.0f} ms\n"
        f"reads 200: {stats['reads_ok']:,}; writes 201: {stats['created']:,}; 4xx: {stats['client_errors']}; "
        f"5xx: {stats['server_errors']}; other: {stats['others']}; socket errors: {stats['socket_errors']}\n"
        f"figures before {before:,}, after {after:,}, 201s received {stats['created']:,}: lost {lost} "
        f"(stored without a counted 201, in flight when wrk stopped: {unacknowledged})"
    )
    failed = stats["server_errors"] or stats["socket_errors"] or stats["others"] or stats["client_errors"]
    if failed or lost or unacknowledged > args.connections:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    main()
