"""XLSX workbooks built here for the import tests, hostile or not: an archive of parts written as they stream (never
whole in memory), a sheet of inline texts and numbers, the issue's shared-strings bomb, a large plain spreadsheet
as Excel writes it, and a real stylesheet. Every figure in them is synthetic; no file is shipped."""

import datetime
import io
import re
import zipfile

from .doors import HEADER, REGIONS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook(sheet, shared=None, *, extra=(), level=6) -> bytes:
    """An XLSX archive with one sheet (the XML of its rows: bytes, or chunks of bytes) and, if given, a
    shared-strings part (bytes, or chunks). The parts are written as they stream, never whole in memory."""
    strings = shared is not None
    parts = [
        (
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if strings
                else ""
            )
            + "</Types>",
        ),
        (
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIP}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        ),
        (
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIP}">'
            '<sheets><sheet name="figures" sheetId="1" r:id="rId1"/></sheets></workbook>',
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIP}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{RELATIONSHIP}/sharedStrings" Target="sharedStrings.xml"/>'
                if strings
                else ""
            )
            + "</Relationships>",
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        *((("xl/sharedStrings.xml", shared),) if strings else ()),
        *extra,
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in parts:
            with archive.open(name, "w") as part:
                for chunk in [content] if isinstance(content, str | bytes) else content:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return buffer.getvalue()


def sheet_xml(rows) -> str:
    """A worksheet of inline-string and number cells; ``rows`` are lists of values (a row number may be given as
    ("r", number) first)."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>']
    for line, values in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(values):
            reference = f"{chr(65 + column)}{line}"
            if isinstance(value, int | float):
                cells.append(f'<c r="{reference}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>')
        out.append(f'<row r="{line}">{"".join(cells)}</row>')
    return "".join(out) + "</sheetData></worksheet>"


def shared_strings_bomb(unpacked=400 * 1024 * 1024) -> bytes:
    """The issue's bomb: a workbook of ~450 KB whose shared-strings part unpacks to 400 MB (4,000 texts of 100,000
    letters), with a valid sheet naming its first text."""
    text = b"<si><t>" + b"A" * 100_000 + b"</t></si>"

    def shared():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
        block = text * 10
        for _ in range(unpacked // len(block)):
            yield block
        yield b"</sst>"

    sheet = sheet_xml([HEADER]).replace(
        "</sheetData>",
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is><t>kia-ownership</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>2024-06-13</t></is></c><c r="D2"><v>1</v></c><c r="E2"><v>1</v></c>'
        "</row></sheetData>",
    )
    return workbook(sheet, shared(), level=9)


def spreadsheet_of(rows, *, source=1, broken_after=None) -> bytes:
    """A plain workbook of ``rows`` synthetic figures, texts as shared strings as Excel writes them (10 regions
    × 2 indicators × days from 2000-01-01); with ``broken_after``, the sheet's XML breaks after that many rows."""
    indicators = ["kia-ownership", "ikd-activation"]
    days = (rows + 19) // 20
    texts = [
        *HEADER,
        *REGIONS,
        *indicators,
        *(str(datetime.date(2000, 1, 1) + datetime.timedelta(d)) for d in range(days)),
    ]

    def sheet():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="A1:E{rows + 1}"/>'
        yield '<sheetData><row r="1">' + "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(5))
        yield "</row>"
        batch = []
        for n in range(rows):
            line = n + 2
            batch.append(
                f'<row r="{line}"><c r="A{line}" t="s"><v>{5 + n % 10}</v></c>'
                f'<c r="B{line}" t="s"><v>{15 + n // 10 % 2}</v></c><c r="C{line}" t="s"><v>{17 + n // 20}</v></c>'
                f'<c r="D{line}"><v>{n % 90 + 5}.25</v></c><c r="E{line}"><v>{source}</v></c></row>'
            )
            if n + 1 == broken_after:
                batch.append("<row><c><v>never read</c></row>")  # not well-formed
            if len(batch) >= 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + "</sheetData></worksheet>"

    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
    shared += "".join(f"<si><t>{text}</t></si>" for text in texts) + "</sst>"
    return workbook(sheet(), shared, level=1)


def excel_styles() -> tuple[bytes, str, str]:
    """A real stylesheet (openpyxl's, as it saves one) with a date and a percentage format, and their style ids."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([datetime.date(2024, 6, 13), 0.5])
    book.active["B1"].number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        date, percent = (re.search(rf'<c r="{cell}"[^>]* s="([0-9]+)"', sheet).group(1) for cell in ("A1", "B1"))
        return archive.read("xl/styles.xml"), date, percent
