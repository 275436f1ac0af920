"""Reading import files (coverage.imports.read_table) without the database or HTTP: CSV, JSON and XLSX read to the
same rows with the line numbers a person sees; a byte order mark, blank lines and short rows as spreadsheets write
them; the files Excel saves under Indonesian settings refused by their own codes; the limits checked while reading.
tests/imports/test_files.py and test_xlsx.py send files through the doors."""

import io
import json

import pytest
from django.utils import translation
from openpyxl import Workbook

from coverage.imports import ImportFileError, ImportLimits, read_table

from ..helpers import csv_bytes

KEY = {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-06-13"}
ROOMY = ImportLimits(max_bytes=1_000_000, max_rows=1_000, web=True)
ROWS = [
    {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "96.90", "source": "1"},
    {"region": "64.07", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "54.67", "source": "1"},
]


def rows_of(content, limits=ROOMY, **kwargs) -> list[tuple[int, dict]]:
    return list(read_table(content, limits=limits, **kwargs))


def refusal(content, limits=ROOMY, **kwargs) -> tuple[str, int]:
    with pytest.raises(ImportFileError) as refused:
        read_table(content, limits=limits, **kwargs)
    return refused.value.code, refused.value.status


def xlsx(*lines) -> bytes:
    book = Workbook()
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV ------------------------------------------------------------------------------------------------------


def test_a_csv_files_rows_come_with_the_line_a_person_sees():
    assert rows_of(csv_bytes(ROWS)) == [(2, ROWS[0]), (3, ROWS[1])]


def test_a_byte_order_mark_and_lf_line_ends_read_the_same():
    assert rows_of(b"\xef\xbb\xbf" + csv_bytes(ROWS, lineterminator="\n")) == [(2, ROWS[0]), (3, ROWS[1])]


def test_blank_lines_are_skipped_and_later_lines_keep_their_numbers():
    content = csv_bytes(ROWS[:1]) + b"\r\n,,,,\r\n" + csv_bytes(ROWS[1:]).split(b"\r\n", 1)[1]

    assert [line for line, _row in rows_of(content)] == [2, 5]


def test_a_short_row_is_padded_with_empty_cells():
    content = b"region,indicator,as_of,value,source\n64.71,kia-ownership,2024-06-13\n"

    assert rows_of(content) == [
        (2, {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "", "source": ""})
    ]


def test_an_exports_other_columns_are_read_but_a_value_without_a_column_is_refused():
    exported = csv_bytes([{**ROWS[0], "region_name": "Kota Balikpapan"}], [*ROWS[0], "region_name"])
    beyond = b"region,indicator,as_of,value\n64.71,kia-ownership,2024-06-13,1,stray\n"

    assert rows_of(exported)[0][1]["region_name"] == "Kota Balikpapan"
    assert refusal(beyond) == ("unnamed_column", 400)


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (b"region,indicator,as_of,value,colour", "unknown_column"),
        (b"region,indicator,value", "missing_column"),
        (b"region,indicator,as_of,value,value", "duplicate_column"),
        (b"", "missing_column"),
    ],
)
def test_a_header_with_unknown_missing_or_repeated_columns_is_refused(header, code):
    assert refusal(header + b"\n") == (code, 400)


@pytest.mark.parametrize(
    ("delimiter", "code"), [(";", "semicolon_separated"), ("\t", "tab_separated")], ids=["semicolons", "tabs"]
)
def test_a_file_separated_as_excel_does_under_indonesian_settings_is_refused_by_its_own_code(delimiter, code):
    assert refusal(csv_bytes(ROWS, delimiter=delimiter)) == (code, 400)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_refused_with_or_without_a_byte_order_mark(encoding):
    assert refusal(csv_bytes(ROWS).decode().encode(encoding)) == ("utf16", 400)


def test_text_that_is_not_utf8_is_refused():
    assert refusal(b"r\xe9gion,indicator,as_of,value\n") == ("invalid_file", 400)


def test_an_old_excel_workbook_is_refused_by_its_own_code():
    assert refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, filename="a.xls") == ("xls", 400)


