"""The import's set-based path on PostgreSQL (coverage.imports.service chooses it on PostgreSQL).

The checked rows are copied into a temporary staging table (COPY); one statement joins them to the stored
figures and classifies every row (new, changed, unchanged); one INSERT … SELECT creates the new figures and one
UPDATE … FROM changes the others, each handing the rows it wrote straight to an INSERT into the historical
table (the rows django-simple-history writes: whole row, time, user, door "import"); ``is_latest`` is recomputed
in SQL for the (region, indicator) series the import touched. No model instance per row, no row through Python
after the COPY. The outcome (counts, refusals, a sample of changes) is the one the ORM writer gives.

No lost update: the UPDATE changes a figure only if it is still at the version the classification read. If
another transaction changed one in between, the writes are undone (savepoint), every figure the file names is
locked, and classification and writes are done again.
"""

import itertools

from django.db import connection, transaction
from django.utils import timezone

from ..figures import access
from ..figures.fields import STAGED, WRITTEN
from ..figures.latest import lock_series
from ..models import Door, Measurement, Region
from ..models.base import PROVINCE_OF_SQL
from ..models.history import current_api_key
from ..models.versions import bump_data_version
from .report import CHANGE_SAMPLE, Outcome

TABLE = Measurement._meta.db_table
HISTORY_TABLE = Measurement.history.model._meta.db_table
# The rows of import_plan that change a figure that is or will be published: what anonymous readers see, and what
# is_latest is chosen from.
PUBLIC_CHANGES = (
    "SELECT region_id, indicator_id FROM import_plan WHERE action <> '=' "
    f"AND {access.changes_public_sql('current_status', 'status')}"
)
SAME_KEY = "m.region_id = s.region_id AND m.indicator_id = s.indicator_id AND m.as_of = s.as_of"
DRAFT, PUBLISHED = Measurement.Status.DRAFT.value, Measurement.Status.PUBLISHED.value
COPY_ROWS = 20_000
WORK_MEM = "64MB"


class _Stale(Exception):
    """A figure to change was changed by another transaction after the classification read it."""


def _tracked():
    """Columns of the historical table that copy the figure's own columns."""
    own = {f.column for f in Measurement._meta.concrete_fields}
    return [f.column for f in Measurement.history.model._meta.concrete_fields if f.column in own]


def write(figures, *, publisher: bool, user, dry_run: bool, allowed: bool) -> Outcome:
    """Classify ``figures`` (CheckedFigures) and, unless ``dry_run`` or not ``allowed`` (bad rows elsewhere) or a
    row is refused, write them, in one transaction."""
    default_status = access.default_import_status(publisher=publisher)
    with transaction.atomic(), connection.cursor() as cursor:
        work_mem = _prepare(cursor)
        _stage(cursor, figures)
        _classify(cursor, default_status=default_status)
        outcome = _outcome(cursor, publisher=publisher)
        if not dry_run and allowed and not outcome.refused:
            try:
                with transaction.atomic():
                    _write(cursor, user=user, expected_updates=outcome.updated)
            except _Stale:
                # Every series the file names, then its figures' rows: the is_latest locks first, as every writer.
                lock_series(plan_sql="SELECT region_id, indicator_id FROM import_rows")
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} m JOIN import_rows s ON {SAME_KEY} "
                    "FOR UPDATE OF m) AS locked"
                )
                cursor.execute("DROP TABLE import_plan")
                _classify(cursor, default_status=default_status)
                outcome = _outcome(cursor, publisher=publisher)
                if not outcome.refused:
                    _write(cursor, user=user, expected_updates=outcome.updated)
        cursor.execute("DROP TABLE import_rows, import_plan")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
    return outcome


def _prepare(cursor):
    """Room to hash and sort a whole file in memory, for this transaction only; statistics the planner can trust."""
    cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", [WORK_MEM])
    work_mem = cursor.fetchone()[0]
    _analyze_if_stale(cursor)
    return work_mem


