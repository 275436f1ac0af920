"""Write logic beyond CRUD."""

import csv
import datetime
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..figures import access
from ..figures.fields import EXPORT_ONLY, IMPORTED, STAGED, WRITTEN
from ..figures.latest import refresh_latest
from ..figures.values import INDICATOR_CODE, UNKNOWN_INDICATOR
from ..models import (
    EARLIEST_DATE,
    MAX_COUNT,
    PERCENT_MAX,
    Door,
    Indicator,
    Measurement,
    Region,
    Source,
    percentage,
)
from ..models.history import current_api_key
from ..models.versions import bump_data_version
from ..regions.codes import KEMENDAGRI_CODE, UNKNOWN_REGION, check_region_code

# --- Bulk import of figures -------------------------------------------------------------------------------

# Import columns are the API's field names (coverage.figures.fields), so that a file exported with ?format=csv imports
# back unchanged; an export's other columns say nothing new about a figure, and are ignored.
# The errors a report lists in full (in file order); ``error_count`` says how many there are in all.
MAX_LISTED_ERRORS = 1_000
# The most a multipart form adds to the file it carries (boundaries, headers, the other fields).
FORM_OVERHEAD = 64 * 1024

# An XLSX file is a ZIP archive of XML parts. Its directory is checked before anything is unpacked: Python's
# zipfile never unpacks a member past the size the directory declares (it stops there, and a member whose data
# runs on fails its CRC check), so the declared sizes bound what reading can cost.
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_DIRECTORY = 1024 * 1024  # bytes of the central directory (each member's entry), parsed whole by zipfile
XLSX_MAX_RATIO = 100  # unpacked / packed size of a member over 1 MiB; sheets measure 10–20, bombs 300–1,000
XLSX_RATIO_FROM = 1024 * 1024
XLSX_MAX_PART = 4 * 1024 * 1024  # a part read whole: any but the sheets and shared strings (styles, workbook…)
# Budgets per row the door takes (rows + 1, so that one row too many is seen and refused as such): bytes the
# archive may unpack to (the widest row, an export's 15 columns written as text, takes ~720; the sheet is read as it
# streams, so this bounds the time to read it, not memory: empty cells are read though no row counts them), and the
# entries of the shared-strings table and their characters (held whole while the sheet is read; counted as it
# streams).
XLSX_BYTES_PER_ROW = 4096
XLSX_STRINGS_PER_ROW = 16
XLSX_CHARACTERS_PER_ROW = 256
XLSX_LAST_ROW = 1_048_576  # Excel's last row
XLSX_MAX_CELL = 32_767  # characters of a cell (Excel's own limit), and of a shared text


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX/JSON, no header, wrong columns, too large)."""

    def __init__(self, message, *, code="invalid_file", status=400):
        super().__init__(message)
        self.code, self.status = code, status


@dataclass(frozen=True)
class ImportLimits:
    """What one import may hold, checked by ``read_table`` (and, for a request, before its body is read) for every
    door: one byte limit for all, and the rows of a door. The API and the admin run inside a worker's timeout and
    take ``web_limits()``; the command runs without one and takes ``command_limits()``."""

    max_bytes: int
    max_rows: int
    web: bool

    def check_bytes(self, size: int | None) -> None:
        """413 ``request_too_large`` for a file (or JSON body) of more than ``max_bytes``."""
        if size is not None and size > self.max_bytes:
            raise ImportFileError(
                _("The file has %(size)s bytes; one import takes at most %(max)s (%(mb)s MB). Split it.")
                % {"size": f"{size:,}", "max": f"{self.max_bytes:,}", "mb": f"{self.max_bytes / 1024 / 1024:g}"},
                code="request_too_large",
                status=413,
            )

    def check_request(self, content_length: int | None, *, form: bool) -> None:
        """The byte limit on a request's declared length, before its body is read (a form may carry its file with
        FORM_OVERHEAD bytes more)."""
        if content_length is not None and content_length > self.max_bytes + (FORM_OVERHEAD if form else 0):
            raise ImportFileError(
                _("The request has %(size)s bytes; one import takes at most %(max)s (%(mb)s MB). Split the file.")
                % {
                    "size": f"{content_length:,}",
                    "max": f"{self.max_bytes:,}",
                    "mb": f"{self.max_bytes / 1024 / 1024:g}",
                },
                code="request_too_large",
                status=413,
            )

    def check_rows(self, rows: int) -> None:
        """413 ``too_many_rows`` once a file is seen to hold more than ``max_rows`` rows (reading stops there)."""
        if rows <= self.max_rows:
            return
        if self.web:
            message = _(
                "More than %(max)s rows: the API and the admin take at most %(max)s rows per import. Split the "
                "file, or import it with the command (manage.py import_measurements, up to %(command)s rows)."
            ) % {"max": f"{self.max_rows:,}", "command": f"{settings.IMPORT_MAX_ROWS:,}"}
        else:
            message = _("More than %(max)s rows; one import takes at most %(max)s. Split the file.") % {
                "max": f"{self.max_rows:,}"
            }
        raise ImportFileError(message, code="too_many_rows", status=413)


def web_limits() -> ImportLimits:
    """The API's and the admin's limits: IMPORT_MAX_BYTES and IMPORT_MAX_WEB_ROWS."""
    return ImportLimits(settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_WEB_ROWS, web=True)


def command_limits() -> ImportLimits:
    """The command's limits: IMPORT_MAX_BYTES and IMPORT_MAX_ROWS."""
    return ImportLimits(settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS, web=False)


