"""XLSX workbooks (coverage.imports.archive, coverage.imports.xlsx): an archive is checked before it is unpacked
(members, declared sizes, ratio), its sheet and shared strings are read as they stream and bounded, so a
decompression bomb costs nothing, on every door; a sheet no Excel can write is refused, and a workbook imports as
its sheet shows it. Every figure these tests import is synthetic; the hostile files are built here (workbooks.py)."""

import os

import pytest

from coverage.models import Measurement

from .doors import HEADER, admin_refusal, figures, refusal_of, through_admin, through_api, through_command
from .workbooks import MAIN, excel_styles, sheet_xml, workbook

pytestmark = pytest.mark.django_db


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


def test_an_empty_cell_far_beyond_the_header_is_ignored_and_a_value_there_is_refused(article_all_regions, editor):
    # The dimension claims the whole sheet; a styled empty cell at column XFD on every row is ignored.
    rows = [
        [*HEADER],
        *([row["region"], row["indicator"], row["as_of"], 1, article_all_regions.pk] for row in figures(1, 3)),
    ]
    sheet = sheet_xml(rows).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
    sheet = sheet.replace("</row>", '<c r="XFD1" s="0"/></row>')
    with_value = sheet_xml([*rows[:2], [*rows[2], "stray"]])

    accepted = through_api(editor, workbook(sheet), "wide.xlsx", dry_run="true")
    refused = through_api(editor, workbook(with_value), "stray.xlsx")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["created"] == 3
    assert refusal_of(refused)[:2] == (400, "unnamed_column")


def test_a_workbook_imports_as_its_sheet_shows_it(article_all_regions, editor):
    # A date and a percentage as Excel stores them (serial numbers with a date and a percent style), a formatted
    # inline text (runs, and a phonetic hint that is no part of it), a formula's last value, a whole float.
    styles, date, percent = excel_styles()
    sheet = sheet_xml([HEADER]).replace(
        "</sheetData>",
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>64.</t></r><r><t>72</t></r>'
        '<rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
        '<c r="B2" t="str"><f>LOWER("KIA-OWNERSHIP")</f><v>kia-ownership</v></c>'
        f'<c r="C2" s="{date}"><v>45456</v></c><c r="D2" s="{percent}"><v>0.9125</v></c>'
        f'<c r="E2"><v>{article_all_regions.pk}.0</v></c></row></sheetData>',
    )

    response = through_api(editor, workbook(sheet, extra=[("xl/styles.xml", styles)]), "excel.xlsx")

    assert response.status_code == 200, response.json()
    figure = Measurement.objects.get(region__code="64.72", indicator__code="kia-ownership")
    assert (str(figure.as_of), str(figure.value), figure.source_id) == ("2024-06-13", "91.25", article_all_regions.pk)


def test_an_archive_whose_directory_is_corrupt_is_a_400_not_a_500(article_all_regions, editor):
    content = bytearray(
        workbook(sheet_xml([HEADER, ["64.72", "kia-ownership", "2024-06-13", "61", article_all_regions.pk]]))
    )
    directory = content.rfind(b"PK\x01\x02")  # the last entry of the central directory, behind a valid end record
    content[directory : directory + 4] = b"XX\x01\x02"

    response = through_api(editor, bytes(content), "broken.xlsx")

    assert refusal_of(response)[:2] == (400, "invalid_file")
