"""Write logic beyond CRUD."""

import csv
import datetime
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .cache import bump_data_version
from .history import current_api_key, current_door
from .models import (
    EARLIEST_DATE,
    INDICATOR_CODE_RE,
    PERCENT_MAX,
    REGION_CODE_PATTERNS,
    REGION_CODE_RE,
    Door,
    Indicator,
    Measurement,
    Region,
    Source,
    percentage,
)
from .scopes import NATIONAL, RegionScope

# Fields whose change makes a verified or published figure a new, unreviewed figure.
FIGURE_FIELDS = ("region", "indicator", "as_of", "value", "numerator", "denominator", "source")


LATEST_LOCK = 640_001  # advisory lock key of refresh_latest


def refresh_latest(series) -> None:
    """Recompute ``is_latest`` for these (region_id, indicator_id) series: two UPDATEs, whatever their number."""
    series = {pair for pair in series if None not in pair}
    if not series:
        return
    from .selectors import latest_measurements

    if len(series) > 200:
        scope = Measurement.objects.filter(
            region_id__any_of={r for r, _ in series}, indicator_id__any_of={i for _, i in series}
        )
    else:
        scope = Measurement.objects.filter(reduce(or_, (Q(region_id=r, indicator_id=i) for r, i in series)))
    if connection.vendor == "postgresql":
        # One recomputation at a time: two transactions publishing in the same series must not both crown
        # their own figure (SQLite serializes writers by itself).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LATEST_LOCK])
    winners = latest_measurements(scope.filter(status=Measurement.Status.PUBLISHED)).values("pk")
    scope.filter(is_latest=True).exclude(pk__in=winners).update(is_latest=False)
    scope.filter(pk__in=winners, is_latest=False).update(is_latest=True)


def check_may_delete(*, user, instance: Measurement) -> None:
    if instance.status != Measurement.Status.DRAFT and not user.has_perm("coverage.publish_measurement"):
        raise PermissionDenied(_("Only clients allowed to publish may delete a verified or published figure."))


def check_region_scope(scope, *, instance: Measurement | None = None, region: Region | None = None) -> None:
    """PermissionDenied unless the figure's current region and the region it is written to are in ``scope``
    (coverage.scopes): an operator can neither touch another region's figure nor move one into it."""
    for code in (instance.region.code if instance is not None else None, region.code if region else None):
        if code is not None and not scope.allows(code):
            raise PermissionDenied(
                _("Region %(code)s is outside the regions you may write (%(scope)s).") % {"code": code, "scope": scope},
                code="out_of_scope",
            )


def publication_changes(*, user, instance: Measurement | None, attrs: dict) -> dict:
    """The status fields a write implies, or PermissionDenied.

    Only a client with ``coverage.publish_measurement`` may make a figure verified or published (it is then
    recorded as verifier, with the time), or change one that already is: other clients write drafts, so a
    correction never goes public unreviewed and a public figure never changes under its readers unannounced.
    """
    publisher = user.has_perm("coverage.publish_measurement")
    current = instance.status if instance is not None else Measurement.Status.DRAFT
    wanted = attrs.get("status", current)
    if not publisher and (wanted != Measurement.Status.DRAFT or current != Measurement.Status.DRAFT):
        raise PermissionDenied(
            _("Only clients allowed to publish may write a verified or published figure; others write drafts.")
        )
    changed = instance is None or any(
        name in attrs and getattr(instance, name) != attrs[name] for name in FIGURE_FIELDS
    )
    if wanted != Measurement.Status.DRAFT and (wanted != current or changed):
        return {"status": wanted, "verified_by": user if user.is_authenticated else None, "verified_at": timezone.now()}
    return {}


# One file per level in the Kemendagri list (fixtures/wilayah, from cahyadsn/wilayah).
REGION_FILES = {1: "provinces.csv", 2: "regencies.csv", 3: "districts.csv", 4: "villages.csv"}
# Residents per province and kabupaten/kota: Dukcapil, Data Kependudukan Semester II 2024 (as of 31 Dec 2024),
# transcribed by cahyadsn/wilayah (see fixtures/wilayah/README.md for its caveats).
POPULATION_FILE = "population_dkb_2024_s2.csv"
POPULATION_AS_OF = datetime.date(2024, 12, 31)


class RegionListError(ValueError):
    """The region list on disk is not what it should be; nothing was written."""


