"""Codes that changed: the 2022 Papua splits (fixtures/lineage/region_changes.csv, loaded by load_regions), and the
one rule that says which code named a place on a day.

A ``split`` made a new province from part of an old one, which continues under its code. A ``recode`` gave a
kabupaten/kota a new code (it moved to the new province); its kecamatan and desa were recoded with it by prefix
(91.01.01 → 93.01.01). Only the changes of provinces and kabupaten/kota are stored (RegionChange); those of the
regions under a recoded kabupaten/kota follow from them here, by prefix. ``valid_until`` is exclusive: 91.01 names
Merauke until 2022-07-24, 93.01 from 2022-07-25.
"""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Region, RegionChange
from ..models.history import current_door
from .codes import is_code_of_level

RECODE, SPLIT = RegionChange.Kind.RECODE, RegionChange.Kind.SPLIT


@dataclass(frozen=True)
class Change:
    old: str
    new: str
    kind: str
    effective: datetime.date
    legal_basis: str


def changes(*, max_level: int | None = None) -> list[Change]:
    """Every stored change (a few dozen), oldest first; with ``max_level``, those of regions of levels 1..max_level."""
    stored = RegionChange.objects.all() if max_level is None else RegionChange.objects.filter(old__level__lte=max_level)
    return [Change(*row) for row in stored.values_list("old", "new", "kind", "effective", "legal_basis")]


def _moved(code: str, start: str, end: str) -> str | None:
    """``code`` with its prefix ``start`` replaced by ``end``, if it is ``start`` or lies under it."""
    if code == start:
        return end
    if code.startswith(f"{start}."):
        return end + code[len(start) :]
    return None


def predecessors(code: str, known: list[Change]) -> list[tuple[str, Change]]:
    """The codes that named ``code``'s place before a change: a recode's old code (by prefix for the regions under a
    recoded kabupaten/kota), a split's old province."""
    return _across(code, known, backwards=True)


def successors(code: str, known: list[Change]) -> list[tuple[str, Change]]:
    """The codes ``code``'s place took after a change (for a split province: the provinces made from it)."""
    return _across(code, known, backwards=False)


def _across(code, known, *, backwards):
    found = []
    for change in known:
        start, end = (change.new, change.old) if backwards else (change.old, change.new)
        if change.kind == RECODE and (other := _moved(code, start, end)) is not None:
            found.append((other, change))
        elif change.kind == SPLIT and code == start:
            found.append((end, change))
    return found


def earlier_codes(code: str, known: list[Change]) -> list[tuple[str, datetime.date]]:
    """(old code, effective) of every recode that ``code``'s figures continue, followed back through repeated
    recodes: a series under ``code`` includes the old code's figures dated before ``effective``. A split carries
    none (the old province was a larger area)."""
    found, frontier = [], [(code, None)]
    while frontier:
        current, until = frontier.pop()
        for old, change in predecessors(current, known):
            if change.kind == RECODE:
                effective = change.effective if until is None else min(change.effective, until)
                found.append((old, effective))
                frontier.append((old, effective))
    return found


def code_valid_on(code: str, day: datetime.date, known: list[Change]) -> str | None:
    """The code that named ``code``'s place on ``day``, when ``code`` did not: a recode's other code, or for a new
    province the province it was part of."""
    for new, change in successors(code, known):
        if change.kind == RECODE and day >= change.effective:
            return code_valid_on(new, day, known) or new
    for old, change in predecessors(code, known):
        if day < change.effective:
            return code_valid_on(old, day, known) or old
    return None


def lineage_of(code: str) -> dict:
    """``code``'s predecessors and successors, each with its code, name, change, effective day and legal basis."""
    known = changes()
    steps = {"predecessors": predecessors(code, known), "successors": successors(code, known)}
    names = dict(
        Region.objects.filter(code__in=[c for found in steps.values() for c, _ in found]).values_list("code", "name")
    )
    return {"code": code} | {
        side: [
            {
                "code": other,
                "name": names.get(other),
                "change": change.kind,
                "effective": change.effective,
                "legal_basis": change.legal_basis,
            }
            for other, change in found
        ]
        for side, found in steps.items()
    }


