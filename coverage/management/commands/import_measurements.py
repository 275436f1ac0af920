from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations

from coverage import services
from coverage.scopes import NATIONAL, scope_of


class Command(BaseCommand):
    help = (
        "Import figures from a CSV, XLSX or JSON file whose columns are the API's field names (region, indicator, "
        "as_of, value, numerator, denominator, source, status). All or nothing: any bad row means nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--source", type=int, help="Source id for rows that do not name one.")
        parser.add_argument(
            "--user",
            help="Import as this user: recorded in the history; with the right to publish, figures are published.",
        )

    @no_translations
    def handle(self, *args, file, dry_run, source, user, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user {user!r}.")
        try:
            rows = services.read_table(file.read_bytes(), filename=file.name)
            report = services.import_measurements(
                rows,
                user=importer,
                dry_run=dry_run,
                default_source=source,
                scope=scope_of(importer) if importer else NATIONAL,  # the user's regions, as in the API and admin
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except services.ImportFileError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        for error in report.errors:
            self.stderr.write(f"{file}:{error.line}: {error.column or '-'}: {error.message} [{error.code}]")
        self.stdout.write(
            f"{report.rows} rows: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.rejected} rejected"
            + (" (dry run: nothing written)" if dry_run else "" if report.written else " (nothing written)")
        )
        if report.errors:
            raise CommandError(f"{report.rejected} bad rows; nothing was written.")