@dataclass
class RowError:
    line: int
    column: str | None
    code: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_LISTED_ERRORS, in file order
    error_count: int = 0  # all of them
    rejected: int = 0  # rows with at least one error
    changes: list[dict] = field(default_factory=list)  # a sample of what was (or would be) written

    def set_errors(self, errors: list[RowError]) -> None:
        errors = sorted(errors, key=lambda e: (e.line, e.column or ""))
        self.error_count, self.rejected = len(errors), len({error.line for error in errors})
        self.errors = errors[:MAX_LISTED_ERRORS]

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.error_count


class Table(Sequence):
    """The rows of a CSV file as read: a header, and per row its line number and cells (as many as columns).

    Iterates as (line number, {column: text}) pairs like any other rows; the import reads it column by column."""

    def __init__(self, header, lines, cells):
        self.header, self.lines, self.cells = header, lines, cells

    def __len__(self):
        return len(self.lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        cells = zip(self.header, self.cells[index], strict=True)
        return self.lines[index], {name: cell for name, cell in cells if name}

    def column(self, name) -> list | None:
        """Every row's text in column ``name``, or None if the file has no such column."""
        if name not in self.header:
            return None
        index = self.header.index(name)
        return [cells[index] for cells in self.cells]


def read_table(
    source, *, limits: ImportLimits, filename: str = "", content_type: str = ""
) -> Sequence[tuple[int, dict]]:
    """(line number, row) pairs of a CSV, XLSX or JSON file (bytes, or a binary file open for reading); line numbers
    are those a person sees.

    Every door reads its file here, within its ``limits``: the bytes first, then the rows, counted while reading,
    which stops at the first row too many (413); an XLSX archive is checked before it is unpacked. A file as Excel
    may save it for Indonesian settings (UTF-16, separated by semicolons or tabs) is refused, saying how to export
    it instead."""
    from django.core.files import File

    file = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    file = file.file if isinstance(file, File) else file  # an upload: the file it holds
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    limits.check_bytes(size)
    head = file.read(4096)
    file.seek(0)
    kind = _file_kind(filename, content_type, head)
    if kind == "xlsx":
        return _xlsx_rows(file, size, limits)
    _refuse_utf16(head)
    if kind == "json":
        return _json_rows(file.read(), limits)
    return _csv_rows(file, limits)


def _csv_rows(file, limits) -> Table:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = _check_header(_check_separator(next(reader, [])))
        width, named = len(header), all(header)
        lines, rows = [], []
        for cells in reader:
            # The usual row (all its cells, the first one filled) as it is; any other one checked, and padded.
            if not (len(cells) == width and named and cells[0] and not cells[0].isspace()):
                if not any(cell.strip() for cell in cells):
                    continue
                _named_cells(header, cells, reader.line_num)
                cells = (cells + [""] * width)[:width]
            lines.append(reader.line_num)
            rows.append(cells)
            limits.check_rows(len(rows))
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text (near line %(line)s). %(how)s")
            % {"line": reader.line_num + 1, "how": _how_to_export()}
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": str(exc)[:200]}
        ) from None
    finally:
        text.detach()  # the file stays open: it is the caller's
    return Table(header, lines, rows)


def _how_to_export():
    return _('Upload the workbook itself (.xlsx), or save it from Excel as "CSV UTF-8 (Comma delimited) (*.csv)".')


def _refuse_utf16(head: bytes) -> None:
    """UTF-16 (Excel's "Unicode Text"), with a byte order mark or without: every other byte of its Latin text is 0."""
    even, odd = head[0::2], head[1::2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(head) >= 8 and max(even.count(0), odd.count(0)) > len(head) // 4 > min(even.count(0), odd.count(0))
    ):
        raise ImportFileError(
            _('The file is UTF-16 text (as Excel saves "Unicode Text"), not UTF-8. %(how)s')
            % {"how": _how_to_export()},
            code="utf16",
        )


def _check_separator(cells: list[str]) -> list[str]:
    """The header's cells, unless the file is separated by semicolons (Excel's CSV where the decimal separator is a
    comma, as in Indonesian settings) or tabs ("Text (Tab delimited)"): then the column names run together."""

    def separated_by(separator):
        parts = {part.strip().strip('"') for cell in cells for part in cell.split(separator)}
        return any(separator in cell for cell in cells) and {"region", "indicator"} <= parts

    if separated_by(";"):
        raise ImportFileError(
            _(
                "The columns are separated by semicolons (;), not commas: Excel saves CSV so where Windows' list "
                "separator is a semicolon (Indonesian settings, where the decimal separator is a comma). Upload the "
                'workbook itself (.xlsx), or set Windows\' list separator to "," and decimal symbol to "." (Region → '
                'Additional settings) and save again as "CSV UTF-8 (Comma delimited) (*.csv)".'
            ),
            code="semicolon_separated",
        )
    if separated_by("\t"):
        raise ImportFileError(
            _('The columns are separated by tabs, not commas (as Excel saves "Text (Tab delimited)"). %(how)s')
            % {"how": _how_to_export()},
            code="tab_separated",
        )
    return cells