@dataclass
class LevelReport:
    """What load_regions did at one level."""

    level: int
    in_list: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    obsolete: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    population_updated: int = 0


def read_region_list(directory: Path, *, max_level: int) -> list[tuple[str, str, int, str, str | None]]:
    """(code, name, level, kind, parent code) of levels 1..max_level from the CSV files, parents first."""
    regions = []
    for level in range(1, max_level + 1):
        path = Path(directory) / REGION_FILES[level]
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                kind = row["level"]
                code = row["code"]
                parent = row["parent_code"] or None
                if Region.LEVEL_OF_KIND.get(kind) != level or not re.match(REGION_CODE_PATTERNS[kind], code):
                    raise RegionListError(f"{path.name} line {line}: {code!r} is not a {kind!r} of level {level}")
                if (parent is None) != (level == 1) or (parent and code.rpartition(".")[0] != parent):
                    raise RegionListError(f"{path.name} line {line}: {code!r} cannot have parent {parent!r}")
                regions.append((code, row["name"].strip(), level, kind, parent))
    return regions


@transaction.atomic
def load_regions(*, directory: Path, max_level: int, prune: bool = False) -> list[LevelReport]:
    """Bring the regions of levels 1..max_level in line with the official list.

    New codes are created, changed names (and kinds) updated; nothing else is touched. A region no
    longer in the list is reported as obsolete, and deleted only with ``prune`` and only if no
    figure and no other region refers to it.
    """
    listed = read_region_list(directory, max_level=max_level)
    reports = {level: LevelReport(level) for level in range(1, max_level + 1)}
    existing = {
        row[1]: row
        for row in Region.objects.filter(level__lte=max_level).values_list(
            "id", "code", "name", "level", "kind", "parent"
        )
    }
    listed_codes = set()
    to_create, to_update = [], []
    for code, name, level, kind, parent in listed:
        report = reports[level]
        report.in_list += 1
        listed_codes.add(code)
        current = existing.get(code)
        if current is None:
            to_create.append(Region(code=code, name=name, level=level, kind=kind, parent_id=parent))
            report.created += 1
        elif current[2:] != (name, level, kind, parent):
            to_update.append((current[0], name, level, kind, parent))
            report.updated += 1
        else:
            report.unchanged += 1
    recorded = {"custom_historical_attrs": {"history_door": current_door()}}
    bulk_create_with_history(to_create, Region, batch_size=5000, **recorded)
    # Whole rows, so that their historical copies are whole too.
    updated = {r.pk: r for r in Region.objects.filter(pk__any_of=[pk for pk, *_ in to_update])}
    for pk, name, level, kind, parent in to_update:
        region = updated[pk]
        region.name, region.level, region.kind, region.parent_id = name, level, kind, parent
        region.version += 1
    bulk_update_with_history(
        list(updated.values()), Region, ["name", "kind", "level", "parent", "version"], batch_size=2000, **recorded
    )

    _load_population(directory, max_level=max_level, reports=reports)
    if to_create or to_update or any(r.population_updated for r in reports.values()):
        bump_data_version()

    obsolete = sorted((code for code in existing if code not in listed_codes), key=lambda c: (-c.count("."), c))
    for code in obsolete:
        reports[existing[code][3]].obsolete.append(code)
    if prune and obsolete:
        _prune(obsolete, reports)
    return list(reports.values())


def _load_population(directory, *, max_level, reports):
    path = Path(directory) / POPULATION_FILE
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        population = {row["code"]: int(row["total"]) for row in csv.DictReader(handle)}
    changed = []
    for region in Region.objects.filter(code__in=population, level__lte=max_level):
        if (region.population, region.population_as_of) != (population[region.code], POPULATION_AS_OF):
            region.population, region.population_as_of = population[region.code], POPULATION_AS_OF
            changed.append(region)
            reports[region.level].population_updated += 1
    for region in changed:
        region.version += 1
    bulk_update_with_history(
        changed,
        Region,
        ["population", "population_as_of", "version"],
        batch_size=2000,
        custom_historical_attrs={"history_door": current_door()},
    )


def _prune(obsolete, reports):
    # Deepest first, so that a kecamatan whose villages all go can go too.
    for code in obsolete:
        region = Region.objects.get(code=code)
        in_use = Region.objects.filter(pk=region.pk).filter(
            Exists(Measurement.objects.filter(region=OuterRef("pk")))
            | Exists(Region.objects.filter(parent=OuterRef("code")))
        )
        if in_use.exists():
            reports[region.level].kept.append(code)
        else:
            region.delete()
            reports[region.level].deleted.append(code)


