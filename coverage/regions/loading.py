"""Loading the official Kemendagri region list (fixtures/wilayah), its population and the BPS crosswalk
(fixtures/bps-crosswalk): idempotent, never deletes a region that figures or other regions refer to (``prune``
deletes the others)."""

import csv
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import BPS_CODE_RE, REGION_CODE_PATTERNS, BpsCode, Measurement, Region
from ..models.history import current_door
from ..models.versions import bump_data_version
from . import lineage
from .codes import is_code_of_level

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
    crosswalk: "CrosswalkReport | None" = None


@dataclass
class CrosswalkReport:
    """What load_regions did with the BPS crosswalk at one level, and the gaps it found there."""

    rows: int = 0  # rows in the file
    pairs: int = 0  # (BPS code, Kemendagri code) pairs loaded
    created: int = 0
    removed: int = 0
    renamed: int = 0
    own_code_set: int = 0  # regions whose bps_code changed (set, changed or cleared)
    without: list[str] = field(default_factory=list)  # Kemendagri codes with no BPS counterpart (only a 0 row)
    two_codes: list[str] = field(default_factory=list)  # Kemendagri codes with more than one BPS code
    ambiguous: list[str] = field(default_factory=list)  # BPS codes standing for more than one Kemendagri code
    not_in_list: list[str] = field(default_factory=list)  # Kemendagri codes of the crosswalk missing in the list


# The crosswalk's files (from BPS's bridging service, see fixtures/bps-crosswalk/README.md): no desa level.
CROSSWALK_FILES = {1: "provinsi.csv", 2: "kabupaten-kota.csv", 3: "kecamatan.csv"}
BPS_CODE_LENGTH = {1: 2, 2: 4, 3: 7}
NO_BPS_CODE = "0"  # the source's placeholder for "none"


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
def load_regions(
    *,
    directory: Path,
    max_level: int,
    prune: bool = False,
    crosswalk_directory: Path | None = None,
    changes_file: Path | None = None,
) -> tuple[list[LevelReport], "lineage.LineageReport | None"]:
    """Bring the regions of levels 1..max_level in line with the official list (and, given ``crosswalk_directory``,
    their BPS codes with the crosswalk, and given ``changes_file`` the codes that changed: coverage.regions.lineage).

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

    moved = {region.pk for region in updated.values()}  # one new version per region and load
    moved |= _load_population(directory, max_level=max_level, reports=reports, moved=moved)
    lineage_report, lineage_changed = None, False
    if changes_file is not None:
        lineage_report, lineage_changed = lineage.load_lineage(changes_file, max_level=max_level, moved=moved)
    crosswalk_changed = False
    if crosswalk_directory is not None:
        crosswalk_changed = _load_crosswalk(crosswalk_directory, max_level=max_level, reports=reports, moved=moved)
    if (
        to_create
        or to_update
        or lineage_changed
        or crosswalk_changed
        or any(r.population_updated for r in reports.values())
    ):
        bump_data_version(public=True)

    # A retired code (valid_until) is never obsolete, whether or not this run loads the changes: figures keep it.
    retired_codes = set(Region.objects.filter(valid_until__isnull=False).values_list("code", flat=True))
    obsolete = sorted(
        (code for code in existing if code not in listed_codes and code not in retired_codes),
        key=lambda c: (-c.count("."), c),
    )
    for code in obsolete:
        reports[existing[code][3]].obsolete.append(code)
    if prune and obsolete:
        _prune(obsolete, reports)
    return list(reports.values()), lineage_report


def _load_population(directory, *, max_level, reports, moved) -> set[int]:
    path = Path(directory) / POPULATION_FILE
    if not path.exists():
        return set()
    with path.open(encoding="utf-8", newline="") as handle:
        population = {row["code"]: int(row["total"]) for row in csv.DictReader(handle)}
    changed = []
    for region in Region.objects.filter(code__in=population, level__lte=max_level):
        if (region.population, region.population_as_of) != (population[region.code], POPULATION_AS_OF):
            region.population, region.population_as_of = population[region.code], POPULATION_AS_OF
            changed.append(region)
            reports[region.level].population_updated += 1
    for region in changed:
        region.version += region.pk not in moved
    bulk_update_with_history(
        changed,
        Region,
        ["population", "population_as_of", "version"],
        batch_size=2000,
        custom_historical_attrs={"history_door": current_door()},
    )
    return {region.pk for region in changed}


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


def read_crosswalk(directory: Path, *, max_level: int) -> list[tuple[int, str, str, str, str]]:
    """(level, BPS code, Kemendagri code, BPS name, Kemendagri name) of the crosswalk's rows of levels 1..max_level
    (at most 3: it has no desa), the source's ``0`` ("none") included."""
    rows = []
    for level in range(1, min(max_level, max(CROSSWALK_FILES)) + 1):
        path = Path(directory) / CROSSWALK_FILES[level]
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                bps, code = row["kode_bps"].strip(), row["kode_dagri"].strip()
                kemendagri = is_code_of_level(code, level)
                shaped = bps == NO_BPS_CODE or (re.fullmatch(BPS_CODE_RE, bps) and len(bps) == BPS_CODE_LENGTH[level])
                if not kemendagri or not shaped:
                    raise RegionListError(f"{path.name} line {line}: {bps!r} → {code!r} is not a level-{level} pair")
                rows.append((level, bps, code, " ".join(row["nama_bps"].split()), " ".join(row["nama_dagri"].split())))
    return rows