def _json_rows(content: bytes, limits) -> list[tuple[int, dict]]:
    """The objects of a JSON array, decoded one by one and counted: reading stops at the first row too many."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("A JSON file must be UTF-8.")) from None
    decoder, items = json.JSONDecoder(), []
    try:
        position = _json_space(text, 0)
        if not text.startswith("[", position):
            raise ImportFileError(_("Expected a JSON array of objects, one per figure."))
        position = _json_space(text, position + 1)
        if text.startswith("]", position):
            position += 1
        else:
            while True:
                item, position = decoder.raw_decode(text, position)
                if not isinstance(item, dict):
                    raise ImportFileError(_("Expected a JSON array of objects, one per figure."))
                items.append(item)
                limits.check_rows(len(items))
                position = _json_space(text, position)
                if text.startswith("]", position):
                    position += 1
                    break
                if not text.startswith(",", position):
                    raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
                position = _json_space(text, position + 1)
        if _json_space(text, position) < len(text):
            raise json.JSONDecodeError("Extra data", text, position)
    except ImportFileError:
        raise
    except (ValueError, RecursionError) as exc:
        raise ImportFileError(_("Not valid JSON: %(error)s") % {"error": str(exc)[:200]}) from None
    return rows_from_objects(items)


def _json_space(text, position):
    while position < len(text) and text[position] in " \t\n\r":
        position += 1
    return position


def rows_from_objects(data) -> list[tuple[int, dict]]:
    """Rows of a JSON array of objects; the "line" of a row is its position, from 1."""
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError(_("Expected a JSON array of objects, one per figure."))
    _check_header(sorted({key for item in data for key in item}))
    return [(index, {k: ("" if v is None else v) for k, v in item.items()}) for index, item in enumerate(data, start=1)]


def _file_kind(filename, content_type, head):
    name = filename.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 compound file: Excel 97–2003
        raise ImportFileError(
            _('This is an old Excel 97–2003 workbook (.xls). Save it as "Excel Workbook (*.xlsx)" and upload that.'),
            code="xls",
        )
    if name.endswith(".xlsx") or "spreadsheetml" in content_type or head[:2] == b"PK":
        return "xlsx"
    if name.endswith(".json") or "json" in content_type or head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _named_cells(header, cells, line):
    """A row as {column: text}; a value in a column without a name (or beyond the header) is refused."""
    if any(str(cell).strip() for name, cell in zip(header, cells, strict=False) if not name) or any(
        str(cell).strip() for cell in cells[len(header) :]
    ):
        raise ImportFileError(
            _("Line %(line)s has a value in a column without a name.") % {"line": line}, code="unnamed_column"
        )
    return {name: cell for name, cell in zip(header, cells, strict=False) if name}


def _check_header(columns):
    """The header's column names, checked: known, none twice, the key columns present."""
    columns = [str(c).strip() for c in columns]
    named = [c for c in columns if c]
    unknown = [c for c in named if c not in IMPORTED and c not in EXPORT_ONLY]
    if unknown:
        raise ImportFileError(
            _("Unknown column(s): %(columns)s. Columns are the API's field names: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(IMPORTED)},
            code="unknown_column",
        )
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise ImportFileError(
            _("Column(s) named twice: %(columns)s.") % {"columns": ", ".join(twice)}, code="duplicate_column"
        )
    missing = [c for c in ("region", "indicator", "as_of") if c not in named]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}, code="missing_column"
        )
    return columns


def _xlsx_too_large(message, **params):
    return ImportFileError(message % params, code="xlsx_too_large")


def _check_archive(file, size, limits) -> None:
    """The XLSX (ZIP) archive's directory, before anything is unpacked: members, their declared sizes and ratios,
    within the limits of a file the door may take (``XLSX_*`` above)."""
    import zipfile

    entries, directory = _zip_directory(file, size)
    if entries > XLSX_MAX_MEMBERS or directory > XLSX_MAX_DIRECTORY:
        raise _xlsx_too_large(
            _("The archive holds %(entries)s parts; a workbook holds a few dozen (at most %(max)s)."),
            entries=f"{entries:,}",
            max=f"{XLSX_MAX_MEMBERS:,}",
        )
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # a directory that lies about itself
        raise ImportFileError(_("Not a readable XLSX file: %(error)s") % {"error": str(exc)[:200]}) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise _xlsx_too_large(
            _("The archive holds %(entries)s parts; a workbook holds a few dozen (at most %(max)s)."),
            entries=f"{len(members):,}",
            max=f"{XLSX_MAX_MEMBERS:,}",
        )
    rows = limits.max_rows + 1
    total, most = 0, rows * XLSX_BYTES_PER_ROW + XLSX_MAX_PART
    for member in members:
        mb = f"{member.file_size / 1024 / 1024:,.1f}"
        if member.file_size > XLSX_RATIO_FROM and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
            raise _xlsx_too_large(
                _(
                    "%(name)s unpacks to %(mb)s MB, %(ratio)s times its packed size: a spreadsheet packs at most "
                    "%(max)s times. The file is refused unread."
                ),
                name=member.filename[:100],
                mb=mb,
                ratio=f"{member.file_size // max(member.compress_size, 1):,}",
                max=XLSX_MAX_RATIO,
            )
        # Parts read whole; not the sheets and the shared strings, which are read as they stream.
        name = member.filename.lower()
        whole = not name.startswith("xl/worksheets/") and not name.endswith("sharedstrings.xml")
        if whole and member.file_size > XLSX_MAX_PART:
            raise _xlsx_too_large(
                _(
                    "%(name)s unpacks to %(mb)s MB; an import reads at most %(max)s MB of it. Copy the figures alone "
                    "into a new workbook."
                ),
                name=member.filename[:100],
                mb=mb,
                max=XLSX_MAX_PART // 1024 // 1024,
            )
        total += member.file_size
    if total > most:
        raise _xlsx_too_large(
            _(
                "The workbook unpacks to %(mb)s MB, more than %(max)s MB: the size of %(rows)s rows, the most one "
                "import takes. Split it, or copy the figures alone into a new workbook."
            ),
            mb=f"{total / 1024 / 1024:,.1f}",
            max=f"{most / 1024 / 1024:,.0f}",
            rows=f"{limits.max_rows:,}",
        )