def check_valid_on(region: Region, day: datetime.date, known: list[Change] | None = None) -> None:
    """A figure of ``region`` dated ``day`` must be dated while its code named the region: ValidationError
    ``retired_region`` (on or after ``valid_until``) or ``not_yet_valid`` (before ``valid_from``), naming the code
    that named the place that day. Every door checks it (the API, the admin, imports): a database constraint cannot
    span the two tables."""
    if region.valid_on(day):
        return
    known = changes() if known is None else known
    other = code_valid_on(region.code, day, known)
    retired = region.valid_until is not None and day >= region.valid_until
    if retired:
        message = _("%(code)s was retired on %(until)s: a figure dated %(day)s belongs to %(other)s.")
        if other is None:
            message = _("%(code)s was retired on %(until)s: no figure can be dated %(day)s.")
    else:
        message = _("%(code)s names a region from %(since)s: a figure dated %(day)s belongs to %(other)s.")
        if other is None:
            message = _("%(code)s names a region from %(since)s: no figure can be dated %(day)s.")
    raise ValidationError(
        message,
        code="retired_region" if retired else "not_yet_valid",
        params={
            "code": region.code,
            "day": day.isoformat(),
            "other": other,
            "until": region.valid_until.isoformat() if region.valid_until else None,
            "since": region.valid_from.isoformat() if region.valid_from else None,
        },
    )


def series_condition(kind: str, codes, known: list[Change]) -> Q | None:
    """What ``lineage=true`` adds to a measurement filter (``kind`` region, parent or within) on ``codes``: the
    figures recorded under the codes a recode replaced, dated before it took effect. A split carries none."""
    condition = Q()
    for code in codes:
        if kind == "region":
            for old, effective in earlier_codes(code, known):
                condition |= Q(region__code=old, as_of__lt=effective)
            continue
        for old, effective in earlier_codes(code, known):  # the code itself recoded: its old code's children
            lookup = "region__parent" if kind == "parent" else "region__code__startswith"
            condition |= Q(**{lookup: old if kind == "parent" else f"{old}."}, as_of__lt=effective)
        for change in known:  # regions recoded into it
            inside = change.new.rpartition(".")[0] == code if kind == "parent" else change.new.startswith(f"{code}.")
            if change.kind == RECODE and inside:
                for old, effective in earlier_codes(change.new, known):
                    under = Q() if kind == "parent" else Q(region__code__startswith=f"{old}.")
                    condition |= (Q(region__code=old) | under) & Q(as_of__lt=effective)
    return condition or None


def series_code(known: list[Change], codes=None):
    """A figure's series as a region code: the code it was recorded under, or for a figure recorded under a code a
    recode replaced (before the change), the code that replaced it (``latest=true`` with ``lineage=true``). Given the
    ``codes`` a request filters on, only the recodes of their places are looked at."""
    if codes is not None:
        known = [change for change in known if any(_related(code, change.new) for code in codes)]
    whens = [
        When(
            Q(region__code=change.old) | Q(region__code__startswith=f"{change.old}."),
            as_of__lt=change.effective,
            then=Concat(Value(change.new), Substr("region__code", len(change.old) + 1), output_field=CharField()),
        )
        for change in known
        if change.kind == RECODE
    ]
    return Case(*whens, default=F("region__code"), output_field=CharField()) if whens else F("region__code")


def _related(code: str, other: str) -> bool:
    """Whether one of the two codes is the other or lies under it."""
    return code == other or code.startswith(f"{other}.") or other.startswith(f"{code}.")


# Loading (load_regions) ---------------------------------------------------------------------------------------------


class LineageError(ValueError):
    pass


@dataclass
class LineageReport:
    changes: int = 0
    retired_created: int = 0
    validity_set: int = 0
    skipped: list[str] = field(default_factory=list)  # changes whose new code is not loaded