# --- Bulk import of figures -------------------------------------------------------------------------------

# The API's own field names: a file exported with ?format=csv imports back unchanged.
IMPORT_COLUMNS = ("region", "indicator", "as_of", "value", "numerator", "denominator", "source", "status")
# Columns of an export that say nothing new about a figure, and are ignored on import.
EXPORT_ONLY_COLUMNS = ("id", "region_name", "verified_by", "verified_at", "version", "created_at", "updated_at")
MAX_COUNT = 2**63 - 1


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX/JSON, no header, wrong columns, too large)."""

    def __init__(self, message, *, code="invalid_file", status=400):
        super().__init__(message)
        self.code, self.status = code, status


@dataclass
class RowError:
    line: int
    column: str | None
    code: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # a sample of what was (or would be) written

    @property
    def rejected(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors


class Table(Sequence):
    """The rows of a CSV file as read: a header, and per row its line number and cells (as many as columns).

    Iterates as (line number, {column: text}) pairs like any other rows; the import reads it column by column."""

    def __init__(self, header, lines, cells):
        self.header, self.lines, self.cells = header, lines, cells

    def __len__(self):
        return len(self.lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        cells = zip(self.header, self.cells[index], strict=True)
        return self.lines[index], {name: cell for name, cell in cells if name}

    def column(self, name) -> list | None:
        """Every row's text in column ``name``, or None if the file has no such column."""
        if name not in self.header:
            return None
        index = self.header.index(name)
        return [cells[index] for cells in self.cells]


def read_table(content: bytes, *, filename: str = "", content_type: str = "") -> Sequence[tuple[int, dict]]:
    """(line number, row) pairs of a CSV, XLSX or JSON file; line numbers are those a person sees."""
    kind = _file_kind(filename, content_type, content)
    if kind == "json":
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ImportFileError(_("Not valid JSON: %(error)s") % {"error": str(exc)[:200]}) from None
        return rows_from_objects(data)
    if kind == "xlsx":
        return _xlsx_rows(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("A CSV file must be UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _check_header(next(reader, []))
        width, named = len(header), all(header)
        lines, rows = [], []
        for cells in reader:
            # The usual row (all its cells, the first one filled) as it is; any other one checked, and padded.
            if not (len(cells) == width and named and cells[0] and not cells[0].isspace()):
                if not any(cell.strip() for cell in cells):
                    continue
                _named_cells(header, cells, reader.line_num)
                cells = (cells + [""] * width)[:width]
            lines.append(reader.line_num)
            rows.append(cells)
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": str(exc)[:200]}
        ) from None
    return Table(header, lines, rows)


def rows_from_objects(data) -> list[tuple[int, dict]]:
    """Rows of a JSON array of objects; the "line" of a row is its position, from 1."""
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError(_("Expected a JSON array of objects, one per figure."))
    _check_header(sorted({key for item in data for key in item}))
    return [(index, {k: ("" if v is None else v) for k, v in item.items()}) for index, item in enumerate(data, start=1)]


def _file_kind(filename, content_type, content):
    name = filename.lower()
    if name.endswith(".xlsx") or "spreadsheetml" in content_type or content[:2] == b"PK":
        return "xlsx"
    if name.endswith(".json") or "json" in content_type or content.lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _named_cells(header, cells, line):
    """A row as {column: text}; a value in a column without a name (or beyond the header) is refused."""
    if any(str(cell).strip() for name, cell in zip(header, cells, strict=False) if not name) or any(
        str(cell).strip() for cell in cells[len(header) :]
    ):
        raise ImportFileError(
            _("Line %(line)s has a value in a column without a name.") % {"line": line}, code="unnamed_column"
        )
    return {name: cell for name, cell in zip(header, cells, strict=False) if name}


def _xlsx_rows(content):
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        cells = sheet.iter_rows()
        header = _check_header([str(c.value).strip() if c.value is not None else "" for c in next(cells, ())])
        rows = []
        for line, row in enumerate(cells, start=2):
            values = [_xlsx_cell(cell) for cell in row]
            if any(values):
                rows.append((line, _named_cells(header, values, line)))
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken file, even while reading its rows
        raise ImportFileError(_("Not a readable XLSX file: %(error)s") % {"error": str(exc)[:200]}) from None
    return rows


def _xlsx_cell(cell):
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and "%" in (getattr(cell, "number_format", "") or ""):
        # A cell shown as 50% holds 0.5: the figure meant is what is shown.
        return str((Decimal(str(value)) * 100).normalize())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_header(columns):
    """The header's column names, checked: known, none twice, the key columns present."""
    columns = [str(c).strip() for c in columns]
    named = [c for c in columns if c]
    unknown = [c for c in named if c not in IMPORT_COLUMNS and c not in EXPORT_ONLY_COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Unknown column(s): %(columns)s. Columns are the API's field names: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(IMPORT_COLUMNS)},
            code="unknown_column",
        )
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise ImportFileError(
            _("Column(s) named twice: %(columns)s.") % {"columns": ", ".join(twice)}, code="duplicate_column"
        )
    missing = [c for c in ("region", "indicator", "as_of") if c not in named]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}, code="missing_column"
        )
    return columns