def _zip_directory(file, size) -> tuple[int, int]:
    """(entries, bytes) of a ZIP archive's central directory as its end record says, found the way zipfile finds
    it (the last record, ZIP64's if there is one), before zipfile reads the directory whole."""
    import struct

    tail_size = min(size, 22 + 65_535 + 20 + 56)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    if tail[-22:-18] == b"PK\x05\x06" and tail[-2:] == b"\0\0":
        end = len(tail) - 22
    else:
        end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        raise ImportFileError(_("Not a readable XLSX file: not a ZIP archive."))
    *_ignored, entries, directory, _offset, _comment = struct.unpack("<4s4H2LH", tail[end : end + 22])
    if end >= 76 and tail[end - 20 : end - 16] == b"PK\x06\x07" and tail[end - 76 : end - 72] == b"PK\x06\x06":
        entries, directory = struct.unpack("<QQ", tail[end - 76 + 32 : end - 76 + 48])
    return entries, directory


def _xlsx_rows(file, size, limits):
    """(line, row) pairs of the workbook's first sheet: the archive checked first, then the sheet and its shared
    strings parsed as they stream (openpyxl reads the parts read whole: content types, workbook, styles)."""
    _check_archive(file, size, limits)
    file.seek(0)
    header, rows = None, []
    try:
        book = _workbook(file, limits)
        with book.archive, book.archive.open(book.sheet) as source:
            for line, cells in _sheet_rows(source, book):
                if header is None:
                    # Line 1 holds the column names (a sheet without it has none, which _check_header says).
                    header = _check_header(_header_names(cells, book) if line == 1 else [])
                    width = len(header)
                    if line == 1:
                        continue
                row, filled = {}, False
                for column, (value, style) in cells.items():
                    text = _xlsx_text(value, style in book.percent)
                    if column <= width and header[column - 1]:
                        row[header[column - 1]] = text
                    elif text.strip():
                        raise ImportFileError(
                            _("Line %(line)s has a value in a column without a name.") % {"line": line},
                            code="unnamed_column",
                        )
                    filled = filled or bool(text)
                if filled:
                    rows.append((line, row))
                    limits.check_rows(len(rows))
    except ImportFileError:
        raise
    except Exception as exc:  # a broken archive or part: zipfile, expat and openpyxl raise many kinds
        raise ImportFileError(_("Not a readable XLSX file: %(error)s") % {"error": str(exc)[:200]}) from None
    if header is None:
        _check_header([])
    return rows


def _header_names(cells, book) -> list[str]:
    """Column names by position (1 = A), up to the last one named."""
    texts = {column: _xlsx_text(value, style in book.percent).strip() for column, (value, style) in cells.items()}
    names = [""] * max((column for column, text in texts.items() if text), default=0)
    for column, text in texts.items():
        if column <= len(names):
            names[column - 1] = text
    return names


@dataclass
class _Workbook:
    archive: object  # zipfile.ZipFile
    sheet: str  # the first worksheet's part
    strings: list[str]
    epoch: datetime.datetime
    dates: set[int]  # styles that show a number as a date or time
    durations: set[int]  # … as a duration
    percent: set[int]  # … as a percentage


