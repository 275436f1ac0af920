"""Import rows checked through the API (coverage.imports.checking): each bad row named with its line, column and
reason, a key twice in one file, counts that must match the value, a JSON array's bad row by its position.
tests/imports/test_checking_unit.py checks each column's rules without HTTP. Every figure is synthetic."""

import io
import json

import pytest

from coverage.models import Measurement

from ..helpers import csv_bytes, synthetic_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/import/"


@pytest.mark.parametrize(
    ("change", "column", "code"),
    [
        ({"region": "6402"}, "region", "bps_code"),
        ({"region": "99.99"}, "region", "unknown_region"),
        ({"region": ""}, "region", "required"),
        ({"indicator": "kia"}, "indicator", "unknown_indicator"),
        ({"as_of": "13/06/2024"}, "as_of", "invalid"),
        ({"as_of": "2024-02-30"}, "as_of", "invalid"),
        ({"as_of": "2999-01-01"}, "as_of", "future_date"),
        ({"value": "-1"}, "value", "min_value"),
        ({"value": "1000"}, "value", "max_value"),
        ({"value": "12.345"}, "value", "max_decimal_places"),
        ({"value": "NaN"}, "value", "invalid"),
        ({"value": "abc"}, "value", "invalid"),
        ({"value": ""}, "value", "required"),
        ({"source": "999"}, "source", "unknown_source"),
        ({"source": "x"}, "source", "unknown_source"),
    ],
)
def test_each_bad_row_is_named_with_line_column_and_reason_through_the_api(
    article_all_regions, editor, change, column, code
):
    rows = synthetic_rows(article_all_regions, 3)
    rows[1].update(change)

    response = editor.post(URL, {"file": io.BytesIO(csv_bytes(rows))}, format="multipart")

    assert response.status_code == 400
    assert [(e["line"], e["attr"], e["code"]) for e in response.json()["errors"]] == [(3, column, code)]
    assert response.json()["summary"]["rejected"] == 1
    assert Measurement.objects.count() == 12


def test_a_key_twice_in_one_file_is_named(article_all_regions, editor):
    rows = synthetic_rows(article_all_regions, 2)
    rows.append(dict(rows[0]))

    response = editor.post(
        URL, {"file": io.BytesIO(csv_bytes(rows))}, format="multipart", headers={"accept-language": "en"}
    )

    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [(4, "duplicate")]
    assert "as line 2" in response.json()["errors"][0]["detail"]


def test_counts_must_match_the_value(article_all_regions, editor):
    rows = [
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": "50",
            "numerator": "1",
            "denominator": "3",
            "source": article_all_regions.pk,
        }
    ]

    response = editor.post(URL, {"file": io.BytesIO(csv_bytes(rows, columns=list(rows[0])))}, format="multipart")

    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("value", "value_counts_mismatch")]


def test_a_json_array_with_a_bad_row_names_its_position(article_all_regions, editor):
    body = [
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": 1,
            "source": article_all_regions.pk,
        },
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-14",
            "value": -1,
            "source": article_all_regions.pk,
        },
    ]

    response = editor.post(URL, json.dumps(body), content_type="application/json")

    assert [(e["line"], e["attr"]) for e in response.json()["errors"]] == [(2, "value")]