class _RowChecker:
    """Validates the rows against the rules of Measurement, column by column, with every lookup done beforehand.

    Each distinct text of a column is checked once (a file of 100,000 figures holds a few hundred region codes,
    dates and sources, some thousand values), and every row with a bad cell is named, with its line and column.
    """

    def __init__(self, lines, columns, *, default_source, publisher, scope=NATIONAL):
        self.errors: list[RowError] = []
        self.lines, self.columns = lines, columns
        self.scope = scope
        self.default_source = default_source
        self.publisher = publisher
        self.today = timezone.localdate()
        # Only well-formed codes reach the database (a NUL byte would be a database error, not a bad row).
        codes = {code.strip() for code in set(columns["region"])}
        codes = {code for code in codes if re.fullmatch(REGION_CODE_RE, code)}
        self.regions = dict(Region.objects.filter(code__any_of=codes).values_list("code", "id"))
        names = {name.strip() for name in set(columns["indicator"])}
        names = {name for name in names if re.fullmatch(INDICATOR_CODE_RE, name)}
        self.indicators = dict(Indicator.objects.filter(code__any_of=names).values_list("code", "id"))
        self.sources = set(Source.objects.values_list("id", flat=True))
        self.bad: set[int] = set()  # indexes of the rows refused so far

    def fail(self, line, column, code, message):
        self.errors.append(RowError(line, column, code, str(message)))

    def check(self) -> "CheckedFigures":
        """The figures of the rows without a bad cell, in file order; the others are named in ``errors``."""
        numerators = self._column("numerator", lambda text: self._count(0, "numerator", text, minimum=0))
        denominators = self._column("denominator", lambda text: self._count(0, "denominator", text, minimum=1))
        counted = []
        if numerators.count(None) < len(numerators):  # some counts given
            counted = [i for i, (n, d) in enumerate(zip(numerators, denominators, strict=True)) if n is not None and d]
        values = self._column("value", lambda text: self._value(0, text, None, None), skip=set(counted))
        for index in counted:  # the value must match the counts (or is derived from them): row by row
            before = len(self.errors)
            text = self.columns["value"][index].strip()
            values[index] = self._value(self.lines[index], text, numerators[index], denominators[index])
            if len(self.errors) > before:
                self.bad.add(index)
        figures = CheckedFigures(
            lines=self.lines,
            region_id=self._column("region", lambda text: self._region(0, text)),
            indicator_id=self._column("indicator", lambda text: self._indicator(0, text)),
            as_of=self._column("as_of", lambda text: self._date(0, text)),
            value=values,
            numerator=numerators,
            denominator=denominators,
            source_id=self._column("source", lambda text: self._source(0, text)),
            status=self._column("status", lambda text: self._status(0, text)),
        )
        if self.bad:
            figures = figures.only([i for i in range(len(self.lines)) if i not in self.bad])
        keys = list(zip(figures.region_id, figures.indicator_id, figures.as_of, strict=True))
        if len(set(keys)) < len(keys):
            seen, twice = {}, set()
            for index, (line, key) in enumerate(zip(figures.lines, keys, strict=True)):
                if key in seen:
                    self.fail(
                        line,
                        None,
                        "duplicate",
                        _("Same region, indicator and as_of as line %(line)s.") % {"line": seen[key]},
                    )
                    twice.add(index)
                else:
                    seen[key] = line
            figures = figures.only([i for i in range(len(figures)) if i not in twice])
        return figures

    def _column(self, name, check, *, skip=frozenset()):
        """check(text) of each row's cell in column ``name``; a failed check names every row with that text."""
        texts = self.columns[name]
        results, refused = {}, {}
        for text in set(texts) if not skip else {t for i, t in enumerate(texts) if i not in skip}:
            before = len(self.errors)
            results[text] = check(text.strip())
            if len(self.errors) > before:
                refused[text] = self.errors[before:]
                del self.errors[before:]
        if refused:
            for index, text in enumerate(texts):
                if text in refused and index not in skip:
                    self.bad.add(index)
                    line = self.lines[index]
                    self.errors += [RowError(line, e.column, e.code, e.message) for e in refused[text]]
        if skip:
            return [None if i in skip else results[text] for i, text in enumerate(texts)]
        return list(map(results.__getitem__, texts))

    def _region(self, line, code):
        if not code:
            return self.fail(line, "region", "required", _("A region code is required."))
        if code in self.regions:
            if not self.scope.allows(code):
                return self.fail(
                    line,
                    "region",
                    "out_of_scope",
                    _("Region %(code)s is outside the regions you may write (%(scope)s).")
                    % {"code": code, "scope": self.scope},
                )
            return self.regions[code]
        if re.fullmatch(r"[0-9]{4}([0-9]{3}([0-9]{3})?)?", code):
            dotted = ".".join(filter(None, (code[:2], code[2:4], code[4:7] if len(code) > 4 else "", code[7:])))
            return self.fail(
                line,
                "region",
                "bps_code",
                _(
                    "%(code)s looks like a BPS code; give the Kemendagri code, with dots "
                    "(e.g. %(dotted)s, which may differ)."
                )
                % {"code": code, "dotted": dotted},
            )
        return self.fail(line, "region", "unknown_region", _("Unknown region code: %(code)s.") % {"code": code[:50]})

    def _indicator(self, line, code):
        if not code:
            return self.fail(line, "indicator", "required", _("An indicator code is required."))
        if code not in self.indicators:
            return self.fail(
                line, "indicator", "unknown_indicator", _("Unknown indicator code: %(code)s.") % {"code": code[:50]}
            )
        return self.indicators[code]

    def _date(self, line, text):
        if not text:
            return self.fail(line, "as_of", "required", _("The date (as_of) is required."))
        try:
            as_of = datetime.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            as_of = None
        if as_of is None:
            return self.fail(
                line, "as_of", "invalid", _("%(text)s is not a real date as YYYY-MM-DD.") % {"text": text[:50]}
            )
        if as_of > self.today + datetime.timedelta(days=1):
            return self.fail(line, "as_of", "future_date", _("%(date)s is in the future.") % {"date": text})
        if as_of < EARLIEST_DATE:
            return self.fail(line, "as_of", "date_too_early", _("A figure cannot describe a date before 1900."))
        return as_of

    def _count(self, line, column, text, *, minimum):
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,19}", text):
            return self.fail(
                line, column, "invalid", _("%(text)s is not a whole number of people.") % {"text": text[:50]}
            )
        count = int(text)
        if count < minimum or count > MAX_COUNT:
            return self.fail(line, column, "out_of_range", _("%(count)s is out of range.") % {"count": text[:30]})
        return count

    def _value(self, line, text, numerator, denominator):
        value = None
        if text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                return self.fail(line, "value", "invalid", _("%(text)s is not a number.") % {"text": text[:50]})
            if not value.is_finite():
                return self.fail(line, "value", "invalid", _("%(text)s is not a number.") % {"text": text[:50]})
            if value.as_tuple().exponent < -2:
                return self.fail(
                    line, "value", "max_decimal_places", _("At most 2 decimal places (%(text)s).") % {"text": text}
                )
            if value < 0:
                return self.fail(line, "value", "min_value", _("A percentage cannot be negative."))
            if value > PERCENT_MAX:
                return self.fail(line, "value", "max_value", _("A percentage must be below 1000."))
        if numerator is not None and denominator:
            expected = percentage(numerator, denominator)
            if expected > PERCENT_MAX:
                return self.fail(
                    line,
                    "value",
                    "counts_out_of_range",
                    _("The counts give %(expected)s, not a possible percentage.") % {"expected": expected},
                )
            if value is None:
                return expected
            if value != expected:
                return self.fail(
                    line,
                    "value",
                    "value_counts_mismatch",
                    _("%(value)s does not match the counts: 100 × %(numerator)s / %(denominator)s = %(expected)s.")
                    % {"value": text, "numerator": numerator, "denominator": denominator, "expected": expected},
                )
        if value is None:
            return self.fail(line, "value", "required", _("Give the value, or both numerator and denominator."))
        return value.quantize(Decimal("0.01"))

    def _source(self, line, text):
        if not text:
            if self.default_source is None:
                return self.fail(
                    line, "source", "required", _("Give the source (its id) in the file or for the whole import.")
                )
            return self.default_source
        if not re.fullmatch(r"[0-9]{1,18}", text) or int(text) not in self.sources:
            return self.fail(line, "source", "unknown_source", _("Unknown source id: %(text)s.") % {"text": text[:50]})
        return int(text)

    def _status(self, line, text):
        if not text:
            return None  # an existing figure keeps its status; a new one gets the importer's default
        if text not in Measurement.Status.values:
            return self.fail(
                line,
                "status",
                "invalid_choice",
                _("Status is draft, verified or published, not %(text)s.") % {"text": text[:30]},
            )
        return text