def _workbook(file, limits) -> _Workbook:
    """What the sheet's cells need from the workbook: the first worksheet, the shared strings (bounded while read)
    and the styles. openpyxl reads the manifest, the workbook and the styles; nothing else."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    reader = ExcelReader(file, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        part = reader.package.find(SHARED_STRINGS)
        strings = []
        if part is not None:
            with reader.archive.open(part.PartName[1:]) as source:
                strings = _shared_strings(source, limits)
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheet = next(
            (
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if "chartsheet" not in rel.Type and rel.target in reader.valid_files
            ),
            None,
        )
        if sheet is None:
            raise ImportFileError(_("The workbook has no sheet."))
        workbook = reader.wb
        formats = [
            BUILTIN_FORMATS.get(style.numFmtId, "General")
            if style.numFmtId < BUILTIN_FORMATS_MAX_SIZE
            else workbook._number_formats[style.numFmtId - BUILTIN_FORMATS_MAX_SIZE]
            for style in workbook._cell_styles
        ]
    except BaseException:
        reader.archive.close()
        raise
    return _Workbook(
        archive=reader.archive,
        sheet=sheet,
        strings=strings,
        epoch=workbook.epoch,
        dates=set(workbook._date_formats),
        durations=set(workbook._timedelta_formats),
        percent={index for index, code in enumerate(formats) if "%" in code},
    )


def _cell_too_long(line=None):
    where = _(" (line %(line)s)") % {"line": f"{line:,}"} if line else ""
    return _xlsx_too_large(
        _("A cell holds more than %(max)s characters, more than Excel allows%(where)s."),
        max=f"{XLSX_MAX_CELL:,}",
        where=where,
    )


def _parser(start, end, text):
    """An expat parser with these handlers (element names as written: with their prefix, if any), refusing a DOCTYPE
    (so no entity can expand)."""
    from xml.parsers import expat

    def doctype(*args):
        raise ImportFileError(_("Not a readable XLSX file: a part declares a DOCTYPE."))

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    return parser


def _shared_strings(source, limits) -> list[str]:
    """The shared-strings table, parsed as it streams and refused as soon as it holds more texts or characters than
    the rows the door takes can need (a table that unpacks to 400 MB costs nothing past that)."""
    rows = limits.max_rows + 1
    most_strings, most_characters = rows * XLSX_STRINGS_PER_ROW, rows * XLSX_CHARACTERS_PER_ROW
    strings, parts, path = [], [], []
    characters = 0

    def too_many():
        return _xlsx_too_large(
            _(
                "The workbook's shared texts are more than %(rows)s rows can hold (%(strings)s texts, %(characters)s "
                "characters). Copy the figures alone into a new workbook."
            ),
            rows=f"{limits.max_rows:,}",
            strings=f"{most_strings:,}",
            characters=f"{most_characters:,}",
        )

    def start(name, attributes):
        path.append(name.rpartition(":")[2])

    def end(name):
        name = path.pop()
        if name == "si":
            strings.append("".join(parts).replace("x005F_", ""))  # as openpyxl reads them
            parts.clear()
            if len(strings) > most_strings:
                raise too_many()

    def text(data):
        nonlocal characters
        # The text of <si><t>, and of the runs <si><r><t> of a formatted text; not phonetic hints (<rPh>).
        if path[-2:] == ["si", "t"] or path[-3:] == ["si", "r", "t"]:
            characters += len(data)
            if characters > most_characters:
                raise too_many()
            parts.append(data)
            if sum(map(len, parts)) > XLSX_MAX_CELL:
                raise _cell_too_long()

    parser = _parser(start, end, text)
    while chunk := source.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


def _sheet_rows(source, book):
    """(line, {column: (value, style)}) of each row of a worksheet part, parsed as it streams: the values openpyxl
    gives (numbers, dates where the style shows one, texts, booleans; a formula's last value), only the cells the
    file holds, and nothing kept of a row once given."""
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    done, row, value, columns = [], {}, [], {}
    line = column = style = 0
    kind, in_cell, collecting, phonetic = "n", False, False, False

    def start(name, attributes):
        nonlocal line, column, style, kind, in_cell, collecting, phonetic
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            reference = attributes.get("r")
            if reference:
                letters = reference.rstrip("0123456789")
                column = columns.get(letters) or columns.setdefault(letters, _column_number(letters, reference))
            else:
                column += 1
            if column > 16_384:
                raise ImportFileError(_("Not a readable XLSX file: a cell beyond column XFD."))
            kind, style = attributes.get("t", "n"), int(attributes.get("s") or 0)
            in_cell = True
            value.clear()
        elif in_cell:
            if name == "v" or (name == "t" and not phonetic):  # <v>, or the text of an inline string <is>
                collecting = True
            elif name == "rPh":  # a phonetic hint, not part of the text
                phonetic = True
        elif name == "row":
            number = attributes.get("r")
            line = int(float(number)) if number else line + 1
            column = 0
            if not 1 <= line <= XLSX_LAST_ROW:
                raise ImportFileError(_("Not a readable XLSX file: row %(line)s.") % {"line": str(number)[:20]})

    def end(name):
        nonlocal in_cell, collecting, phonetic
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            row[column] = (_cell_value("".join(value)), style)
            in_cell = collecting = False
        elif name == "v" or name == "t":
            collecting = False
        elif name == "rPh":
            phonetic = False
        elif name == "row":
            done.append((line, row.copy()))
            row.clear()

    def text(data):
        if collecting:
            value.append(data)
            if sum(map(len, value)) > XLSX_MAX_CELL:
                raise _cell_too_long(line)

    def _cell_value(text):
        if kind == "inlineStr":
            return text
        if not text:
            return None
        if kind == "n":
            number = float(text) if "." in text or "e" in text or "E" in text else int(text)
            if style in book.dates:
                try:
                    return from_excel(number, book.epoch, timedelta=style in book.durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            index = int(text)
            if not 0 <= index < len(book.strings):  # -1 would be the last text, without a word
                raise IndexError(f"shared string {text} of {len(book.strings)}")
            return book.strings[index]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error such as #DIV/0!)

    parser = _parser(start, end, text)
    chunk = True
    while chunk:
        chunk = source.read(64 * 1024)
        try:
            parser.Parse(chunk, not chunk)
        finally:  # the rows before a fault first: a reader that stops at a row too many never meets it
            yield from done
            done.clear()


def _column_number(letters, reference) -> int:
    """1 for A, 27 for AA… of a cell reference such as AA12."""
    if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        raise ImportFileError(_("Not a readable XLSX file: cell %(cell)s.") % {"cell": reference[:20]})
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _xlsx_text(value, percent: bool) -> str:
    """A cell's value as the text the import reads: what the sheet shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and percent:
        # A cell shown as 50% holds 0.5: the figure meant is what is shown.
        return str((Decimal(str(value)) * 100).normalize())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _RowChecker:
    """Validates the rows against the rules of Measurement, column by column, with every lookup done beforehand.

    Each distinct text of a column is checked once (a file of 100,000 figures holds a few hundred region codes,
    dates and sources, some thousand values), and every row with a bad cell is named, with its line and column.
    """

    def __init__(self, lines, columns, *, default_source, actor):
        self.errors: list[RowError] = []
        self.lines, self.columns = lines, columns
        self.actor = actor  # rows outside its regions are refused (coverage.figures.access)
        self.default_source = default_source
        self.today = timezone.localdate()
        # Only well-formed codes reach the database (a NUL byte would be a database error, not a bad row).
        codes = {code.strip() for code in set(columns["region"])}
        codes = {code for code in codes if KEMENDAGRI_CODE.fullmatch(code)}
        self.regions = dict(Region.objects.filter(code__any_of=codes).values_list("code", "id"))
        names = {name.strip() for name in set(columns["indicator"])}
        names = {name for name in names if INDICATOR_CODE.fullmatch(name)}
        self.indicators = dict(Indicator.objects.filter(code__any_of=names).values_list("code", "id"))
        self.sources = set(Source.objects.values_list("id", flat=True))
        self.bad: set[int] = set()  # indexes of the rows refused so far

    def fail(self, line, column, code, message):
        self.errors.append(RowError(line, column, code, str(message)))

    def check(self) -> "CheckedFigures":
        """The figures of the rows without a bad cell, in file order; the others are named in ``errors``."""
        numerators = self._column("numerator", lambda text: self._count(0, "numerator", text, minimum=0))
        denominators = self._column("denominator", lambda text: self._count(0, "denominator", text, minimum=1))
        counted = []
        if numerators.count(None) < len(numerators):  # some counts given
            counted = [i for i, (n, d) in enumerate(zip(numerators, denominators, strict=True)) if n is not None and d]
        values = self._column("value", lambda text: self._value(0, text, None, None), skip=set(counted))
        for index in counted:  # the value must match the counts (or is derived from them): row by row
            before = len(self.errors)
            text = self.columns["value"][index].strip()
            values[index] = self._value(self.lines[index], text, numerators[index], denominators[index])
            if len(self.errors) > before:
                self.bad.add(index)
        figures = CheckedFigures(
            lines=self.lines,
            region_id=self._column("region", lambda text: self._region(0, text)),
            indicator_id=self._column("indicator", lambda text: self._indicator(0, text)),
            as_of=self._column("as_of", lambda text: self._date(0, text)),
            value=values,
            numerator=numerators,
            denominator=denominators,
            source_id=self._column("source", lambda text: self._source(0, text)),
            status=self._column("status", lambda text: self._status(0, text)),
        )
        if self.bad:
            figures = figures.only([i for i in range(len(self.lines)) if i not in self.bad])
        keys = list(zip(figures.region_id, figures.indicator_id, figures.as_of, strict=True))
        if len(set(keys)) < len(keys):
            seen, twice = {}, set()
            for index, (line, key) in enumerate(zip(figures.lines, keys, strict=True)):
                if key in seen:
                    self.fail(
                        line,
                        None,
                        "duplicate",
                        _("Same region, indicator and as_of as line %(line)s.") % {"line": seen[key]},
                    )
                    twice.add(index)
                else:
                    seen[key] = line
            figures = figures.only([i for i in range(len(figures)) if i not in twice])
        return figures

    def _column(self, name, check, *, skip=frozenset()):
        """check(text) of each row's cell in column ``name``; a failed check names every row with that text."""
        texts = self.columns[name]
        results, refused = {}, {}
        for text in set(texts) if not skip else {t for i, t in enumerate(texts) if i not in skip}:
            before = len(self.errors)
            results[text] = check(text.strip())
            if len(self.errors) > before:
                refused[text] = self.errors[before:]
                del self.errors[before:]
        if refused:
            for index, text in enumerate(texts):
                if text in refused and index not in skip:
                    self.bad.add(index)
                    line = self.lines[index]
                    self.errors += [RowError(line, e.column, e.code, e.message) for e in refused[text]]
        if skip:
            return [None if i in skip else results[text] for i, text in enumerate(texts)]
        return list(map(results.__getitem__, texts))

    def _region(self, line, code):
        if not code:
            return self.fail(line, "region", "required", _("A region code is required."))
        if code in self.regions:
            try:
                access.check_may_write_figure(self.actor, region=code)
            except access.AccessDenied as exc:
                return self.fail(line, "region", exc.code, str(exc))
            return self.regions[code]
        try:
            check_region_code(code)
        except ValidationError as exc:
            if exc.code == "bps_code":
                return self.fail(line, "region", "bps_code", exc.messages[0])
        return self.fail(line, "region", "unknown_region", UNKNOWN_REGION % {"value": code[:50]})

    def _indicator(self, line, code):
        if not code:
            return self.fail(line, "indicator", "required", _("An indicator code is required."))
        if code not in self.indicators:
            return self.fail(line, "indicator", "unknown_indicator", UNKNOWN_INDICATOR % {"value": code[:50]})
        return self.indicators[code]

    def _date(self, line, text):
        if not text:
            return self.fail(line, "as_of", "required", _("The date (as_of) is required."))
        try:
            as_of = datetime.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            as_of = None
        if as_of is None:
            return self.fail(
                line, "as_of", "invalid", _("%(text)s is not a real date as YYYY-MM-DD.") % {"text": text[:50]}
            )
        if as_of > self.today + datetime.timedelta(days=1):
            return self.fail(line, "as_of", "future_date", _("%(date)s is in the future.") % {"date": text})
        if as_of < EARLIEST_DATE:
            return self.fail(line, "as_of", "date_too_early", _("A figure cannot describe a date before 1900."))
        return as_of

    def _count(self, line, column, text, *, minimum):
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,19}", text):
            if re.fullmatch(r"[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*", text):
                return self.fail(
                    line,
                    column,
                    "invalid",
                    _("%(text)s is not a whole number of people: write it without thousands separators (%(plain)s).")
                    % {"text": text, "plain": re.sub(r"[.,]", "", text)},
                )
            return self.fail(
                line, column, "invalid", _("%(text)s is not a whole number of people.") % {"text": text[:50]}
            )
        count = int(text)
        if count < minimum:
            return self.fail(line, column, "min_value", _("The denominator must be greater than 0."))
        if count > MAX_COUNT:
            return self.fail(
                line,
                column,
                "max_value",
                _("%(count)s is more than 1,000,000,000 (10^9), the largest count of people a figure may give.")
                % {"count": text},
            )
        return count

    def _value(self, line, text, numerator, denominator):
        value = None
        if text:
            if re.fullmatch(r"[0-9]+,[0-9]+", text):
                return self.fail(
                    line,
                    "value",
                    "decimal_comma",
                    _(
                        "%(text)s has a decimal comma: write %(point)s, with a point. Excel writes a comma where "
                        "Windows' decimal symbol is one (Indonesian settings): upload the workbook itself (.xlsx), or "
                        'set the decimal symbol to "." before saving as CSV.'
                    )
                    % {"text": text, "point": text.replace(",", ".")},
                )
            try:
                value = Decimal(text)
            except InvalidOperation:
                return self.fail(line, "value", "invalid", _("%(text)s is not a number.") % {"text": text[:50]})
            if not value.is_finite():
                return self.fail(line, "value", "invalid", _("%(text)s is not a number.") % {"text": text[:50]})
            if value.as_tuple().exponent < -2:
                return self.fail(
                    line, "value", "max_decimal_places", _("At most 2 decimal places (%(text)s).") % {"text": text}
                )
            if value < 0:
                return self.fail(line, "value", "min_value", _("A percentage cannot be negative."))
            if value > PERCENT_MAX:
                return self.fail(line, "value", "max_value", _("A percentage must be below 1000."))
        if numerator is not None and denominator:
            expected = percentage(numerator, denominator)
            if expected > PERCENT_MAX:
                return self.fail(
                    line,
                    "value",
                    "counts_out_of_range",
                    _("The counts give %(expected)s, not a possible percentage.") % {"expected": expected},
                )
            if value is None:
                return expected
            if value != expected:
                return self.fail(
                    line,
                    "value",
                    "value_counts_mismatch",
                    _("%(value)s does not match the counts: 100 × %(numerator)s / %(denominator)s = %(expected)s.")
                    % {"value": text, "numerator": numerator, "denominator": denominator, "expected": expected},
                )
        if value is None:
            return self.fail(line, "value", "required", _("Give the value, or both numerator and denominator."))
        return value.quantize(Decimal("0.01"))

    def _source(self, line, text):
        if not text:
            if self.default_source is None:
                return self.fail(
                    line, "source", "required", _("Give the source (its id) in the file or for the whole import.")
                )
            return self.default_source
        if not re.fullmatch(r"[0-9]{1,18}", text) or int(text) not in self.sources:
            return self.fail(line, "source", "unknown_source", _("Unknown source id: %(text)s.") % {"text": text[:50]})
        return int(text)

    def _status(self, line, text):
        if not text:
            return None  # an existing figure keeps its status; a new one gets the importer's default
        if text not in Measurement.Status.values:
            return self.fail(
                line,
                "status",
                "invalid_choice",
                _("Status is draft, verified or published, not %(text)s.") % {"text": text[:30]},
            )
        return text


