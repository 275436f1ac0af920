"""The shapes of the values clients send for a figure (coverage.figures.values), the same at every door: a date as
YYYY-MM-DD exactly, a moment as RFC 3339 with its offset, an indicator code as a lowercase slug."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from coverage.figures.values import check_indicator_code, parse_iso_date, parse_moment

WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.mark.parametrize(
    ("text", "date"),
    [("2024-06-13", datetime.date(2024, 6, 13)), ("2024-02-29", datetime.date(2024, 2, 29))],
)
def test_a_date_written_yyyy_mm_dd_is_that_date(text, date):
    assert parse_iso_date(text) == date


@pytest.mark.parametrize(
    "text",
    ["2024-6-13", "2024-06-1", "13/06/2024", "2024-02-30", "2023-02-29", "2024-13-01", "20240613", " 2024-06-13", ""],
)
def test_anything_else_is_no_date(text):
    assert parse_iso_date(text) is None


@pytest.mark.parametrize("value", [None, 20240613, datetime.date(2024, 6, 13)])
def test_a_value_that_is_not_text_is_no_date(value):
    assert parse_iso_date(value) is None


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-06-21T00:00:00Z", datetime.datetime(2024, 6, 21, tzinfo=datetime.UTC)),
        ("2024-06-21t08:00:00z", datetime.datetime(2024, 6, 21, 8, tzinfo=datetime.UTC)),
        ("2024-06-21T08:00:00+08:00", datetime.datetime(2024, 6, 21, 8, tzinfo=WITA)),
        ("2024-06-21T08:00:00.5+08:00", datetime.datetime(2024, 6, 21, 8, 0, 0, 500000, tzinfo=WITA)),
    ],
)
def test_a_moment_with_its_offset_is_that_instant(text, moment):
    parsed = parse_moment(text)

    assert parsed == moment
    assert parsed.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-21T00:00:00",  # no offset: another instant in every time zone
        "2024-06-21",
        "2024-06-21 00:00:00Z",  # a space for the T
        "2024-06-21T00:00:00 08:00",  # a + that arrived as a space
        "2024-06-21T24:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-06-21T00:00Z",
        "",
    ],
)
def test_anything_else_is_no_moment(text):
    assert parse_moment(text) is None


def test_a_value_that_is_not_text_is_no_moment():
    assert parse_moment(datetime.datetime(2024, 6, 21, tzinfo=datetime.UTC)) is None


@pytest.mark.parametrize("code", ["kia-ownership", "ktp-el-recording-first-voters", "ikd", "2024", "a1-b2"])
def test_a_lowercase_slug_is_an_indicator_code(code):
    assert check_indicator_code(code) == code


@pytest.mark.parametrize("code", ["KIA", "kia_ownership", "kia--ownership", "-kia", "kia-", "kia ownership", ""])
def test_anything_else_is_not_an_indicator_code(code):
    with pytest.raises(ValidationError) as refused:
        check_indicator_code(code)

    assert refused.value.code == "invalid_code"


def test_a_long_indicator_code_is_named_by_its_first_50_characters():
    with pytest.raises(ValidationError) as refused:
        check_indicator_code("X" * 60)

    assert refused.value.params == {"value": "X" * 50}
