"""``manage.py import_measurements``: import figures from a CSV, XLSX or JSON file, through the same service as the
API and the admin, with the command's larger limits."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations

from coverage import imports
from coverage.figures import access
from coverage.regions import crosswalk


class Command(BaseCommand):
    help = (
        "Import figures from a CSV, XLSX or JSON file whose columns are the API's field names (region, indicator, "
        "as_of, value, numerator, denominator, source, status). All or nothing: any bad row means nothing is written. "
        "At most IMPORT_MAX_BYTES bytes and IMPORT_MAX_ROWS rows (more rows than the API and the admin take)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--source", type=int, help="Source id for rows that do not name one.")
        parser.add_argument(
            "--code-system",
            choices=crosswalk.CODE_SYSTEMS,
            default=crosswalk.KEMENDAGRI,
            help="How the file's region codes are read: kemendagri (64.07, default) or bps (6402, by the crosswalk).",
        )
        parser.add_argument(
            "--user",
            help="Import as this user: recorded in the history; with the right to publish, figures are published.",
        )

    @no_translations
    def handle(self, *args, file, dry_run, source, user, code_system, **options):
        # Without --user the command acts with the shell's powers (national scope, drafts: whoever runs it holds the
        # database anyway); with it, as that user in the API and the admin (coverage.figures.access).
        actor = access.COMMAND_LINE
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user {user!r}.")
            actor = access.Actor(importer)
            try:
                access.check_may_import(actor)
            except access.AccessDenied as exc:
                raise CommandError(f"{user}: {exc}") from exc
        try:
            with file.open("rb") as handle:
                rows = imports.read_table(handle, limits=imports.command_limits(), filename=file.name)
            report = imports.import_measurements(
                rows,
                actor=actor,
                dry_run=dry_run,
                default_source=source,
                code_system=code_system,
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except imports.ImportFileError as exc:
            raise CommandError(f"{file}: {exc} [{exc.code}]") from exc
        for error in report.errors:
            self.stderr.write(f"{file}:{error.line}: {error.column or '-'}: {error.message} [{error.code}]")
        if report.error_count > len(report.errors):
            self.stderr.write(
                f"{file}: {report.error_count} errors in all; the first {len(report.errors)} are listed above."
            )
        self.stdout.write(
            f"{report.rows} rows: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.rejected} rejected"
            + (f" ({report.error_count} errors)" if report.error_count else "")
            + (" (dry run: nothing written)" if dry_run else "" if report.written else " (nothing written)")
        )
        if report.error_count:
            raise CommandError(f"{report.rejected} bad rows; nothing was written.")
