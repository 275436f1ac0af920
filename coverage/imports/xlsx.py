"""Reading an XLSX workbook as it streams, after its archive's directory was checked: a hostile file costs a few
MB, and is refused before it is unpacked."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .archive import (
    XLSX_CHARACTERS_PER_ROW,
    XLSX_LAST_ROW,
    XLSX_MAX_CELL,
    XLSX_STRINGS_PER_ROW,
    check_archive,
    too_large,
)
from .header import check_header
from .limits import ImportFileError


def read_workbook(file, size, limits):
    """(line, row) pairs of the workbook's first sheet: the archive checked first, then the sheet and its shared
    strings parsed as they stream (openpyxl reads the parts read whole: content types, workbook, styles)."""
    check_archive(file, size, limits)
    file.seek(0)
    header, rows = None, []
    try:
        book = _workbook(file, limits)
        with book.archive, book.archive.open(book.sheet) as source:
            for line, cells in _sheet_rows(source, book):
                if header is None:
                    # Line 1 holds the column names (a sheet without it has none, which check_header says).
                    header = check_header(_header_names(cells, book) if line == 1 else [])
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
        check_header([])
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
    return too_large(
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
        return too_large(
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
