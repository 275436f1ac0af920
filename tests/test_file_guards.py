"""Files that cannot exhaust a worker, and the same limits on every import door (API, admin, command).

- An XLSX archive is checked before it is unpacked (members, declared sizes, ratio), its sheet and shared strings
  are read as they stream and bounded, so a decompression bomb costs nothing.
- Rows are counted while reading: the first row over the door's cap is a 413, and what follows is never read. The
  API and the admin take IMPORT_MAX_WEB_ROWS, the command the larger IMPORT_MAX_ROWS.
- One byte limit (IMPORT_MAX_BYTES) on a file or JSON body through every door; a JSON array above Django's 2.5 MB
  body limit imports.
- The admin's preview files are removed on confirm and cancel, and expire after 24 hours.
- Counts of people are at most 10^9 (validated on every door, and a database constraint).
- Error lists are bounded: the first 1,000 errors, and how many in all.
- The files Excel saves under Indonesian settings (semicolons, UTF-16, a decimal comma) get a refusal saying how to
  export them.

Every figure these tests import is synthetic; the hostile files are built here (no file is shipped)."""

import csv
import datetime
import io
import json
import os
import re
import tempfile
import time
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from coverage.admin import import_page
from coverage.models import Measurement

from .conftest import token_client
from .factories import UserFactory
from .live import Gunicorn, request

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/import/"
ADMIN = "admin:coverage_measurement_import"
REGIONS = ["64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72", "64.74"]
HEADER = ["region", "indicator", "as_of", "value", "source"]
ENGLISH = {"accept-language": "en"}


# --- Files, hostile or not -----------------------------------------------------------------------------------

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