def _analyze_if_stale(cursor):
    """ANALYZE the figures if the table is more than twice the size its statistics describe: just created or
    filled, by this import too (ANALYZE counts the transaction's own rows), before autovacuum came round. On
    the statistics of an empty table the planner probes the figures through the wrong index, thousands of times
    slower (and the API's queries right after a first load would suffer as well)."""
    cursor.execute(
        "SELECT reltuples, relpages, pg_relation_size(oid) / current_setting('block_size')::integer "
        "FROM pg_class WHERE oid = %s::regclass",
        [TABLE],
    )
    tuples, pages, actual_pages = cursor.fetchone()
    if tuples < 0 or actual_pages > 2 * pages + 128:
        cursor.execute(f"ANALYZE {TABLE}")


def _texts(values):
    """COPY text of each value (None is \\N), each distinct value converted once."""
    text = {value: "\\N" if value is None else str(value) for value in set(values)}
    return list(map(text.__getitem__, values))


def _stage(cursor, figures):
    cursor.execute(
        "CREATE TEMPORARY TABLE import_rows (line integer NOT NULL, region_id bigint NOT NULL, "
        "indicator_id bigint NOT NULL, as_of date NOT NULL, value numeric(5, 2) NOT NULL, numerator bigint, "
        "denominator bigint, source_id bigint NOT NULL, status varchar(9)) ON COMMIT DROP"
    )
    columns = [list(map(str, figures.lines)), *(_texts(getattr(figures, name)) for name in STAGED)]
    rows = map("\t".join, zip(*columns, strict=True))
    with cursor.cursor.copy(f"COPY import_rows (line, {', '.join(STAGED)}) FROM STDIN") as copy:
        while chunk := list(itertools.islice(rows, COPY_ROWS)):
            chunk.append("")
            copy.write("\n".join(chunk))


