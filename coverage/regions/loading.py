"""Loading the official Kemendagri region list (fixtures/wilayah) and its population: idempotent, never deletes a
region that figures or other regions refer to (``prune`` deletes the others)."""

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import REGION_CODE_PATTERNS, Measurement, Region
from ..models.history import current_door
from ..models.versions import bump_data_version

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
        bump_data_version(public=True)

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