def figures(source, count, *, start=0):
    """``count`` synthetic figures as rows of text."""
    return [
        {
            "region": REGIONS[n % 10],
            "indicator": ["kia-ownership", "ikd-activation"][n // 10 % 2],
            "as_of": str(datetime.date(2000, 1, 1) + datetime.timedelta(n // 20)),
            "value": f"{n % 90 + 5}.25",
            "source": str(source),
        }
        for n in range(start, start + count)
    ]


def csv_of(rows, columns=HEADER, *, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


# --- The three doors, asked the same way ---------------------------------------------------------------------


def through_api(client, content, name="figures.csv", **params):
    upload = io.BytesIO(content)
    upload.name = name
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.post(URL + query, {"file": upload}, format="multipart", headers={"accept-language": "en"})


def refusal_of(response) -> tuple[int, str, str]:
    """(status, code, detail) of the API's refusal of a whole file."""
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error["detail"]


def through_admin(client, content, name="figures.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse(ADMIN), {"file": upload}, headers=ENGLISH)


def admin_refusal(response) -> str:
    """The admin page's word on a file it refused: the form's error on the file, or the refusal above the form."""
    form = response.context.get("form")
    return " ".join([*(form.errors.get("file", []) if form is not None and form.is_bound else [])]) + (
        response.context.get("refusal") or ""
    )


def through_command(tmp_path, content, name="figures.csv", *args):
    path = tmp_path / name
    path.write_bytes(content)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_measurements", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return f"{out.getvalue()}{err.getvalue()}{exc}"
    return f"{out.getvalue()}{err.getvalue()}"


@pytest.fixture
def national(article):
    call_command("load_regions", verbosity=0)
    return article


# --- XLSX archives: checked before they are unpacked ---------------------------------------------------------


@pytest.fixture(scope="module")
def bomb():
    return shared_strings_bomb()


def test_the_issues_xlsx_bomb_is_refused_unread_by_every_door(article, editor, admin_client, tmp_path, bomb):
    from_api = through_api(editor, bomb, "bomb.xlsx")
    from_admin = through_admin(admin_client, bomb, "bomb.xlsx")
    from_command = through_command(tmp_path, bomb, "bomb.xlsx")

    assert len(bomb) < 600_000
    assert refusal_of(from_api)[:2] == (400, "xlsx_too_large")
    said = "xl/sharedStrings.xml unpacks to 399.7 MB, 9"  # … times its packed size (the file is ~0.1% of it)
    assert said in refusal_of(from_api)[2]
    assert said in admin_refusal(from_admin)
    assert said in from_command and "[xlsx_too_large]" in from_command


def test_a_workbook_unpacking_past_what_the_doors_rows_can_need_is_refused_before_it_is_read(article, editor, settings):
    settings.IMPORT_MAX_WEB_ROWS = 10  # room for 11 rows: 11 × 4 KiB, and 4 MiB for the other parts
    noise = os.urandom(3 * 1024 * 1024).hex()  # incompressible: no bomb, only large
    large = workbook(sheet_xml([HEADER]).replace("<sheetData>", f"<sheetPr><!-- {noise} --></sheetPr><sheetData>"))

    status, code, detail = refusal_of(through_api(editor, large, "large.xlsx"))

    assert (status, code) == (400, "xlsx_too_large")
    assert "unpacks to 6.0 MB, more than 4 MB: the size of 10 rows" in detail


def test_an_archive_of_thousands_of_parts_is_refused_before_zipfile_reads_its_directory(article, editor):
    many = workbook(sheet_xml([HEADER]), extra=[(f"x/{n}", b"") for n in range(2_000)])

    status, code, detail = refusal_of(through_api(editor, many, "many.xlsx"))

    assert (status, code) == (400, "xlsx_too_large")
    assert "2,005 parts" in detail


def test_a_part_read_whole_is_bounded_even_when_it_packs_like_a_spreadsheet(article, editor):
    styles = f'<styleSheet xmlns="{MAIN}"><!-- {os.urandom(3 * 1024 * 1024).hex()} --></styleSheet>'
    bloated = workbook(sheet_xml([HEADER]), extra=[("xl/styles.xml", styles)])

    status, code, detail = refusal_of(through_api(editor, bloated, "styles.xlsx"))

    assert (status, code) == (400, "xlsx_too_large")
    assert "xl/styles.xml unpacks to 6.0 MB; an import reads at most 4 MB of it" in detail


def test_a_shared_strings_table_larger_than_the_rows_can_need_is_refused_as_it_is_read(article, editor, settings):
    settings.IMPORT_MAX_WEB_ROWS = 10  # 11 rows: at most 176 texts of 2,816 characters in all
    many_texts = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{n}</t></si>" for n in range(177)) + "</sst>"
    long_texts = f'<sst xmlns="{MAIN}">' + "<si><t>" + "A" * 2_817 + "</t></si></sst>"

    for shared in (many_texts, long_texts):
        status, code, detail = refusal_of(through_api(editor, workbook(sheet_xml([HEADER]), shared), "s.xlsx"))

        assert (status, code) == (400, "xlsx_too_large")
        assert "shared texts are more than 10 rows can hold" in detail


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        (sheet_xml([HEADER, ["64.72", "kia-ownership", "2024-06-13", "9" * 32_768, 1]]), "more than 32,767 characters"),
        (sheet_xml([HEADER]).replace("</sheetData>", '<row r="1048577"><c><v>1</v></c></row></sheetData>'), "row"),
        (sheet_xml([HEADER]).replace("</sheetData>", '<row r="2"><c r="XFE2"><v>1</v></c></row></sheetData>'), "XFD"),
        (
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
            + sheet_xml([HEADER, ["&lol;", "kia-ownership", "2024-06-13", 1, 1]]).split("?>", 1)[1],
            "DOCTYPE",
        ),
    ],
    ids=["cell-longer-than-excel-allows", "row-beyond-excel", "column-beyond-excel", "doctype-entities"],
)
def test_a_sheet_no_excel_can_write_is_refused(article, editor, sheet, expected):
    status, code, detail = refusal_of(through_api(editor, workbook(sheet), "odd.xlsx"))

    assert (status, code) == (400, "xlsx_too_large" if "characters" in expected else "invalid_file")
    assert expected in detail


def test_an_empty_cell_far_beyond_the_header_is_ignored_and_a_value_there_is_refused(national, editor):
    # The dimension claims the whole sheet; a styled empty cell at column XFD on every row is ignored.
    rows = [[*HEADER], *([row["region"], row["indicator"], row["as_of"], 1, national.pk] for row in figures(1, 3))]
    sheet = sheet_xml(rows).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
    sheet = sheet.replace("</row>", '<c r="XFD1" s="0"/></row>')
    with_value = sheet_xml([*rows[:2], [*rows[2], "stray"]])

    accepted = through_api(editor, workbook(sheet), "wide.xlsx", dry_run="true")
    refused = through_api(editor, workbook(with_value), "stray.xlsx")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["created"] == 3
    assert refusal_of(refused)[:2] == (400, "unnamed_column")


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


def test_a_workbook_imports_as_its_sheet_shows_it(national, editor):
    # A date and a percentage as Excel stores them (serial numbers with a date and a percent style), a formatted
    # inline text (runs, and a phonetic hint that is no part of it), a formula's last value, a whole float.
    styles, date, percent = excel_styles()
    sheet = sheet_xml([HEADER]).replace(
        "</sheetData>",
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>64.</t></r><r><t>72</t></r>'
        '<rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
        '<c r="B2" t="str"><f>LOWER("KIA-OWNERSHIP")</f><v>kia-ownership</v></c>'
        f'<c r="C2" s="{date}"><v>45456</v></c><c r="D2" s="{percent}"><v>0.9125</v></c>'
        f'<c r="E2"><v>{national.pk}.0</v></c></row></sheetData>',
    )

    response = through_api(editor, workbook(sheet, extra=[("xl/styles.xml", styles)]), "excel.xlsx")

    assert response.status_code == 200, response.json()
    figure = Measurement.objects.get(region__code="64.72", indicator__code="kia-ownership")
    assert (str(figure.as_of), str(figure.value), figure.source_id) == ("2024-06-13", "91.25", national.pk)


# --- Rows: counted while reading, the first one too many a 413 ------------------------------------------------


def test_the_first_row_over_the_cap_is_a_413_and_what_follows_is_never_read_on_every_door(
    national, editor, admin_client, tmp_path, settings
):
    settings.IMPORT_MAX_WEB_ROWS = settings.IMPORT_MAX_ROWS = 5
    # Six figures, then a line no reader could read: reading stops at the sixth.
    csv_file = csv_of(figures(national.pk, 6)) + b'64.72,"never closed\n'
    xlsx_file = spreadsheet_of(6, source=national.pk, broken_after=6)
    json_body = json.dumps(figures(national.pk, 6))[:-1].encode() + b", {never read"

    for name, content in (("f.csv", csv_file), ("f.xlsx", xlsx_file), ("f.json", json_body)):
        status, code, detail = refusal_of(through_api(editor, content, name))
        assert (status, code) == (413, "too_many_rows"), name
        assert "More than 5 rows: the API and the admin take at most 5 rows" in detail
        assert "More than 5 rows" in admin_refusal(through_admin(admin_client, content, name))
        assert "[too_many_rows]" in through_command(tmp_path, content, name)
    as_body = editor.post(URL, json_body, content_type="application/json")
    assert (as_body.status_code, as_body.json()["errors"][0]["code"]) == (413, "too_many_rows")
    assert Measurement.objects.count() == 12


def test_a_file_at_the_cap_imports_and_the_command_takes_more_rows_than_the_web_doors(
    national, editor, tmp_path, settings
):
    settings.IMPORT_MAX_WEB_ROWS, settings.IMPORT_MAX_ROWS = 5, 8
    at_cap = csv_of(figures(national.pk, 5))
    over_web_cap = csv_of(figures(national.pk, 8, start=5))

    from_api = through_api(editor, at_cap)
    refused_by_api = through_api(editor, over_web_cap)
    from_command = through_command(tmp_path, over_web_cap)

    assert from_api.json()["created"] == 5
    assert refusal_of(refused_by_api)[:2] == (413, "too_many_rows")
    assert from_command.startswith("8 rows: 8 created")


def test_the_admin_confirms_within_the_cap_as_well(national, admin_client, settings, previews):
    preview = through_admin(admin_client, csv_of(figures(national.pk, 6)))
    settings.IMPORT_MAX_WEB_ROWS = 5

    confirmed = admin_client.post(
        reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]}, follow=True, headers=ENGLISH
    )

    assert confirmed.redirect_chain == [(reverse(ADMIN), 302)]
    assert "More than 5 rows" in confirmed.content.decode()
    assert previews() == []
    assert Measurement.objects.count() == 12


# --- One byte limit ------------------------------------------------------------------------------------------


def test_one_byte_limit_holds_on_every_door(national, editor, admin_client, tmp_path, settings):
    content = csv_of(figures(national.pk, 20))
    settings.IMPORT_MAX_BYTES = len(content) - 1

    from_api = through_api(editor, content)
    as_body = editor.post(URL, b" " * len(content), content_type="application/json")
    from_admin = through_admin(admin_client, content)
    from_command = through_command(tmp_path, content)

    assert refusal_of(from_api)[:2] == (413, "request_too_large")
    assert refusal_of(as_body)[:2] == (413, "request_too_large")
    assert f"The file has {len(content):,} bytes; one import takes at most {len(content) - 1:,}" in admin_refusal(
        from_admin
    )
    assert "[request_too_large]" in from_command
    assert Measurement.objects.count() == 12
    settings.IMPORT_MAX_BYTES = len(content)
    assert through_api(editor, content).json()["created"] == 20


def test_a_request_declaring_more_than_the_limit_is_refused_and_its_file_never_stored(
    national, editor, admin_client, settings, previews
):
    settings.IMPORT_MAX_BYTES = 1000
    upload = io.BytesIO(b"x" * (1000 + 64 * 1024 + 1))
    upload.name = "big.csv"

    from_api = editor.post(URL, {"file": upload}, format="multipart")
    upload.seek(0)
    from_admin = admin_client.post(reverse(ADMIN), {"file": upload}, headers=ENGLISH)

    assert refusal_of(from_api)[:2] == (413, "request_too_large")
    assert from_admin.status_code == 413
    assert "one import takes at most 1,000" in from_admin.context["refusal"]
    assert previews() == []


def test_a_json_array_larger_than_djangos_body_limit_imports_and_other_endpoints_keep_theirs(national, editor):
    rows = [{**row, "region_name": "x" * 1_000} for row in figures(national.pk, 3_000)]  # region_name: ignored
    body = json.dumps(rows)
    figure = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 1, "source": 1}

    imported = editor.post(URL + "?dry_run=true", body, content_type="application/json")
    elsewhere = editor.post(
        "/api/v1/measurements/", json.dumps({**figure, "x": "y" * len(body)}), content_type="application/json"
    )

    assert len(body) > 3_000_000 > 2.5 * 1024 * 1024
    assert imported.status_code == 200, imported.content[:300]
    assert imported.json()["created"] == 3_000
    assert elsewhere.status_code == 413


