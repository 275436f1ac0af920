"""Importing figures, all or nothing: rows checked, classified (new, changed, unchanged, refused), written by the
ORM or, on PostgreSQL, set-based, and reported."""

from collections.abc import Sequence

from django.db import connection

from ..figures import access
from ..regions import crosswalk
from . import orm_writer, pg_writer
from .checking import RowChecker, columns_of
from .report import ImportReport


def import_measurements(
    rows: Sequence[tuple[int, dict]],
    *,
    actor: access.Actor,
    dry_run: bool,
    default_source: int | None = None,
    code_system: str = crosswalk.KEMENDAGRI,
) -> ImportReport:
    """Create, update or leave unchanged each figure of ``rows``, keyed on (region, indicator, as_of).

    All or nothing: one transaction, and any bad row (named with its line, column and reason) means nothing
    is written. ``actor`` (coverage.figures.access) decides the rest: rows outside its regions are refused, and
    without the right to publish new figures are drafts and verified or published ones cannot be changed. Every
    write is recorded in the change history, door "import", with the actor's user. With ``code_system`` "bps" the
    file's region codes are BPS codes (coverage.regions.crosswalk); the figures keep Kemendagri codes.

    On PostgreSQL the checked rows go into a staging table and are classified and written set-based
    (coverage.imports.pg_writer); elsewhere through the ORM (coverage.imports.orm_writer). Both give the same
    figures, history and outcome.
    """
    lines, columns = columns_of(rows)
    checker = RowChecker(lines, columns, default_source=default_source, actor=actor, code_system=code_system)
    figures = checker.check()
    writer = pg_writer if connection.vendor == "postgresql" else orm_writer
    outcome = writer.write(
        figures, publisher=actor.may_publish, user=actor.user, dry_run=dry_run, allowed=not checker.errors
    )
    report = ImportReport(
        dry_run=dry_run,
        rows=len(rows),
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        changes=outcome.changes,
    )
    report.set_errors(checker.errors + outcome.refusals())
    return report