def _bare(name: str) -> str:
    """A name without its kind, for comparing BPS's ("KAB. KUTAI BARAT") with Kemendagri's ("KABUPATEN KUTAI BARAT")."""
    return re.sub(r"^(?:kab\.|kabupaten|kota)\s+", "", name.casefold())


def _load_crosswalk(directory, *, max_level, reports, moved) -> bool:
    """Bring the BPS codes of the listed regions in line with the crosswalk: its pairs (BpsCode) and each region's
    own code (Region.bps_code). A real code beats the source's 0; where a region has two, its own is the one whose
    BPS name is its name, else the lower. True if anything changed."""
    rows = read_crosswalk(directory, max_level=max_level)
    levels = sorted({level for level, *_ in rows})
    present = set(Region.objects.filter(level__in=levels).values_list("code", flat=True))
    names, codes_of, regions_of = {}, defaultdict(list), defaultdict(set)
    for level, bps, code, bps_name, name in rows:
        report = reports[level].crosswalk = reports[level].crosswalk or CrosswalkReport()
        report.rows += 1
        if code not in present:
            report.not_in_list.append(code)
        elif bps != NO_BPS_CODE:
            names[bps, code] = bps_name
            codes_of[code].append((_bare(bps_name) != _bare(name), bps))  # its own: named alike, else the lower
            regions_of[bps].add(code)
        else:
            codes_of.setdefault(code, [])
    level_of = {code: level for level, _bps, code, *_ in rows}
    for code, codes in codes_of.items():
        report = reports[level_of[code]].crosswalk
        if not codes:
            report.without.append(code)
        elif len(codes) > 1:
            report.two_codes.append(code)
    for bps, codes in regions_of.items():
        if len(codes) > 1:
            reports[level_of[min(codes)]].crosswalk.ambiguous.append(bps)

    existing = {(p.code, p.region_id): p for p in BpsCode.objects.filter(region__level__in=levels)}
    BpsCode.objects.bulk_create(
        [BpsCode(code=bps, region_id=code, name=names[bps, code]) for bps, code in names.keys() - existing.keys()]
    )
    renamed = [pair for key, pair in existing.items() if key in names and pair.name != names[key]]
    for pair in renamed:
        pair.name = names[pair.code, pair.region_id]
    BpsCode.objects.bulk_update(renamed, ["name"])
    BpsCode.objects.filter(pk__in=[pair.pk for key, pair in existing.items() if key not in names]).delete()
    for _bps, code in names.keys() - existing.keys():
        reports[level_of[code]].crosswalk.created += 1
    for pair in renamed:
        reports[level_of[pair.region_id]].crosswalk.renamed += 1
    for _bps, code in existing.keys() - names.keys():
        reports[code.count(".") + 1].crosswalk.removed += 1  # the level of a Kemendagri code
    for _bps, code in names:
        reports[level_of[code]].crosswalk.pairs += 1

    own = {code: min(codes)[1] for code, codes in codes_of.items() if codes}
    changed = [r for r in Region.objects.filter(level__in=levels) if r.bps_code != own.get(r.code)]
    for region in changed:
        region.bps_code = own.get(region.code)
        region.version += region.pk not in moved
        reports[region.level].crosswalk.own_code_set += 1
    bulk_update_with_history(
        changed,
        Region,
        ["bps_code", "version"],
        batch_size=2000,
        custom_historical_attrs={"history_door": current_door()},
    )
    return bool(changed or renamed or names.keys() ^ existing.keys())