CHANGE_SAMPLE = 50


@dataclass
class CheckedFigures:
    """The rows that passed every check, in file order, column by column (the model's field names)."""

    lines: list[int]
    region_id: list[int]
    indicator_id: list[int]
    as_of: list[datetime.date]
    value: list[Decimal]
    numerator: list[int | None]
    denominator: list[int | None]
    source_id: list[int]
    status: list[str | None]  # None: an existing figure keeps its status, a new one gets the importer's default

    FIELDS = STAGED

    def __len__(self):
        return len(self.lines)

    def only(self, indexes) -> "CheckedFigures":
        return CheckedFigures(**{name: [getattr(self, name)[i] for i in indexes] for name in ("lines", *self.FIELDS)})

    def rows(self):
        """(line, {field: value}) per figure."""
        for line, *values in zip(self.lines, *(getattr(self, name) for name in self.FIELDS), strict=True):
            yield line, dict(zip(self.FIELDS, values, strict=True))


def _columns(rows) -> tuple[list[int], dict[str, list[str]]]:
    """Line numbers, and every import column's cells as text ("" where a row has none)."""
    if isinstance(rows, Table):
        return rows.lines, {name: rows.column(name) or [""] * len(rows) for name in IMPORTED}
    return [line for line, _row in rows], {
        name: [
            cell if isinstance(cell, str) else "" if cell is None else str(cell)
            for cell in (row.get(name) for _line, row in rows)
        ]
        for name in IMPORTED
    }


