"""Reading import files: CSV, JSON (an array of objects) and, through coverage.imports.xlsx, XLSX; rows counted
while reading, within the door's limits; the files Excel writes under Indonesian settings refused, saying how to
export them."""

import csv
import io
import json
from collections.abc import Sequence

from django.utils.translation import gettext as _

from .header import check_header, named_cells
from .limits import ImportFileError, ImportLimits
from .xlsx import read_workbook


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
        return read_workbook(file, size, limits)
    _refuse_utf16(head)
    if kind == "json":
        return _json_rows(file.read(), limits)
    return _csv_rows(file, limits)


def _csv_rows(file, limits) -> Table:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = check_header(_check_separator(next(reader, [])))
        width, named = len(header), all(header)
        lines, rows = [], []
        for cells in reader:
            # The usual row (all its cells, the first one filled) as it is; any other one checked, and padded.
            if not (len(cells) == width and named and cells[0] and not cells[0].isspace()):
                if not any(cell.strip() for cell in cells):
                    continue
                named_cells(header, cells, reader.line_num)
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
    check_header(sorted({key for item in data for key in item}))
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
