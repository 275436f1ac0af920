"""The API's representation of a figure in lists and exports, built from plain values instead of a serializer
per row (the same JSON and CSV, several times cheaper), and as PostgreSQL's own CSV text."""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    TextField,
)
from django.db.models.functions import Cast
from django.utils import timezone

from ..figures.fields import FIELDS, MOMENTS, NAMES, TEXT
from .renderers import spreadsheet_safe_sql  # the CSV rule lives with the CSV writers

# The list representation of a figure, built from one values() row instead of a serializer per object:
# the same JSON (tests compare the two), several times cheaper at 1,000 rows a page. Timestamps come as text
# and are converted once per distinct value: rows written together share them, and parsing timestamps in
# Python was most of the cost of a full export.
FIGURE_VALUES = tuple(f"{field.name}_text" if field.moment else field.value for field in FIELDS)
MOMENT_AT = tuple(index for index, field in enumerate(FIELDS) if field.moment)
AS_OF_AT = NAMES.index("as_of")


def figure_values(queryset):
    """``queryset`` as the tuples figure_dicts() reads."""
    return queryset.annotate(**{f"{name}_text": Cast(name, TextField()) for name in MOMENTS}).values_list(
        *FIGURE_VALUES
    )


def _local_moment(text, zone):
    moment = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(moment):  # SQLite stores UTC without an offset
        moment = moment.replace(tzinfo=datetime.UTC)
    local = timezone.localtime(moment, zone).isoformat()
    return local[:-6] + "Z" if local.endswith("+00:00") else local


def figure_rows(queryset, *, chunk_size=None):
    """Dicts in the API's representation of a figure, in its field order (streamed with ``chunk_size``)."""
    values = figure_values(queryset)
    return figure_dicts(values.iterator(chunk_size=chunk_size) if chunk_size else values)


# The same rows as text written by PostgreSQL itself (COPY … TO STDOUT, see renderers.copy_csv_chunks): each value
# as figure_row() and the csv module write it (text spreadsheet_safe(), as csv_chunks() writes it). Run with TimeZone
# set to the current time zone and DateStyle ISO.
FIGURE_CSV_COLUMNS = tuple((field.value, field.name) for field in FIELDS)


def _iso_moment_sql(column):
    """SQL for a timestamptz as datetime.isoformat() writes it in the session's time zone: microseconds only when
    there are any, the offset as ±HH:MM (with :SS when it has seconds, as some zones had before 1973), Z for +00:00."""
    offset = f"extract(timezone FROM {column})::integer"
    exact_offset = (
        f"CASE WHEN {offset} = 0 THEN 'Z' ELSE CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || lpad((abs({offset}) / 3600)::text, 2, '0') || ':' || lpad((mod(abs({offset}), 3600) / 60)::text, 2, '0')"
        f" || CASE WHEN mod({offset}, 60) <> 0 THEN ':' || lpad(mod(abs({offset}), 60)::text, 2, '0') ELSE '' END END"
    )
    whole = f"date_trunc('second', {column}) = {column}"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL"
        f" WHEN {column} < '1973-01-01T00:00:00Z' THEN to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN {whole} THEN '' ELSE to_char({column}, '.US') END || {exact_offset}"
        f" ELSE replace(to_char({column}, CASE WHEN {whole} THEN 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'"
        f" ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM' END), '+00:00', 'Z') END"
    )


def figure_csv_query(queryset) -> tuple[str, tuple] | None:
    """SQL and parameters of ``queryset``'s figures as rows of text, in its order (for COPY … TO STDOUT), or None
    if its order is not one of the API's."""
    fields = dict(FIGURE_CSV_COLUMNS)
    ordering = []
    for key in queryset.query.order_by:
        name = fields.get(key.lstrip("-")) if isinstance(key, str) else None
        if name is None:
            return None
        ordering.append(f"f.{name} DESC" if key.startswith("-") else f"f.{name}")
    try:
        sql, params = queryset.values_list(*fields).query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets: the ORM's export writes the header alone
        return None
    names = list(fields.values())
    # Text goes through the CSV writers' own rule against formulas (spreadsheet_safe_sql), and empty text is written
    # as nothing, as the csv module does (COPY would write ""). The timestamps are formatted in a LATERAL subquery
    # that PostgreSQL memoizes on the three of them (each named once, so that they are the whole cache key): once
    # per distinct triple, rows written together share one, not once per row.
    values = [
        f"m.{name}"
        if name in MOMENTS
        else f"nullif({spreadsheet_safe_sql(f'f.{name}')}, '')"
        if name in TEXT
        else f"f.{name}"
        for name in names
    ]
    formatted = ", ".join(f"{_iso_moment_sql(f't.{name}')} AS {name}" for name in MOMENTS)
    moments = (
        f" LEFT JOIN LATERAL (SELECT {formatted} FROM (SELECT {', '.join(f'f.{name}' for name in MOMENTS)}"
        " OFFSET 0) AS t) AS m ON true"
    )
    # The outer ORDER BY is the inner one: PostgreSQL sorts once, and the order is guaranteed, not incidental.
    order = f" ORDER BY {', '.join(ordering)}" if ordering else ""
    return f"SELECT {', '.join(values)} FROM ({sql}) AS f ({', '.join(names)}){moments}{order}", params


def figure_dicts(values):
    """figure_values() tuples as the API's figures. The time zone is looked up once, not three times a row, and each
    distinct timestamp is written once: rows written together share them (with hundreds of rows a page, these were
    most of the time the page took)."""
    zone = timezone.get_current_timezone()
    written = {None: None}
    for v in values:
        row = list(v)
        row[AS_OF_AT] = row[AS_OF_AT].isoformat()
        for index in MOMENT_AT:
            text = row[index]
            try:
                row[index] = written[text]
            except KeyError:
                if len(written) > 4096:  # a long export: the timestamps of the rows written last
                    written = {None: None}
                row[index] = written[text] = _local_moment(text, zone)
        yield dict(zip(NAMES, row, strict=True))