FIGURE_COLUMNS = ("value", "numerator", "denominator", "source_id", "status")
CHANGE_SAMPLE = 50


@dataclass
class CheckedFigures:
    """The rows that passed every check, in file order, column by column (the model's field names)."""

    lines: list[int]
    region_id: list[int]
    indicator_id: list[int]
    as_of: list[datetime.date]
    value: list[Decimal]
    numerator: list[int | None]
    denominator: list[int | None]
    source_id: list[int]
    status: list[str | None]  # None: an existing figure keeps its status, a new one gets the importer's default

    FIELDS = ("region_id", "indicator_id", "as_of", "value", "numerator", "denominator", "source_id", "status")

    def __len__(self):
        return len(self.lines)

    def only(self, indexes) -> "CheckedFigures":
        return CheckedFigures(**{name: [getattr(self, name)[i] for i in indexes] for name in ("lines", *self.FIELDS)})

    def rows(self):
        """(line, {field: value}) per figure."""
        for line, *values in zip(self.lines, *(getattr(self, name) for name in self.FIELDS), strict=True):
            yield line, dict(zip(self.FIELDS, values, strict=True))


def _columns(rows) -> tuple[list[int], dict[str, list[str]]]:
    """Line numbers, and every import column's cells as text ("" where a row has none)."""
    if isinstance(rows, Table):
        return rows.lines, {name: rows.column(name) or [""] * len(rows) for name in IMPORT_COLUMNS}
    return [line for line, _row in rows], {
        name: [
            cell if isinstance(cell, str) else "" if cell is None else str(cell)
            for cell in (row.get(name) for _line, row in rows)
        ]
        for name in IMPORT_COLUMNS
    }