def import_measurements(
    rows: Sequence[tuple[int, dict]],
    *,
    actor: access.Actor,
    dry_run: bool,
    default_source: int | None = None,
) -> ImportReport:
    """Create, update or leave unchanged each figure of ``rows``, keyed on (region, indicator, as_of).

    All or nothing: one transaction, and any bad row (named with its line, column and reason) means nothing
    is written. ``actor`` (coverage.figures.access) decides the rest: rows outside its regions are refused, and
    without the right to publish new figures are drafts and verified or published ones cannot be changed. Every
    write is recorded in the change history, door "import", with the actor's user.

    On PostgreSQL the checked rows go into a staging table and are classified and written set-based
    (coverage.bulk); elsewhere through the ORM. Both give the same figures, history and report.
    """
    publisher, user = actor.may_publish, actor.user
    report = ImportReport(dry_run=dry_run, rows=len(rows))
    lines, columns = _columns(rows)
    checker = _RowChecker(lines, columns, default_source=default_source, actor=actor)
    figures = checker.check()
    if connection.vendor == "postgresql":
        from .pg_writer import import_figures

        import_figures(figures, report=report, checker=checker, publisher=publisher, user=user)
        return report

    checked = list(figures.rows())
    if dry_run:
        _classify(checked, _existing_figures(checked), report=report, checker=checker, publisher=publisher)
        report.set_errors(checker.errors)
        return report

    with transaction.atomic():
        # The rows to change are locked and read inside the transaction, so that no concurrent edit is lost.
        existing = _existing_figures(checked, lock=True)
        to_create, to_update = _classify(checked, existing, report=report, checker=checker, publisher=publisher)
        report.set_errors(checker.errors)
        if report.error_count:
            return report
        now = timezone.now()  # at write time, so that ?updated_after= polls never miss an import
        for figure in to_update:
            figure.updated_at = now
            if figure.status != Measurement.Status.DRAFT:
                figure.verified_by, figure.verified_at = user, now
        _orm_write_figures(to_create, to_update, user=user, now=now)
        refresh_latest(
            {(f["region_id"], f["indicator_id"]) for f in to_create}
            | {(m.region_id, m.indicator_id) for m in to_update}
        )
        public = any(access.is_public(f["status"]) for f in to_create) or any(
            access.is_public(m.status) or access.is_public(m._loaded_status) for m in to_update
        )
        bump_data_version(public=public)
    return report


