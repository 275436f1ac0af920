#!/usr/bin/env python3
"""Benchmark of the two bulk paths: the import (``manage.py import_measurements``) and the full CSV export
(``/api/v1/measurements/?format=csv&page_size=all`` from gunicorn).

SYNTHETIC DATA: every figure this script writes is generated here (real Kemendagri region codes from
fixtures/wilayah, invented values), into a database of its own that it may drop and create again. Never point
it at a database that holds real figures.

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/adminduk_bench
    .venv/bin/python bench/import_export.py --recreate                       # import 100,000 rows, export them
    .venv/bin/python bench/import_export.py --recreate --export-rows 1000000 # then fill to 1M rows, export those
    .venv/bin/python bench/import_export.py --export-only                    # export what the database holds

Import: three timed runs of the whole command (a new process each, Django start-up included), on the same
synthetic file of ``--rows`` rows: into an empty table (all created), the same file again (all unchanged),
and the file with every value changed (all updated, each with its history row). After each run the database
is checked: row and history counts, one is_latest per series. On PostgreSQL, after the first run, the
database floor: the same rows and their historical rows written by bare SQL into empty twins of the two
tables (same indexes, checks and foreign keys), rolled back; no import of new figures can be much faster.
Export: gunicorn, one sync worker, one streamed request read to the end; rows/s and the worker's peak RSS
(VmHWM). The export's SHA-256 is printed, so two versions of the code can be shown to write the same bytes
from the same database.
"""

import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from series import INDICATORS, region_codes, series_codes, synthetic_rows, write_csv

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SOURCE_TITLE = "SYNTHETIC benchmark data (bench/import_export.py), not real figures"
USER = "bench-importer"
ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "IMPORT_MAX_ROWS": "10000000",
    "IMPORT_MAX_BYTES": "2000000000",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1 (with DEBUG off it would answer 301 to https)
}


def env():
    return {**os.environ, **ENV}