def test_files_larger_than_django_keeps_in_memory_are_read_from_their_temporary_file(
    national, editor, admin_client, previews
):
    rows = [{**row, "region_name": "x" * 1_000} for row in figures(national.pk, 3_000)]
    large_csv = csv_of(rows, [*HEADER, "region_name"])
    cells = [[row["region"], row["indicator"], row["as_of"], 1, national.pk] for row in figures(national.pk, 100)]
    large_xlsx = workbook(sheet_xml([HEADER, *cells]), extra=[("docProps/thumbnail.bin", os.urandom(3 * 1024 * 1024))])

    from_api = through_api(editor, large_csv, dry_run="true")
    xlsx_from_api = through_api(editor, large_xlsx, "large.xlsx", dry_run="true")
    preview = through_admin(admin_client, large_csv)
    confirmed = admin_client.post(reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]})

    assert min(len(large_csv), len(large_xlsx)) > 2.5 * 1024 * 1024  # FILE_UPLOAD_MAX_MEMORY_SIZE
    assert from_api.json()["created"] == 3_000
    assert xlsx_from_api.json()["created"] == 100
    assert preview.context["report"].created == 3_000
    assert confirmed.status_code == 302
    assert Measurement.objects.count() == 12 + 3_000


# --- The admin's preview files -------------------------------------------------------------------------------