def refuse_unpublishable(checker, line):
    checker.fail(line, "status", "permission_denied", access.PUBLISH_ONLY)


def _classify(checked, existing, *, report, checker, publisher):
    """Split checked rows into new figures and changed ones (counted in ``report``); refusals go to ``checker``."""
    default_status = access.default_import_status(publisher=publisher)
    to_create, to_update = [], []
    for line, figure in checked:
        current = existing.get((figure["region_id"], figure["indicator_id"], figure["as_of"]))
        if figure["status"] is None:
            figure["status"] = current.status if current is not None else default_status
        if current is not None and all(getattr(current, name) == figure[name] for name in WRITTEN):
            report.unchanged += 1
            continue
        current_status = current.status if current is not None else None
        if access.publication_refused(publisher=publisher, status=figure["status"], current=current_status):
            refuse_unpublishable(checker, line)
            continue
        if current is None:
            to_create.append(figure)
            continue
        if len(report.changes) < CHANGE_SAMPLE:
            report.changes.append(
                {
                    "line": line,
                    "id": current.pk,
                    **{
                        name: (getattr(current, name), figure[name])
                        for name in WRITTEN
                        if getattr(current, name) != figure[name]
                    },
                }
            )
        for name in WRITTEN:
            setattr(current, name, figure[name])
        current.version += 1
        to_update.append(current)
    report.created, report.updated = len(to_create), len(to_update)
    return to_create, to_update


def _new_figure_fields(figure, *, user, now):
    verified = figure["status"] != Measurement.Status.DRAFT
    return {
        **figure,
        "verified_by_id": user.pk if verified and user else None,
        "verified_at": now if verified else None,
        "version": 1,
        "is_latest": False,
        "created_at": now,
        "updated_at": now,
    }


def _orm_write_figures(to_create, to_update, *, user, now):
    history = {
        "default_user": user,
        "default_date": now,
        "custom_historical_attrs": {"history_door": Door.IMPORT, "history_api_key": current_api_key()},
    }
    new = [Measurement(**_new_figure_fields(figure, user=user, now=now)) for figure in to_create]
    bulk_create_with_history(new, Measurement, batch_size=2000, **history)
    bulk_update_with_history(
        to_update,
        Measurement,
        [*WRITTEN, "verified_by", "verified_at", "version", "updated_at"],
        batch_size=1000,
        **history,
    )


def _existing_figures(checked, *, lock=False):
    """The stored figures the rows name, whole (their historical copies are whole too), locked if asked."""
    if not checked:
        return {}
    regions = {f["region_id"] for _, f in checked}
    indicators = {f["indicator_id"] for _, f in checked}
    dates = {f["as_of"] for _, f in checked}
    found = Measurement.objects.filter(indicator_id__in=indicators, as_of__in=dates)
    if len(regions) < 2000:
        found = found.filter(region_id__in=regions)
    if lock:
        found = found.select_for_update()
    return {(m.region_id, m.indicator_id, m.as_of): m for m in found}