# --- JSON -----------------------------------------------------------------------------------------------------


def test_a_json_arrays_rows_are_numbered_by_position_and_null_is_empty():
    content = json.dumps([{**KEY, "value": 1.5, "numerator": None}, {**KEY, "as_of": "2024-06-14"}]).encode()

    assert rows_of(content, filename="f.json") == [
        (1, {**KEY, "value": 1.5, "numerator": ""}),
        (2, {**KEY, "as_of": "2024-06-14"}),
    ]


def test_json_is_known_by_its_first_character_too():
    assert rows_of(b"  [" + json.dumps(KEY).encode() + b"]") == [(1, KEY)]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"region": "64.71"}', "invalid_file"),
        (b"[1, 2]", "invalid_file"),
        (b'[{"region": "64.71"}', "invalid_file"),
        (b'[{"region": "64.71"}] x', "invalid_file"),
        (b"[]", "missing_column"),
        (b'[{"region": "64.71", "colour": "red"}]', "unknown_column"),
    ],
    ids=["an-object", "not-objects", "unclosed", "extra-data", "empty", "unknown-column"],
)
def test_json_that_is_no_array_of_figures_is_refused(content, code):
    assert refusal(content, filename="f.json") == (code, 400)


# --- XLSX -----------------------------------------------------------------------------------------------------


def test_a_workbooks_rows_read_as_its_sheet_shows_them():
    content = xlsx(
        ["region", "indicator", "as_of", "value"],
        ["64.71", "kia-ownership", "2024-06-13", 96.9],
        [],
        ["64.07", "kia-ownership", "2024-06-13", 55.0],
    )

    assert rows_of(content, filename="f.xlsx") == [
        (2, {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "96.9"}),
        (4, {"region": "64.07", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "55"}),
    ]


def test_a_workbook_is_known_by_its_first_bytes_whatever_its_name():
    content = xlsx(["region", "indicator", "as_of"], ["64.71", "kia-ownership", "2024-06-13"])

    assert rows_of(content, filename="upload.bin")[0][0] == 2


# --- limits ---------------------------------------------------------------------------------------------------


def test_a_file_over_the_byte_limit_is_a_413_before_it_is_read():
    content = csv_bytes(ROWS)

    assert refusal(content, ImportLimits(max_bytes=len(content) - 1, max_rows=1_000, web=True)) == (
        "request_too_large",
        413,
    )
    assert len(rows_of(content, ImportLimits(max_bytes=len(content), max_rows=1_000, web=True))) == 2


@pytest.mark.parametrize("kind", ["csv", "json", "xlsx"])
def test_the_first_row_over_the_limit_is_a_413_and_the_limit_itself_is_read(kind):
    three = [{**ROWS[0], "as_of": f"2024-06-{day:02d}"} for day in (1, 2, 3)]
    content = {
        "csv": lambda: csv_bytes(three),
        "json": lambda: json.dumps(three).encode(),
        "xlsx": lambda: xlsx(list(three[0]), *(list(row.values()) for row in three)),
    }[kind]()

    assert refusal(content, ImportLimits(max_bytes=1_000_000, max_rows=2, web=True)) == ("too_many_rows", 413)
    assert len(rows_of(content, ImportLimits(max_bytes=1_000_000, max_rows=3, web=False))) == 3


def test_the_web_doors_refusal_points_to_the_command_and_the_commands_does_not(settings):
    settings.IMPORT_MAX_ROWS = 8
    content = csv_bytes(ROWS)

    with translation.override("en"), pytest.raises(ImportFileError) as web:
        read_table(content, limits=ImportLimits(max_bytes=1_000_000, max_rows=1, web=True))
    with translation.override("en"), pytest.raises(ImportFileError) as command:
        read_table(content, limits=ImportLimits(max_bytes=1_000_000, max_rows=1, web=False))

    assert "import_measurements" in str(web.value) and "up to 8 rows" in str(web.value)
    assert "import_measurements" not in str(command.value)