@pytest.fixture
def previews(tmp_path, monkeypatch):
    """The admin's preview files, in a temporary folder of this test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return lambda: sorted(path.name for path in import_page.import_directory().iterdir())


def test_a_preview_file_is_removed_on_confirm(national, admin_client, previews):
    preview = through_admin(admin_client, csv_of(figures(national.pk, 3)))
    stored = previews()

    admin_client.post(reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]})

    assert stored == [f"{preview.context['token']}.csv"]
    assert previews() == []
    assert Measurement.objects.count() == 15


def test_a_preview_can_be_cancelled_and_its_file_is_removed(national, admin_client, previews):
    preview = through_admin(admin_client, csv_of(figures(national.pk, 3)))

    cancelled = admin_client.post(reverse(ADMIN), {"cancel": "1", "token": preview.context["token"]})
    confirmed_after = admin_client.post(reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]})

    assert cancelled.status_code == confirmed_after.status_code == 302
    assert previews() == []
    assert 'name="cancel"' in preview.content.decode()
    assert Measurement.objects.count() == 12


def test_a_preview_expires_after_24_hours_and_its_confirmation_says_upload_again(national, admin_client, previews):
    old = through_admin(admin_client, csv_of(figures(national.pk, 3)))
    recent = through_admin(admin_client, csv_of(figures(national.pk, 3, start=3)))
    a_day_ago = time.time() - 24 * 3600 - 60
    os.utime(import_page.import_directory() / f"{old.context['token']}.csv", (a_day_ago, a_day_ago))

    visit = admin_client.get(reverse(ADMIN))
    kept = previews()
    confirmed = admin_client.post(
        reverse(ADMIN), {"confirm": "1", "token": old.context["token"]}, follow=True, headers=ENGLISH
    )

    assert visit.status_code == 200
    assert kept == [f"{recent.context['token']}.csv"]
    assert "expired (after 24 hours) or was already used: upload the file again" in confirmed.content.decode()
    assert Measurement.objects.count() == 12


# --- Counts of people: at most 10^9 --------------------------------------------------------------------------


HUGE = 10**17


def test_counts_too_large_for_a_population_are_a_400_through_the_api_create_and_patch(national, editor):
    figure = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 100}
    figure |= {"source": national.pk, "numerator": HUGE, "denominator": HUGE}
    existing = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")

    created = editor.post("/api/v1/measurements/", figure, format="json")
    patched = editor.patch(f"/api/v1/measurements/{existing.pk}/", {"numerator": 10**9 + 1}, format="json")
    at_bound = editor.post("/api/v1/measurements/", {**figure, "numerator": 10**9, "denominator": 10**9}, format="json")

    assert created.status_code == 400
    assert {(e["attr"], e["code"]) for e in created.json()["errors"]} == {
        ("numerator", "max_value"),
        ("denominator", "max_value"),
    }
    assert (patched.status_code, patched.json()["errors"][0]["code"]) == (400, "max_value")
    assert at_bound.status_code == 201, at_bound.json()


def test_counts_too_large_are_refused_by_the_import_on_every_door_and_by_a_dry_run(
    national, editor, admin_client, tmp_path
):
    row = {**figures(national.pk, 1)[0], "value": "100", "numerator": str(HUGE), "denominator": str(HUGE)}
    content = csv_of([row], [*HEADER, "numerator", "denominator"])

    for dry_run in ("true", "false"):
        response = through_api(editor, content, dry_run=dry_run)
        assert response.status_code == 400
        assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
            ("numerator", "max_value"),
            ("denominator", "max_value"),
        }
    admin = through_admin(admin_client, content)
    assert {(e.column, e.code) for e in admin.context["report"].errors} == {
        ("numerator", "max_value"),
        ("denominator", "max_value"),
    }
    assert "numerator: 100000000000000000 is more than 1,000,000,000" in through_command(tmp_path, content)
    assert not Measurement.objects.filter(as_of="2000-01-01").exists()


def test_the_admin_form_refuses_counts_too_large(national, admin_client):
    form = {
        "region": national.measurements.first().region_id,
        "indicator": national.measurements.first().indicator_id,
        "as_of": "01/01/2000",
        "value": "100.00",
        "numerator": str(HUGE),
        "denominator": str(HUGE),
        "source": national.pk,
        "status": "draft",
    }

    response = admin_client.post(reverse("admin:coverage_measurement_add"), form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"numerator", "denominator"} <= set(errors)
    assert errors.as_data()["numerator"][0].code == "max_value"


def test_the_database_refuses_counts_too_large(national):
    figure = Measurement.objects.filter(numerator__isnull=True).first()

    for counts in ({"numerator": 10**9 + 1, "denominator": 10**9 + 1}, {"denominator": 10**9 + 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Measurement.objects.filter(pk=figure.pk).update(value=100, **counts)


# --- Error lists: the first 1,000 and how many ---------------------------------------------------------------


def test_an_answer_lists_the_first_1000_errors_and_counts_them_all_on_every_door(
    national, editor, admin_client, tmp_path
):
    rows = [{**row, "value": "-1"} for row in figures(national.pk, 1_500)]
    rows[0]["region"] = "99.99"  # two errors on line 2
    content = csv_of(rows)

    response = through_api(editor, content)
    admin = through_admin(admin_client, content)
    command = through_command(tmp_path, content)

    assert response.status_code == 400
    body = response.json()
    assert len(body["errors"]) == 1_000
    assert [(e["line"], e["attr"]) for e in body["errors"][:3]] == [(2, "region"), (2, "value"), (3, "value")]
    assert (body["summary"]["error_count"], body["summary"]["rejected"]) == (1_501, 1_500)
    assert len(response.content) < 200_000
    assert len(admin.context["report"].errors) == 1_000
    assert "1501 errors in all; the first 1000 are listed." in admin.content.decode()
    assert command.count(": value: ") == 999
    assert "1501 errors in all; the first 1000 are listed above." in command
    assert "1500 bad rows; nothing was written." in command


# --- The files Excel saves under Indonesian settings ---------------------------------------------------------

TEXT = "region,indicator,as_of,value,source\n64.72,kia-ownership,2024-06-13,96.90,{source}\n"


@pytest.mark.parametrize(
    ("content", "code", "advice"),
    [
        (lambda s: TEXT.replace(",", ";").format(source=s).encode(), "semicolon_separated", "separated by semicolons"),
        (lambda s: TEXT.replace(",", "\t").format(source=s).encode(), "tab_separated", "separated by tabs"),
        (lambda s: TEXT.format(source=s).encode("utf-16"), "utf16", "UTF-16"),  # with a byte order mark
        (lambda s: TEXT.format(source=s).encode("utf-16-le"), "utf16", "UTF-16"),  # without
        (lambda s: TEXT.format(source=s).encode("utf-16-be"), "utf16", "UTF-16"),
        (lambda s: json.dumps(json.loads('[{"region": "64.72"}]')).encode("utf-16-le"), "utf16", "UTF-16"),
    ],
    ids=["semicolons", "tabs", "utf16-bom", "utf16le-no-bom", "utf16be-no-bom", "utf16-json"],
)
def test_a_file_as_excel_saves_it_under_indonesian_settings_is_refused_saying_how_to_export_it(
    national, editor, admin_client, tmp_path, content, code, advice
):
    content = content(national.pk)

    status, found, detail = refusal_of(through_api(editor, content))
    from_admin = admin_refusal(through_admin(admin_client, content))
    from_command = through_command(tmp_path, content)

    assert (status, found) == (400, code)
    for said in (detail, from_admin, from_command):
        assert advice in said
        assert '"CSV UTF-8 (Comma delimited) (*.csv)"' in said
        assert "(.xlsx)" in said
    assert f"[{code}]" in from_command


def test_a_decimal_comma_is_a_row_error_on_the_value_saying_how_to_write_it_on_every_door(
    national, editor, admin_client, tmp_path
):
    content = (
        b'region,indicator,as_of,value,source\n64.72,kia-ownership,2024-06-13,"96,90",' + str(national.pk).encode()
    )
    body = [{"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "96,90"}]
    sheet = sheet_xml([HEADER, ["64.72", "kia-ownership", "2024-06-13", "96,90", national.pk]])

    responses = [
        through_api(editor, content),
        editor.post(URL + f"?source={national.pk}", body, format="json", headers=ENGLISH),
        through_api(editor, workbook(sheet), "comma.xlsx"),
    ]
    admin = through_admin(admin_client, content)
    command = through_command(tmp_path, content)

    for response in responses:
        assert response.status_code == 400
        ((attr, code, detail),) = [(e["attr"], e["code"], e["detail"]) for e in response.json()["errors"]]
        assert (attr, code) == ("value", "decimal_comma")
        assert "96,90 has a decimal comma: write 96.90, with a point" in detail
    assert [(e.column, e.code) for e in admin.context["report"].errors] == [("value", "decimal_comma")]
    assert "value: 96,90 has a decimal comma" in command and "[decimal_comma]" in command


def test_counts_with_thousands_separators_are_refused_saying_how_to_write_them(national, editor):
    row = {**figures(national.pk, 1)[0], "value": "", "numerator": "1.234", "denominator": "2.000"}

    response = through_api(editor, csv_of([row], [*HEADER, "numerator", "denominator"]))

    details = {e["attr"]: e["detail"] for e in response.json()["errors"]}
    assert "write it without thousands separators (1234)" in details["numerator"]
    assert "write it without thousands separators (2000)" in details["denominator"]


def test_an_old_excel_workbook_is_refused_saying_how_to_save_it(article, editor):
    status, code, detail = refusal_of(through_api(editor, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "a.xls"))

    assert (status, code) == (400, "xls")
    assert '"Excel Workbook (*.xlsx)"' in detail


# --- The worker, measured: gunicorn as deployed, on PostgreSQL -----------------------------------------------


def live(test):
    """A test against gunicorn serving the test database: on PostgreSQL (its data committed, for another process)."""
    skip = pytest.mark.skipif(
        connection.vendor != "postgresql", reason="gunicorn serves the test database on PostgreSQL"
    )
    return skip(pytest.mark.django_db(transaction=True)(test))


def worker_memory(master: int) -> dict[str, int]:
    """VmHWM (peak) and VmRSS, in MB, of the one worker of a gunicorn master."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == master:
                with open(f"/proc/{pid}/status") as status:
                    fields = dict(line.split(":", 1) for line in status)
                return {name: int(fields[name].split()[0]) // 1024 for name in ("VmHWM", "VmRSS")}
        except (OSError, ValueError):
            continue
    raise AssertionError("no worker")


def multipart(content, name) -> tuple[bytes, str]:
    boundary = "adminduk-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def served(article):
    """gunicorn (one sync worker, as deployed) on the test database, and an editor's token."""
    call_command("load_regions", verbosity=0)
    user = UserFactory(username="live-editor", is_superuser=True)
    token_client(user)
    db = connection.settings_dict
    address = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{address}/{db['NAME']}"
    with Gunicorn(url, workers=1, THROTTLE_WRITE_RATE="") as server:
        server.token = user.auth_token.key

        def post(content, name, timeout=60):
            body, content_type = multipart(content, name)
            headers = {"Authorization": f"Token {server.token}", "Content-Type": content_type}
            return request(
                server.port, URL + "?dry_run=true", method="POST", headers=headers, body=body, timeout=timeout
            )

        server.post = post
        warm_up = spreadsheet_of(20, source=article.pk)
        for _ in range(2):  # the first import loads what every import needs
            assert post(warm_up, "warm-up.xlsx")[0] == 200
        yield server


@live
def test_the_bomb_costs_the_worker_a_few_mb_where_it_cost_400_mb(served, bomb):
    before = worker_memory(served.process.pid)

    status, body, _, seconds = served.post(bomb, "bomb.xlsx")

    after = worker_memory(served.process.pid)
    print(f"\nbomb ({len(bomb):,} bytes, 400 MB unpacked): {status} in {seconds:.2f} s; worker {before} -> {after}")
    assert (status, json.loads(body)["errors"][0]["code"]) == (400, "xlsx_too_large")
    assert after["VmHWM"] - before["VmHWM"] < 20  # it grew by 400 MB (895 MB in the issue's run) before


@live
def test_a_600000_row_spreadsheet_is_a_413_well_inside_the_workers_timeout(served):
    oversized = spreadsheet_of(600_000)
    before = worker_memory(served.process.pid)

    status, body, _, seconds = served.post(oversized, "oversized.xlsx")

    after = worker_memory(served.process.pid)
    print(f"\n600,000 rows ({len(oversized):,} bytes): {status} in {seconds:.2f} s; worker {before} -> {after}")
    assert (status, json.loads(body)["errors"][0]["code"]) == (413, "too_many_rows")
    assert after["VmHWM"] - before["VmHWM"] < 100  # the 50,001 rows read before the refusal


@live
def test_a_request_over_the_byte_limit_is_answered_before_its_body_is_sent(served):
    import http.client

    connection_ = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection_.putrequest("POST", URL)
    connection_.putheader("Authorization", f"Token {served.token}")
    connection_.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection_.putheader("Content-Length", str(60 * 1024 * 1024))
    connection_.endheaders(b"--x\r\n")  # 60 MB announced, 5 bytes sent: an answer now means the body was not awaited

    response = connection_.getresponse()

    assert response.status == 413
    assert json.loads(response.read())["errors"][0]["code"] == "request_too_large"
    connection_.close()


def test_an_archive_whose_directory_is_corrupt_is_a_400_not_a_500(national, editor):
    content = bytearray(workbook(sheet_xml([HEADER, ["64.72", "kia-ownership", "2024-06-13", "61", national.pk]])))
    directory = content.rfind(b"PK\x01\x02")  # the last entry of the central directory, behind a valid end record
    content[directory : directory + 4] = b"XX\x01\x02"

    response = through_api(editor, bytes(content), "broken.xlsx")

    assert refusal_of(response)[:2] == (400, "invalid_file")
