"""What code_system=bps and lineage=true cost: the same questions asked with and without them, in-process (Django's
test client, no HTTP server, the response cache off), on a national data set.

SYNTHETIC DATA: every figure is generated here (bench/import_export.py's series: real Kemendagri codes, made-up
values), plus two years of figures under the 26 codes the 2022 Papua splits retired, so that lineage=true has
something to follow. Use a scratch database:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/adminduk_codes .venv/bin/python bench/code_systems.py

Prints one line per pair of requests: the median of ``--runs`` timings of each, and the ratio.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_export as bench  # the database set-up and the import command
import series  # the synthetic series

PAIRS = [
    ("one kabupaten", "/api/v1/measurements/?region=64.07", "/api/v1/measurements/?region=6402&code_system=bps"),
    (
        "a province's kabupaten/kota, latest",
        "/api/v1/measurements/?parent=64&latest=true&page_size=1000",
        "/api/v1/measurements/?parent=64&latest=true&page_size=1000&code_system=bps",
    ),
    (
        "ten kabupaten, one indicator",
        "/api/v1/measurements/?region=64.01,64.02,64.03,64.07,64.08,64.09,64.11,64.71,64.72,64.74&indicator=kia-ownership",
        "/api/v1/measurements/?region=6401,6403,6409,6402,6404,6405,6411,6471,6472,6474&indicator=kia-ownership"
        "&code_system=bps",
    ),
    (
        "ranking of a province's children",
        "/api/v1/indicators/kia-ownership/ranking/?parent=64",
        "/api/v1/indicators/kia-ownership/ranking/?parent=64&code_system=bps",
    ),
    (
        "Merauke's series",
        "/api/v1/measurements/?region=93.01&indicator=kia-ownership&page_size=1000",
        "/api/v1/measurements/?region=93.01&indicator=kia-ownership&page_size=1000&lineage=true",
    ),
    (
        "Papua Selatan's series, latest",
        "/api/v1/measurements/?within=93&latest=true&page_size=1000",
        "/api/v1/measurements/?within=93&latest=true&page_size=1000&lineage=true",
    ),
    (
        "the 2022 provinces' kabupaten/kota",
        "/api/v1/measurements/?parent=93,94,95,96&indicator=kia-ownership&page_size=1000",
        "/api/v1/measurements/?parent=93,94,95,96&indicator=kia-ownership&page_size=1000&lineage=true",
    ),
]
RETIRED = [
    "91.01", "91.16", "91.17", "91.18", "91.04", "91.07", "91.08", "91.09", "91.25", "91.26", "91.27", "91.28", "91.02",
    "91.12", "91.13", "91.14", "91.21", "91.22", "91.23", "91.24", "92.01", "92.04", "92.05", "92.09", "92.10", "92.71",
]  # fmt: skip


def retired_rows():
    """Two years of monthly figures (mid-2020 to mid-2022) under the codes the splits retired, before they were."""
    months = [
        (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).isoformat()
        for year in (2020, 2021, 2022)
        for month in range(1, 13)
        if (2020, 7) <= (year, month) <= (2022, 6)
    ]
    for index, (code, indicator, month) in enumerate(
        (c, i, m) for m in months for i in series.INDICATORS for c in RETIRED
    ):
        yield code, indicator, month, f"{(index * 37) % 10000 / 100:.2f}"


def timed(client, paths, runs):
    """Median milliseconds of each of ``paths``, asked in turn ``runs`` times (so that drift hits both alike), and
    the last response of each."""
    timings, responses = [[] for _ in paths], [None] * len(paths)
    for _ in range(runs):
        for index, path in enumerate(paths):
            start = time.perf_counter()
            responses[index] = client.get(path, HTTP_HOST="127.0.0.1")
            timings[index].append((time.perf_counter() - start) * 1000)
            assert responses[index].status_code == 200, (path, responses[index].status_code, responses[index].content)
    return [statistics.median(t) for t in timings], responses


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic figures of today's regions")
    parser.add_argument("--runs", type=int, default=50, help="timings per request (the median is shown)")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL to a scratch database (it is filled with synthetic figures)")

    if not args.reuse:
        bench.recreate(url)
        source = bench.setup(2)
        codes = series.series_codes(series.region_codes(2), args.rows)
        work = Path(tempfile.mkdtemp(prefix="adminduk-codes-"))
        for name, rows in (
            ("series.csv", series.synthetic_rows(codes, args.rows)),
            ("retired.csv", retired_rows()),
        ):
            series.write_csv(work / name, rows)
            seconds, _, output = bench.timed_import(work / name, source)
            print(f"imported {name} in {seconds:.1f} s: {output}", flush=True)

    # The computed answers, not the response cache; no rate limits (one client asks everything).
    unlimited = {"THROTTLE_ANON_RATE": "", "THROTTLE_CLIENT_RATE": "", "THROTTLE_WRITE_RATE": ""}
    os.environ.update(bench.ENV, **unlimited, RESPONSE_CACHE="false", DJANGO_SETTINGS_MODULE="adminduk.settings")
    import django

    django.setup()
    from django.test import Client

    from coverage.models import Measurement

    client = Client()
    print(f"{Measurement.objects.count():,} figures; median of {args.runs} runs each, in-process, no response cache")
    print("| question | without | with | ratio | rows |\n| --- | ---: | ---: | ---: | ---: |")
    for label, plain, coded in PAIRS:
        timed(client, (plain, coded), 3)  # warm: code memos, query plans
        (without, with_it), (_first, second) = timed(client, (plain, coded), args.runs)
        rows = second.json().get("count", len(second.json().get("results", [])))
        print(f"| {label} | {without:.1f} ms | {with_it:.1f} ms | {with_it / without:.2f}× | {rows} |", flush=True)


if __name__ == "__main__":
    main()