def import_measurements(
    rows: Sequence[tuple[int, dict]],
    *,
    user,
    dry_run: bool,
    default_source: int | None = None,
    max_rows: int | None = None,
    scope: RegionScope = NATIONAL,
) -> ImportReport:
    """Create, update or leave unchanged each figure of ``rows``, keyed on (region, indicator, as_of).

    All or nothing: one transaction, and any bad row (named with its line, column and reason) means nothing
    is written. Without the permission to publish, new figures are drafts and published ones cannot be
    changed. Every write is recorded in the change history, door "import", with the user.

    On PostgreSQL the checked rows go into a staging table and are classified and written set-based
    (coverage.bulk); elsewhere through the ORM. Both give the same figures, history and report.
    """
    if max_rows is not None and len(rows) > max_rows:
        raise ImportFileError(
            _("%(rows)s rows; at most %(max)s per import.") % {"rows": len(rows), "max": max_rows},
            code="too_many_rows",
            status=413,
        )
    publisher = bool(user and user.has_perm("coverage.publish_measurement"))
    report = ImportReport(dry_run=dry_run, rows=len(rows))
    lines, columns = _columns(rows)
    checker = _RowChecker(lines, columns, default_source=default_source, publisher=publisher, scope=scope)
    figures = checker.check()
    if connection.vendor == "postgresql":
        from .bulk import import_figures

        import_figures(figures, report=report, checker=checker, publisher=publisher, user=user)
        return report

    checked = list(figures.rows())
    if dry_run:
        _classify(checked, _existing_figures(checked), report=report, checker=checker, publisher=publisher)
        report.errors = sorted(checker.errors, key=lambda e: (e.line, e.column or ""))
        return report

    with transaction.atomic():
        # The rows to change are locked and read inside the transaction, so that no concurrent edit is lost.
        existing = _existing_figures(checked, lock=True)
        to_create, to_update = _classify(checked, existing, report=report, checker=checker, publisher=publisher)
        report.errors = sorted(checker.errors, key=lambda e: (e.line, e.column or ""))
        if report.errors:
            return report
        now = timezone.now()  # at write time, so that ?updated_after= polls never miss an import
        for figure in to_update:
            figure.updated_at = now
            if figure.status != Measurement.Status.DRAFT:
                figure.verified_by, figure.verified_at = user, now
        _orm_write_figures(to_create, to_update, user=user, now=now)
        refresh_latest(
            {(f["region_id"], f["indicator_id"]) for f in to_create}
            | {(m.region_id, m.indicator_id) for m in to_update}
        )
        bump_data_version()
    return report


