"""Import files through the API (coverage.imports.files): CSV, XLSX and JSON alike, an export importing back
unchanged, and files that cannot be read (wrong columns, not UTF-8, broken, too large) a 400 or 413 that names the
problem, never a 500. Every figure these tests import is synthetic."""

import io

import pytest
from openpyxl import Workbook

from coverage.models import Measurement

from ..helpers import csv_bytes, synthetic_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/import/"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"region,indicator,as_of,value,colour\n", "unknown_column"),
        (b"region,indicator,value\n", "missing_column"),
        (b"r\xe9gion,indicator,as_of,value\n", "invalid_file"),  # Windows-1252, not UTF-8
        (b"[1, 2]", "invalid_file"),
    ],
)
def test_an_unreadable_file_is_a_400_naming_the_problem(article_all_regions, editor, content, code):
    response = editor.post(URL, {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code


def test_size_caps_are_413s(article_all_regions, editor, settings):
    settings.IMPORT_MAX_WEB_ROWS = 5
    too_many = editor.post(
        URL, {"file": io.BytesIO(csv_bytes(synthetic_rows(article_all_regions, 6)))}, format="multipart"
    )
    settings.IMPORT_MAX_BYTES = 100
    too_big = editor.post(
        URL, {"file": io.BytesIO(csv_bytes(synthetic_rows(article_all_regions, 4)))}, format="multipart"
    )

    assert (too_many.status_code, too_many.json()["errors"][0]["code"]) == (413, "too_many_rows")
    assert (too_big.status_code, too_big.json()["errors"][0]["code"]) == (413, "request_too_large")


def test_an_export_imports_back_unchanged(article_all_regions, editor):
    exported = editor.get("/api/v1/measurements/", {"format": "csv", "page_size": "all"})
    content = b"".join(exported.streaming_content)

    response = editor.post(URL, {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 200, response.json()
    assert (response.json()["unchanged"], response.json()["created"], response.json()["updated"]) == (12, 0, 0)


def test_xlsx_and_json_import_like_csv(article_all_regions, editor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region", "indicator", "as_of", "value", "source"])
    sheet.append(["64.72", "kia-ownership", "2024-06-13", 80.5, article_all_regions.pk])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    xlsx.seek(0)
    xlsx.name = "figures.xlsx"

    from_xlsx = editor.post(URL, {"file": xlsx}, format="multipart")
    from_json = editor.post(
        URL,
        [
            {
                "region": "64.72",
                "indicator": "ikd-activation",
                "as_of": "2024-06-13",
                "value": 3.1,
                "source": article_all_regions.pk,
            }
        ],
        format="json",
    )

    assert from_xlsx.json()["created"] == 1, from_xlsx.json()
    assert from_json.json()["created"] == 1, from_json.json()
    assert str(Measurement.objects.get(region__code="64.72", indicator__code="kia-ownership").value) == "80.50"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"region,indicator,as_of,value,numerator\n64.72,kia-ownership,2024-06-13,1," + b"9" * 5000 + b"\n", None),
        (b"region,indicator,as_of,value\n64.72,kia-ownership,2024-06-13," + b"1" * 200_000 + b"\n", "invalid_file"),
        (b"region,indicator,as_of,value\n64\x00,kia-ownership,2024-06-13,1\n", None),
        (b"region,indicator,as_of,value,value\n64.72,kia-ownership,2024-06-13,1,2\n", "duplicate_column"),
        (b"region,indicator,as_of,value,\n64.72,kia-ownership,2024-06-13,1,oops\n", "unnamed_column"),
        (b"region,indicator,as_of,value\n64.72,kia-ownership,2024-06-13,1,extra\n", "unnamed_column"),
        (b"PK\x03\x04 not really a workbook", "invalid_file"),
    ],
    ids=["huge-number", "huge-cell", "nul-code", "column-twice", "unnamed-column", "cell-beyond-header", "broken-xlsx"],
)
def test_odd_files_are_400s_never_500s(article_all_regions, editor, content, code):
    response = editor.post(URL, {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 400
    if code:
        assert response.json()["errors"][0]["code"] == code
    else:
        assert response.json()["summary"]["rejected"] == 1


def test_a_truncated_xlsx_is_a_400(article_all_regions, editor):
    workbook = Workbook()
    workbook.active.append(["region", "indicator", "as_of", "value"])
    workbook.active.append(["64.72", "kia-ownership", "2024-06-13", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    broken = io.BytesIO(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    broken.name = "broken.xlsx"

    assert editor.post(URL, {"file": broken}, format="multipart").json()["errors"][0]["code"] == "invalid_file"


def test_an_xlsx_percentage_cell_means_the_percentage_it_shows(article_all_regions, editor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region", "indicator", "as_of", "value", "source"])
    sheet.append(["64.72", "kia-ownership", "2024-06-13", 0.5, article_all_regions.pk])
    sheet["D2"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "percent.xlsx"

    editor.post(URL, {"file": buffer}, format="multipart")

    assert str(Measurement.objects.get(region__code="64.72").value) == "50.00"