def read_changes(path: Path) -> list[tuple[Change, int, str]]:
    """(change, level, old name) of each row of ``path``."""
    rows = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                level, effective = int(row["level"]), datetime.date.fromisoformat(row["effective"])
            except ValueError as exc:
                raise LineageError(f"{Path(path).name} line {line}: {exc}") from None
            codes_fit = all(is_code_of_level(row[column], level) for column in ("old_code", "new_code"))
            if row["kind"] not in (RECODE, SPLIT) or not codes_fit or (row["kind"] == SPLIT) != (level == 1):
                raise LineageError(f"{Path(path).name} line {line}: not a change of level {level}: {row}")
            change = Change(row["old_code"], row["new_code"], row["kind"], effective, row["legal_basis"].strip())
            rows.append((change, level, row["old_name"].strip()))
    return rows


def load_lineage(path: Path, *, max_level: int, moved: set[int]) -> tuple[LineageReport, bool]:
    """Bring the regions of levels 1..max_level in line with the changes in ``path``: each new code gets
    ``valid_from``; a recode's old code, and the old codes of the regions under it (by prefix), exist retired
    (``valid_until``), with the names of today's; RegionChange holds the rows. Returns the report and whether anything
    changed (retired codes are never obsolete: load_regions keeps every region with valid_until). The regions whose
    version moves are added to ``moved`` (one new version per region and load)."""
    rows = read_changes(path)
    report = LineageReport()
    relevant = Q(valid_from__isnull=False) | Q(valid_until__isnull=False)
    for change, _level, _name in rows:
        relevant |= Q(code__in=[change.old, change.new])
        if change.kind == RECODE:
            relevant |= Q(code__startswith=f"{change.old}.") | Q(code__startswith=f"{change.new}.")
    regions = {r.code: r for r in Region.objects.filter(relevant, level__lte=max_level)}
    validity: dict[str, tuple[datetime.date | None, datetime.date | None]] = {}
    retired: dict[str, tuple[str, int, str, str | None]] = {}  # code → name, level, kind, parent
    loaded = []
    for change, level, old_name in rows:
        if level > max_level or change.new not in regions:
            report.skipped.append(f"{change.old}→{change.new}")
            continue
        loaded.append(change)
        if change.kind == SPLIT:
            validity[change.new] = (change.effective, None)
            continue
        under = [code for code in regions if code == change.new or code.startswith(f"{change.new}.")]
        for code in sorted(under, key=len):
            current = regions[code]
            old = change.old + code[len(change.new) :]
            validity[code] = (change.effective, None)
            validity[old] = (None, change.effective)
            parent = old.rpartition(".")[0] or None
            retired[old] = (old_name if code == change.new else current.name, current.level, current.kind, parent)
    to_create = [  # born retired: their history never shows them current
        Region(
            code=code,
            name=name,
            level=level,
            kind=kind,
            parent_id=parent,
            valid_from=validity[code][0],
            valid_until=validity[code][1],
        )
        for code, (name, level, kind, parent) in sorted(retired.items(), key=lambda item: len(item[0]))
        if code not in regions
    ]
    recorded = {"custom_historical_attrs": {"history_door": current_door()}}
    bulk_create_with_history(to_create, Region, batch_size=5000, **recorded)
    report.retired_created = len(to_create)
    regions.update({r.code: r for r in Region.objects.filter(code__in=[r.code for r in to_create])})
    changed = []
    for code, region in regions.items():
        wanted = validity.get(code, (None, None))
        if (region.valid_from, region.valid_until) != wanted:
            region.valid_from, region.valid_until = wanted
            region.version += region.pk not in moved
            moved.add(region.pk)
            changed.append(region)
    bulk_update_with_history(changed, Region, ["valid_from", "valid_until", "version"], batch_size=2000, **recorded)
    report.validity_set = len(changed)
    # The changes of the levels loaded: those of deeper levels are not this run's.
    stored = {(c.old, c.new): c for c in changes(max_level=max_level)}
    wanted_rows = {(c.old, c.new): c for c in loaded}
    if stored != wanted_rows:
        RegionChange.objects.filter(old__level__lte=max_level).delete()
        RegionChange.objects.bulk_create(
            RegionChange(old_id=c.old, new_id=c.new, kind=c.kind, effective=c.effective, legal_basis=c.legal_basis)
            for c in loaded
        )
    report.changes = len(loaded)
    return report, bool(to_create or changed or stored != wanted_rows)
