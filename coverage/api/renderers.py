"""CSV for every list and answer: a header row, ISO dates, ``.`` decimals, UTF-8.

Built on djangorestframework-csv. The rows of a paginated list, and of every answer endpoint, are
the objects under ``results``; nested objects become dotted columns (``target.value``). Errors stay
JSON whatever format was asked for, so a client never has to parse an error out of a CSV file.
Text that a spreadsheet would run as a formula is written as text (spreadsheet_safe), in every CSV.
"""

import csv
import io
import re
from decimal import Decimal

import orjson
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer
from rest_framework_csv.renderers import CSVRenderer as LibraryCSVRenderer

# CSV injection (OWASP): a spreadsheet runs a cell that starts with one of these as a formula (tab and carriage
# return because some skip them first). Every CSV written here, by Python or by PostgreSQL, puts TEXT_PREFIX before
# such a text cell, which makes it text (=HYPERLINK(…) becomes '=HYPERLINK(…)). Excel set to Bahasa Indonesia splits
# a CSV file it opens at its list separator, the semicolon, so a trigger after a semicolon inside a text cell starts a
# cell there: it gets the prefix too. Only text: a number is never prefixed, so a negative gap stays -25.52. The one
# rule; spreadsheet_safe_sql() is the same rule in SQL.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEXT_PREFIX = "'"
LIST_SEPARATOR = ";"
_TRIGGER_CLASS = (
    "["
    + "".join(sorted(FORMULA_TRIGGERS, key=lambda c: c == "-")).translate({ord("\t"): "\\t", ord("\r"): "\\r"})
    + "]"
)  # the hyphen last: a character, not a range
_AFTER_SEPARATOR = re.compile(f"({re.escape(LIST_SEPARATOR)})({_TRIGGER_CLASS})")


def spreadsheet_safe(value):
    """``value`` as a CSV cell that a spreadsheet shows and never runs: text starting with one of FORMULA_TRIGGERS, or
    holding one right after LIST_SEPARATOR, gets TEXT_PREFIX there; anything else (numbers, None) is as it is."""
    if not isinstance(value, str):
        return value
    if LIST_SEPARATOR in value:
        value = _AFTER_SEPARATOR.sub(rf"\1{TEXT_PREFIX}\2", value)
    return TEXT_PREFIX + value if value.startswith(FORMULA_TRIGGERS) else value


def spreadsheet_safe_sql(expression: str) -> str:
    """SQL for spreadsheet_safe() of a text ``expression`` (named three times: a column, not a computation), from the
    same constants (PostgreSQL's regular expressions read the same character class)."""
    quote = TEXT_PREFIX.replace("'", "''")
    separated = f"regexp_replace({expression}, '{_AFTER_SEPARATOR.pattern}', '\\1{quote}\\2', 'g')"
    codes = ", ".join(str(ord(c)) for c in FORMULA_TRIGGERS)
    return f"CASE WHEN ascii({expression}) IN ({codes}) THEN '{quote}' || {separated} ELSE {separated} END"


class CSVRenderer(LibraryCSVRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data, renderer_context=renderer_context)
        if response is not None and response.status_code < 300:
            response["Content-Disposition"] = f'attachment; filename="{self.filename(renderer_context)}"'
        view = renderer_context.get("view")
        if hasattr(view, "csv_rows"):
            data = view.csv_rows(data)
        elif isinstance(data, dict) and "results" in data:
            data = data["results"]
        if not data and hasattr(view, "get_serializer"):
            # No rows: still a header, so that an empty export is a valid CSV file with its columns.
            renderer_context = {**renderer_context, "header": csv_columns(view.get_serializer())}
        return super().render(data, media_type, renderer_context)

    @staticmethod
    def filename(renderer_context):
        request = renderer_context.get("request")
        name = request.path.strip("/").removeprefix("api/v1/").replace("/", "-") if request else "export"
        return f"{name or 'export'}.csv"

    def tablize(self, data, header=None, labels=None):
        # Columns in the order the API presents them (the library sorts them alphabetically).
        if not header and data:
            data = [self.flatten_item(item) for item in data]
            header = list(dict.fromkeys(key for item in data for key in item))
            return super().tablize([_Flat(item) for item in data], header=header, labels=labels)
        return super().tablize(data, header=header, labels=labels)

    def flatten_item(self, item):
        if isinstance(item, _Flat):
            return item
        if isinstance(item, bool):
            return {"": "true" if item else "false"}
        if isinstance(item, str):  # every text cell, at any depth: nested objects and lists are flattened here too
            return {"": spreadsheet_safe(item)}
        return super().flatten_item(item)


def csv_columns(serializer):
    """Column names of the rows a serializer produces: the row serializer under results, if any."""
    fields = serializer.fields
    for container in ("results", "region"):
        nested = fields.get(container)
        rows = getattr(nested, "child", nested)
        if hasattr(rows, "fields"):
            fields = rows.fields
            break
    return list(fields)


class _Flat(dict):
    """A row already flattened by tablize."""


def csv_line(values) -> str:
    return "".join(csv_chunks([values]))


def csv_chunks(rows, *, rows_per_chunk=2000):
    """CSV text of ``rows`` (sequences of values) in chunks of many rows: one writer, not one per row. Text is
    written spreadsheet_safe()."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, values in enumerate(rows, start=1):
        writer.writerow(["true" if v is True else "false" if v is False else spreadsheet_safe(v) for v in values])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def copy_csv_chunks(header, sql, params, *, chunk_bytes=1 << 16):
    """PostgreSQL: the CSV of ``sql``'s rows written by the database itself (COPY … TO STDOUT), streamed in chunks
    of about ``chunk_bytes``: what csv_chunks() writes from the same values (``sql`` makes them the same text),
    header and \\r\\n line ends included. One transaction (one snapshot), constant memory. The caller (the WSGI
    server) must close the generator if it stops early: that cancels the COPY."""
    yield csv_line(header).encode()
    with transaction.atomic(), connection.cursor() as cursor:
        # The time zone and date style the text depends on; no JIT, whose compilation costs more than it saves here.
        names = ("TimeZone", "DateStyle", "jit")
        cursor.execute(
            "SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('jit'), "
            "set_config('TimeZone', %s, true), set_config('DateStyle', 'ISO', true), set_config('jit', 'off', true)",
            [timezone.get_current_timezone_name()],
        )
        before = cursor.fetchone()[:3]
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            rows, size = [], 0
            for row in copy:  # one row per message
                rows.append(row)
                size += len(row)
                if size >= chunk_bytes:
                    yield _crlf(b"".join(rows))
                    rows, size = [], 0
            if rows:
                yield _crlf(b"".join(rows))
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
            [item for pair in zip(names, before, strict=True) for item in pair],
        )


def _crlf(chunk: bytes) -> bytes:
    """COPY ends rows with \\n, the csv module with \\r\\n; a line break inside a quoted value stays as it is.
    ``chunk`` holds whole rows, so it starts outside quotes."""
    if b'"' not in chunk:
        return chunk.replace(b"\n", b"\r\n")
    parts = chunk.split(b'"')
    parts[::2] = [part.replace(b"\n", b"\r\n") for part in parts[::2]]
    return b'"'.join(parts)


def _default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Promise):  # lazy translations in error messages
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class ORJSONRenderer(JSONRenderer):
    """The same JSON as DRF's renderer (compact, UTF-8, decimals as numbers), several times faster."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATACLASS)
