"""``manage.py load_regions``: load or update the official Kemendagri region list and its population."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations

from coverage.models import Region
from coverage.regions import lineage, loading


class Command(BaseCommand):
    help = (
        "Load the official Kemendagri region list (fixtures/wilayah) and the BPS crosswalk up to a level: 1 provinces, "
        "2 + kabupaten/kota "
        "(default), 3 + kecamatan, 4 + desa/kelurahan (all 91,599). Idempotent: creates new codes, updates changed "
        "names, never deletes a region that has figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--level", type=int, choices=[1, 2, 3, 4], default=2, help="Deepest level to load.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete regions of the loaded levels that are no longer in the list, unless figures or other "
            "regions refer to them.",
        )
        parser.add_argument(
            "--dir", type=Path, default=settings.REGION_DATA_DIR, help="Folder with provinces.csv, regencies.csv, …"
        )
        sources = [  # option, default, what it reads; --no-… leaves that part as it is
            ("--crosswalk-dir", settings.BPS_CROSSWALK_DIR, "the BPS crosswalk: provinsi.csv, kabupaten-kota.csv, …"),
            ("--changes", settings.REGION_CHANGES_FILE, "the code changes since 2019 (region_changes.csv)"),
        ]
        for option, default, what in sources:
            parser.add_argument(option, type=Path, default=default, help=f"Where {what} is.")
        parser.add_argument("--no-crosswalk", action="store_true", help="Leave BPS codes as they are.")
        parser.add_argument("--no-changes", action="store_true", help="Leave retired codes and validity as they are.")

    @no_translations
    def handle(self, *args, level, prune, dir, crosswalk_dir, no_crosswalk, changes, no_changes, **options):
        try:
            reports, lineage_report = loading.load_regions(
                directory=dir,
                max_level=level,
                prune=prune,
                crosswalk_directory=None if no_crosswalk else crosswalk_dir,
                changes_file=None if no_changes else changes,
            )
        except (OSError, loading.RegionListError, lineage.LineageError) as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc
        for report in reports:
            label = Region.Level(report.level).label
            line = (
                f"Level {report.level} ({label}): {report.in_list} in the list, {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged"
            )
            if report.population_updated:
                line += f", population set on {report.population_updated}"
            if report.obsolete:
                line += f", {len(report.obsolete)} no longer in the list"
                if prune:
                    line += (
                        f" ({len(report.deleted)} deleted, {len(report.kept)} kept because figures or regions "
                        "refer to them)"
                    )
                else:
                    line += " (kept; --prune deletes those without figures)"
            self.stdout.write(line)
            if report.crosswalk:
                self.stdout.write(f"  {crosswalk_line(report.crosswalk)}")
        if lineage_report is not None:
            line = (
                f"Code changes: {lineage_report.changes} loaded, {lineage_report.retired_created} retired codes "
                f"created, validity set on {lineage_report.validity_set} regions"
            )
            if lineage_report.skipped:
                skipped = lineage_report.skipped
                line += f"; {len(skipped)} skipped (level not loaded): {', '.join(skipped[:8])}"
            self.stdout.write(line)
        for report in reports:
            if report.kept:
                self.stdout.write(self.style.WARNING(f"Kept, still referenced: {', '.join(report.kept[:20])}"))


def crosswalk_line(report: loading.CrosswalkReport) -> str:
    line = (
        f"BPS crosswalk: {report.rows} rows, {report.pairs} pairs ({report.created} new, {report.removed} removed, "
        f"{report.renamed} renamed), BPS code set on {report.own_code_set} regions"
    )
    gaps = [
        (report.without, "without a BPS code"),
        (report.two_codes, "with two BPS codes"),
        (report.ambiguous, "BPS codes standing for several regions (ambiguous, never guessed)"),
        (report.not_in_list, "codes not in the region list (skipped)"),
    ]
    for codes, what in gaps:
        if codes:
            line += f"; {len(codes)} {what}: {', '.join(sorted(codes)[:12])}{' …' if len(codes) > 12 else ''}"
    return line