def _classify(cursor, *, default_status):
    """import_plan: each staged row with the figure it names (if any) and what the import does to it:
    '+' create, '~' change, '=' leave unchanged. A row without status keeps the figure's, or gets the default."""
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_plan ON COMMIT DROP AS
        SELECT s.line, s.region_id, s.indicator_id, s.as_of, s.value, s.numerator, s.denominator, s.source_id,
               coalesce(s.status, m.status, %s)::varchar(9) AS status,
               m.id AS figure_id, m.status AS current_status, m.version AS current_version,
               CASE WHEN m.id IS NULL THEN '+'
                    WHEN (m.value, m.numerator, m.denominator, m.source_id, m.status) IS NOT DISTINCT FROM
                         (s.value, s.numerator, s.denominator, s.source_id, coalesce(s.status, m.status)) THEN '='
                    ELSE '~' END AS action
        FROM import_rows s LEFT JOIN {TABLE} m ON {SAME_KEY}
        """,
        [default_status],
    )


def _outcome(cursor, *, publisher) -> Outcome:
    """Counts, the lines refused for want of the right to publish, and the first changes, from import_plan."""
    # The publication rule of coverage.figures.access, in SQL, for the rows the import would write.
    rule = access.publication_refused_sql(publisher=publisher, status="p.status", current="p.current_status")
    refused = f"(p.action <> '=' AND {rule})"
    cursor.execute(
        f"SELECT count(*) FILTER (WHERE p.action = '+' AND NOT {refused}), "
        f"count(*) FILTER (WHERE p.action = '~' AND NOT {refused}), count(*) FILTER (WHERE p.action = '='), "
        f"count(*) FILTER (WHERE {refused}) FROM import_plan p"
    )
    created, updated, unchanged, refusals = cursor.fetchone()
    lines = []
    if refusals:
        cursor.execute(f"SELECT p.line FROM import_plan p WHERE {refused} ORDER BY p.line")
        lines = [line for (line,) in cursor.fetchall()]
    pairs = ", ".join(f"m.{name}, p.{name}" for name in WRITTEN)
    cursor.execute(
        f"SELECT p.line, m.id, {pairs} FROM (SELECT * FROM import_plan p WHERE p.action = '~' AND NOT {refused} "
        f"ORDER BY p.line LIMIT %s) AS p JOIN {TABLE} m ON m.id = p.figure_id ORDER BY p.line",
        [CHANGE_SAMPLE],
    )
    changes = []
    for line, pk, *values in cursor.fetchall():
        change = {"line": line, "id": pk}
        for index, name in enumerate(WRITTEN):
            old, new = values[2 * index], values[2 * index + 1]
            if old != new:
                change[name] = (old, new)
        changes.append(change)
    return Outcome(created=created, updated=updated, unchanged=unchanged, refused=lines, changes=changes)


def _write(cursor, *, user, expected_updates):
    lock_series(plan_sql=PUBLIC_CHANGES)  # before any figure is written: see lock_series
    now = timezone.now()  # at write time, so that ?updated_after= polls never miss an import
    tracked = _tracked()
    history = f"INSERT INTO {HISTORY_TABLE} ({', '.join(tracked)}, history_date, history_type, history_user_id, "
    history += "history_door, history_api_key) "
    recorded = f"SELECT {', '.join(tracked)}, %(now)s, %(type)s, %(user)s, %(door)s, %(key)s FROM written ORDER BY id"
    params = {
        "now": now,
        "user": user.pk if user else None,
        "door": Door.IMPORT.value,
        "key": current_api_key(),
        "draft": DRAFT,
    }
    verified = "CASE WHEN p.status <> %(draft)s THEN {} END"
    cursor.execute(
        f"""
        WITH written AS (
            INSERT INTO {TABLE} (region_id, indicator_id, as_of, value, numerator, denominator, source_id, status,
                                 verified_by_id, verified_at, version, is_latest, created_at, updated_at)
            SELECT p.region_id, p.indicator_id, p.as_of, p.value, p.numerator, p.denominator, p.source_id, p.status,
                   {verified.format("%(user)s::integer")}, {verified.format("%(now)s::timestamptz")},
                   1, false, %(now)s, %(now)s
            FROM import_plan p WHERE p.action = '+' ORDER BY p.line
            RETURNING {", ".join(tracked)})
        {history}{recorded}
        """,
        {**params, "type": "+"},
    )
    cursor.execute(
        f"""
        WITH written AS (
            UPDATE {TABLE} m SET value = p.value, numerator = p.numerator, denominator = p.denominator,
                   source_id = p.source_id, status = p.status,
                   verified_by_id = CASE WHEN p.status <> %(draft)s THEN %(user)s::integer ELSE m.verified_by_id END,
                   verified_at = CASE WHEN p.status <> %(draft)s THEN %(now)s::timestamptz ELSE m.verified_at END,
                   version = m.version + 1, updated_at = %(now)s
            FROM import_plan p
            WHERE m.id = p.figure_id AND p.action = '~' AND m.version = p.current_version
            RETURNING {", ".join(f"m.{c}" for c in tracked)})
        {history}{recorded}
        """,
        {**params, "type": "~"},
    )
    if cursor.rowcount != expected_updates:
        raise _Stale()
    _analyze_if_stale(cursor)
    _refresh_latest(cursor)
    # Anonymous readers see published figures: only a figure that is or was published moves their versions on, the
    # national one and those of the provinces it lies in.
    cursor.execute(
        f"SELECT DISTINCT {PROVINCE_OF_SQL.format('r.code')} FROM ({PUBLIC_CHANGES}) AS p "
        f"JOIN {Region._meta.db_table} r ON r.id = p.region_id"
    )
    provinces = [province for (province,) in cursor.fetchall()]
    bump_data_version(public=bool(provinces), provinces=provinces)


def _refresh_latest(cursor):
    """is_latest for the series the import created or changed figures in: the latest published figure of each."""
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_latest ON COMMIT DROP AS
        SELECT s.region_id, s.indicator_id, w.id
        FROM (SELECT DISTINCT * FROM ({PUBLIC_CHANGES}) AS c) AS s
        LEFT JOIN LATERAL (
            SELECT m.id FROM {TABLE} m
            WHERE m.region_id = s.region_id AND m.indicator_id = s.indicator_id AND m.status = %s
            ORDER BY m.as_of DESC LIMIT 1
        ) AS w ON true
        """,
        [PUBLISHED],
    )
    cursor.execute(
        f"UPDATE {TABLE} m SET is_latest = false FROM import_latest l WHERE m.is_latest "
        "AND m.region_id = l.region_id AND m.indicator_id = l.indicator_id AND m.id IS DISTINCT FROM l.id"
    )
    cursor.execute(f"UPDATE {TABLE} m SET is_latest = true FROM import_latest l WHERE m.id = l.id AND NOT m.is_latest")
    cursor.execute("DROP TABLE import_latest")