def refuse_unpublishable(checker, line):
    checker.fail(
        line,
        "status",
        "permission_denied",
        _("Only clients allowed to publish may write a verified or published figure; others write drafts."),
    )


def _classify(checked, existing, *, report, checker, publisher):
    """Split checked rows into new figures and changed ones (counted in ``report``); refusals go to ``checker``."""
    default_status = Measurement.Status.PUBLISHED if publisher else Measurement.Status.DRAFT
    to_create, to_update = [], []
    for line, figure in checked:
        current = existing.get((figure["region_id"], figure["indicator_id"], figure["as_of"]))
        if figure["status"] is None:
            figure["status"] = current.status if current is not None else default_status
        if current is not None and all(getattr(current, name) == figure[name] for name in FIGURE_COLUMNS):
            report.unchanged += 1
            continue
        public = figure["status"] != Measurement.Status.DRAFT or (
            current is not None and current.status != Measurement.Status.DRAFT
        )
        if public and not publisher:
            refuse_unpublishable(checker, line)
            continue
        if current is None:
            to_create.append(figure)
            continue
        if len(report.changes) < CHANGE_SAMPLE:
            report.changes.append(
                {
                    "line": line,
                    "id": current.pk,
                    **{
                        name: (getattr(current, name), figure[name])
                        for name in FIGURE_COLUMNS
                        if getattr(current, name) != figure[name]
                    },
                }
            )
        for name in FIGURE_COLUMNS:
            setattr(current, name, figure[name])
        current.version += 1
        to_update.append(current)
    report.created, report.updated = len(to_create), len(to_update)
    return to_create, to_update


def _new_figure_fields(figure, *, user, now):
    verified = figure["status"] != Measurement.Status.DRAFT
    return {
        **figure,
        "verified_by_id": user.pk if verified and user else None,
        "verified_at": now if verified else None,
        "version": 1,
        "is_latest": False,
        "created_at": now,
        "updated_at": now,
    }


def _orm_write_figures(to_create, to_update, *, user, now):
    history = {
        "default_user": user,
        "default_date": now,
        "custom_historical_attrs": {"history_door": Door.IMPORT, "history_api_key": current_api_key()},
    }
    new = [Measurement(**_new_figure_fields(figure, user=user, now=now)) for figure in to_create]
    bulk_create_with_history(new, Measurement, batch_size=2000, **history)
    bulk_update_with_history(
        to_update,
        Measurement,
        [*FIGURE_COLUMNS, "verified_by", "verified_at", "version", "updated_at"],
        batch_size=1000,
        **history,
    )


def _existing_figures(checked, *, lock=False):
    """The stored figures the rows name, whole (their historical copies are whole too), locked if asked."""
    if not checked:
        return {}
    regions = {f["region_id"] for _, f in checked}
    indicators = {f["indicator_id"] for _, f in checked}
    dates = {f["as_of"] for _, f in checked}
    found = Measurement.objects.filter(indicator_id__in=indicators, as_of__in=dates)
    if len(regions) < 2000:
        found = found.filter(region_id__in=regions)
    if lock:
        found = found.select_for_update()
    return {(m.region_id, m.indicator_id, m.as_of): m for m in found}
