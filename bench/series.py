"""The synthetic series the benchmarks import: real Kemendagri codes (fixtures/wilayah), invented values, monthly
month-ends up to last month, never dated before a code began (fixtures/lineage).

SYNTHETIC DATA: every value here is made up; it goes only into benchmark databases.
"""

import csv
import datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
INDICATORS = ["ktp-el-recording", "ktp-el-recording-first-voters", "kia-ownership", "ikd-activation"]


def region_codes(level):
    files = ["provinces.csv", "regencies.csv", "districts.csv"][:level]
    codes = []
    for name in files:
        with (PROJECT / "fixtures" / "wilayah" / name).open(encoding="utf-8", newline="") as handle:
            codes += [row["code"] for row in csv.DictReader(handle)]
    return sorted(codes)


def made_on():
    """The day each code made by a change (fixtures/lineage) began, by prefix: 93.01.01 began with 93.01."""
    with (PROJECT / "fixtures" / "lineage" / "region_changes.csv").open(encoding="utf-8", newline="") as handle:
        return {row["new_code"]: row["effective"] for row in csv.DictReader(handle)}


def existing_on(codes, first_month):
    """The codes that named their regions from ``first_month`` on: a figure is never dated before its code began
    (the service refuses it: not_yet_valid)."""
    began = made_on()

    def start(code):
        return max((day for new, day in began.items() if code == new or code.startswith(f"{new}.")), default="")

    return [code for code in codes if start(code) <= first_month]


def month_ends(count):
    """``count`` month-ends, the last one that of the month before the current one."""
    today = datetime.date.today()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    ends = [last]
    while len(ends) < count:
        ends.append(ends[-1].replace(day=1) - datetime.timedelta(days=1))
    return [d.isoformat() for d in reversed(ends)]


def series_codes(codes, total):
    """The codes of a synthetic series of ``total`` rows: those that already named their regions in its first month
    (the series reaches back a month per len(codes) × 4 rows; the 2022 provinces' codes begin in 2022)."""
    usable = codes
    while True:
        first = month_ends(-(-total // (len(usable) * len(INDICATORS))))[0]
        narrowed = existing_on(codes, first)
        if narrowed == usable:
            return usable
        usable = narrowed


def synthetic_rows(codes, total, *, start=0, stop=None, shift=0):
    """Rows ``start``..``stop`` of a synthetic series of ``total`` rows: (as_of, indicator, region) order, as a
    monthly ingest writes them, the last month the one before this. Values are a deterministic hash of the
    position (0.00–99.99); ``shift`` changes every one."""
    per_month = len(codes) * len(INDICATORS)
    months = month_ends(-(-total // per_month))
    assert existing_on(codes, months[0]) == codes, "a code dated before it began: use series_codes()"
    for index in range(start, total if stop is None else stop):
        month, rest = divmod(index, per_month)
        indicator, region = divmod(rest, len(codes))
        value = ((index * 2654435761 + shift * 40503) % 10000) / 100
        yield (codes[region], INDICATORS[indicator], months[month], f"{value:.2f}")


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["region", "indicator", "as_of", "value"])
        writer.writerows(rows)