def manage(*args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=PROJECT, env=env(), check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else None


def shell(code):
    return manage("shell", "--no-imports", "-c", code, capture=True).strip()


def recreate(url):
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme.startswith("sqlite"):
        Path(parts.path).unlink(missing_ok=True)
        return
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup(level):
    manage("migrate", "-v0")
    manage("load_regions", "--level", str(level), "-v0")
    return int(
        shell(
            f"""
from django.contrib.auth.models import User
from coverage.models import Indicator, Source
for code in {INDICATORS!r}:
    Indicator.objects.get_or_create(code=code, defaults={{'name': code, 'name_en': code, 'population': 'synthetic'}})
source, _ = Source.objects.get_or_create(title={SOURCE_TITLE!r}, publisher='bench/import_export.py',
                                         published_on='2026-01-01')
User.objects.filter(username={USER!r}).exists() or User.objects.create_superuser({USER!r}, None, None)
print(source.pk)
"""
        )
    )


def timed_import(path, source):
    """Run the import command on ``path``: (seconds, its peak RSS in MB, its summary line)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, "manage.py", "import_measurements", str(path), "--source", str(source), "--user", USER],
            cwd=PROJECT,
            env=env(),
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if process.returncode:
            raise SystemExit(f"import failed:\n{out.read()}\n{err.read()[-3000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read().strip()


def check_database(expected_rows):
    """Counts that the history and is_latest guarantees imply, straight from the database."""
    facts = json.loads(
        shell(
            """
import json
from django.db.models import Count
from coverage.models import DataVersion, Door, Measurement
published = Measurement.objects.filter(status='published')
print(json.dumps({
    'rows': Measurement.objects.count(),
    'series': published.values('region_id', 'indicator_id').distinct().count(),
    'is_latest': Measurement.objects.filter(is_latest=True).count(),
    'history_import': Measurement.history.filter(history_door=Door.IMPORT).count(),
    'history_without_user': Measurement.history.filter(history_door=Door.IMPORT, history_user__isnull=True).count(),
    'figures_without_history': Measurement.objects.exclude(
        id__in=Measurement.history.values('id')).count(),
    'data_version': DataVersion.objects.get(pk=1).version,
}))
"""
        )
    )
    problems = []
    if facts["rows"] != expected_rows:
        problems.append(f"{facts['rows']} rows, expected {expected_rows}")
    if facts["is_latest"] != facts["series"]:
        problems.append(f"{facts['is_latest']} is_latest for {facts['series']} series")
    if facts["figures_without_history"] or facts["history_without_user"]:
        problems.append("figures without history, or history without user")
    return facts, problems


# The two tables an import of new figures writes, and which of their rows it wrote (the first run's).
FLOOR_ROWS = {
    "coverage_measurement": "ORDER BY id",
    "coverage_historicalmeasurement": "WHERE history_type = '+' ORDER BY history_id",
}


def database_floor(url, rows):
    """Seconds PostgreSQL alone takes to write ``rows`` figures just imported, and a historical row for each, into
    empty twins of the two tables (same columns, defaults, checks, indexes and foreign keys), foreign keys checked
    as at commit: the least any import of new figures can take with this schema on this machine. Rolled back."""
    import psycopg

    with psycopg.connect(url) as connection:
        timings = {}
        for table in FLOOR_ROWS:
            twin = f"floor_{table}"
            connection.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
            keys = connection.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            ).fetchall()
            for (definition,) in keys:
                connection.execute(f"ALTER TABLE {twin} ADD {definition}")
        try:
            with connection.transaction():  # a savepoint: without the right to, the floor is measured all the same
                connection.execute("CHECKPOINT")  # the imports' dirty pages written out first, not during the floor
        except psycopg.errors.InsufficientPrivilege:
            print("(no CHECKPOINT before the floor: the role is not a superuser and lacks pg_checkpoint)")
        steps = [
            (f"insert into {table}", f"INSERT INTO floor_{table} SELECT * FROM {table} {which} LIMIT {rows:d}")
            for table, which in FLOOR_ROWS.items()
        ]
        steps.append(("foreign keys", "SET CONSTRAINTS ALL IMMEDIATE"))  # the deferred checks of a commit
        for name, statement in steps:
            start = time.perf_counter()
            connection.execute(statement)
            timings[name] = time.perf_counter() - start
        timings["total"] = sum(timings.values())
        connection.rollback()
    return timings


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def vm_hwm_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def timed_export(path="/api/v1/measurements/?format=csv&page_size=all", save=None):
    """Start gunicorn (1 sync worker), stream ``path`` once: rows, bytes, seconds, the worker's peak RSS, SHA-256."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "-w",
            "1",
            "-k",
            "sync",
            "--timeout",
            "3600",
            "--no-control-socket",
            "-b",
            f"127.0.0.1:{port}",
            "adminduk.wsgi:application",
        ],
        cwd=PROJECT,
        env=env(),
    )
    try:
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
                connection.request("GET", "/api/v1/")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        worker = children(server.pid)[0]
        idle_rss = vm_hwm_mb(worker)
        digest, size, lines = hashlib.sha256(), 0, 0
        target = save.open("wb") if save else None
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        if response.status != 200:
            raise SystemExit(f"export answered {response.status}: {response.read()[:500]!r}")
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            if target:
                target.write(chunk)
        seconds = time.perf_counter() - start
        if target:
            target.close()
        return {
            "rows": lines - 1,
            "bytes": size,
            "seconds": seconds,
            "rows_per_s": (lines - 1) / seconds,
            "peak_rss_mb": vm_hwm_mb(worker),
            "idle_rss_mb": idle_rss,
            "sha256": digest.hexdigest(),
        }
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the timed import (default 100,000)")
    parser.add_argument(
        "--export-rows", type=int, default=0, help="fill the table to this many rows, then export (default: --rows)"
    )
    parser.add_argument("--level", type=int, choices=(2, 3), help="regions down to this level (default: as needed)")
    parser.add_argument("--recreate", action="store_true", help="drop and create the (scratch) database first")
    parser.add_argument("--export-only", action="store_true", help="no import: export what the database holds")
    parser.add_argument("--no-export", action="store_true", help="import only")
    parser.add_argument("--save-export", type=Path, help="also write the exported CSV here")
    parser.add_argument(
        "--export-path",
        default="/api/v1/measurements/?format=csv&page_size=all",
        help="what to export (default: every figure); e.g. q4 at district scale in one request: "
        "'/api/v1/measurements/?indicator=ktp-el-recording&level=3&latest=true&ordering=-value&format=csv"
        "&page_size=all'",
    )
    parser.add_argument("--keep-files", action="store_true", help="keep the generated CSV files (printed)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL to a scratch database (it is filled with synthetic figures)")
    results = {"database": urlsplit(url).scheme, "synthetic": True}

    if not args.export_only:
        total = max(args.rows, args.export_rows)
        level = args.level or (2 if total <= 552 * 4 * 94 else 3)
        if args.recreate:
            recreate(url)
        source = setup(level)
        codes = series_codes(region_codes(level), total)
        work = Path(tempfile.mkdtemp(prefix="adminduk-bench-"))
        created, changed = work / "created.csv", work / "changed.csv"
        write_csv(created, synthetic_rows(codes, total, stop=args.rows))
        write_csv(changed, synthetic_rows(codes, total, stop=args.rows, shift=1))
        runs = {}
        for name, path in (("create", created), ("unchanged", created), ("update", changed)):
            seconds, rss, output = timed_import(path, source)
            facts, problems = check_database(args.rows)
            runs[name] = {
                "rows": args.rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(args.rows / seconds),
                "peak_rss_mb": round(rss),
                "output": output,
                "checks": facts,
            }
            print(
                f"import {name:9} {args.rows:,} rows in {seconds:.2f} s: {args.rows / seconds:,.0f} rows/s, "
                f"peak RSS {rss:.0f} MB  [{output}]"
            )
            if problems:
                raise SystemExit(f"import {name}: " + "; ".join(problems))
            if name == "create" and results["database"].startswith("postgres"):
                floor = database_floor(url, args.rows)
                runs[name]["database_floor_s"] = {step: round(seconds, 3) for step, seconds in floor.items()}
                steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in floor.items() if step != "total")
                print(
                    f"database floor {args.rows:,} new figures and their history, bare SQL: {floor['total']:.2f} s "
                    f"({args.rows / floor['total']:,.0f} rows/s): {steps}"
                )
        results["import"] = runs
        if args.export_rows > args.rows:
            step = 1_000_000
            for start in range(args.rows, args.export_rows, step):
                fill = work / "fill.csv"
                write_csv(fill, synthetic_rows(codes, total, start=start, stop=min(start + step, args.export_rows)))
                seconds, _, output = timed_import(fill, source)
                print(f"fill rows {start:,}..{min(start + step, args.export_rows):,} in {seconds:.1f} s [{output}]")
            subprocess.run(
                [PYTHON, "manage.py", "dbshell", "--", "-c", "VACUUM ANALYZE"],
                cwd=PROJECT,
                env=env(),
                check=False,
                capture_output=True,
            )
        if args.keep_files:
            print(f"files kept in {work}")
        else:
            for path in work.iterdir():
                path.unlink()
            work.rmdir()

    if not args.no_export:
        export = timed_export(args.export_path, save=args.save_export)
        results["export"] = export
        print(
            f"export {export['rows']:,} rows ({export['bytes'] / 1e6:.0f} MB) in {export['seconds']:.2f} s: "
            f"{export['rows_per_s']:,.0f} rows/s, worker peak RSS {export['peak_rss_mb']:.0f} MB "
            f"(idle {export['idle_rss_mb']:.0f} MB), sha256 {export['sha256'][:16]}…"
        )
    print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
