"""Bulk import of figures through its three doors (API, admin, command), all sharing
coverage.imports.import_measurements.

Every figure these tests import is synthetic."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from coverage.models import Door, Measurement, Region

from .conftest import token_client
from .factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/import/"
INDICATORS = ["ktp-el-recording", "ktp-el-recording-first-voters", "kia-ownership", "ikd-activation"]


def csv_bytes(rows, columns=("region", "indicator", "as_of", "value", "source")):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def national(article):
    call_command("load_regions", verbosity=0)
    return article


def synthetic_rows(source, count):
    """``count`` synthetic figures of kabupaten/kota, four indicators, month-ends of 2023."""
    regions = list(Region.objects.filter(level=2).order_by("code").values_list("code", flat=True))
    months = ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30"]
    rows = []
    for as_of in months:
        for indicator in INDICATORS:
            for index, code in enumerate(regions):
                rows.append(
                    {
                        "region": code,
                        "indicator": indicator,
                        "as_of": as_of,
                        "value": f"{(index % 90) + 5}.25",
                        "source": source.pk,
                    }
                )
                if len(rows) == count:
                    return rows
    raise AssertionError("not enough synthetic rows")


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_measurements", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_bad_row_in_10000_writes_nothing_and_the_fixed_file_imports_then_reimports_unchanged(
    national, tmp_path, admin_user
):
    rows = synthetic_rows(national, 10_000)
    original = rows[7_341]["region"]
    rows[7_341]["region"] = original.replace(".", "")  # a BPS-style code where a Kemendagri code is expected
    bad = tmp_path / "semester.csv"
    bad.write_bytes(csv_bytes(rows))

    with pytest.raises(CommandError, match="1 bad rows; nothing was written"):
        run_import(bad, "--dry-run")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_measurements", str(bad), stdout=StringIO(), stderr=err)
    assert f"semester.csv:7343: region: {original.replace('.', '')} looks like a BPS code" in err.getvalue()
    assert Measurement.objects.count() == 12

    rows[7_341]["region"] = original
    bad.write_bytes(csv_bytes(rows))
    first, _ = run_import(bad, "--user", admin_user.username)
    again, _ = run_import(bad, "--user", admin_user.username)

    assert first.startswith("10000 rows: 10000 created, 0 updated, 0 unchanged, 0 rejected")
    assert again.startswith("10000 rows: 0 created, 0 updated, 10000 unchanged, 0 rejected")
    assert Measurement.objects.count() == 10_012


def test_a_dry_run_writes_nothing(national, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(synthetic_rows(national, 20)))

    out, _ = run_import(path, "--dry-run")

    assert out.startswith("20 rows: 20 created")
    assert "dry run" in out
    assert Measurement.objects.count() == 12


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
def test_each_bad_row_is_named_with_line_column_and_reason_through_the_api(national, editor, change, column, code):
    rows = synthetic_rows(national, 3)
    rows[1].update(change)

    response = editor.post(URL, {"file": io.BytesIO(csv_bytes(rows))}, format="multipart")

    assert response.status_code == 400
    assert [(e["line"], e["attr"], e["code"]) for e in response.json()["errors"]] == [(3, column, code)]
    assert response.json()["summary"]["rejected"] == 1
    assert Measurement.objects.count() == 12


def test_a_key_twice_in_one_file_is_named(national, editor):
    rows = synthetic_rows(national, 2)
    rows.append(dict(rows[0]))

    response = editor.post(
        URL, {"file": io.BytesIO(csv_bytes(rows))}, format="multipart", headers={"accept-language": "en"}
    )

    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [(4, "duplicate")]
    assert "as line 2" in response.json()["errors"][0]["detail"]


def test_counts_must_match_the_value(national, editor):
    rows = [
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": "50",
            "numerator": "1",
            "denominator": "3",
            "source": national.pk,
        }
    ]

    response = editor.post(URL, {"file": io.BytesIO(csv_bytes(rows, columns=list(rows[0])))}, format="multipart")

    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("value", "value_counts_mismatch")]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"region,indicator,as_of,value,colour\n", "unknown_column"),
        (b"region,indicator,value\n", "missing_column"),
        (b"r\xe9gion,indicator,as_of,value\n", "invalid_file"),  # Windows-1252, not UTF-8
        (b"[1, 2]", "invalid_file"),
    ],
)
def test_an_unreadable_file_is_a_400_naming_the_problem(national, editor, content, code):
    response = editor.post(URL, {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code


def test_size_caps_are_413s(national, editor, settings):
    settings.IMPORT_MAX_WEB_ROWS = 5
    too_many = editor.post(URL, {"file": io.BytesIO(csv_bytes(synthetic_rows(national, 6)))}, format="multipart")
    settings.IMPORT_MAX_BYTES = 100
    too_big = editor.post(URL, {"file": io.BytesIO(csv_bytes(synthetic_rows(national, 4)))}, format="multipart")

    assert (too_many.status_code, too_many.json()["errors"][0]["code"]) == (413, "too_many_rows")
    assert (too_big.status_code, too_big.json()["errors"][0]["code"]) == (413, "request_too_large")


def test_an_export_imports_back_unchanged(national, editor):
    exported = editor.get("/api/v1/measurements/", {"format": "csv", "page_size": "all"})
    content = b"".join(exported.streaming_content)

    response = editor.post(URL, {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 200, response.json()
    assert (response.json()["unchanged"], response.json()["created"], response.json()["updated"]) == (12, 0, 0)


def test_xlsx_and_json_import_like_csv(national, editor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region", "indicator", "as_of", "value", "source"])
    sheet.append(["64.72", "kia-ownership", "2024-06-13", 80.5, national.pk])
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
                "source": national.pk,
            }
        ],
        format="json",
    )

    assert from_xlsx.json()["created"] == 1, from_xlsx.json()
    assert from_json.json()["created"] == 1, from_json.json()
    assert str(Measurement.objects.get(region__code="64.72", indicator__code="kia-ownership").value) == "80.50"


def test_an_update_is_counted_and_recorded_with_user_and_door(national, editor):
    rows = [
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": "97.44",
            "source": national.pk,
        }
    ]

    response = editor.post(URL + "?dry_run=false", {"file": io.BytesIO(csv_bytes(rows))}, format="multipart")

    assert response.json()["updated"] == 1
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    latest = figure.history.order_by("-history_id").first()
    assert (str(figure.value), figure.version, latest.history_door, latest.history_user.username) == (
        "97.44",
        2,
        Door.IMPORT,
        "editor",
    )


def test_without_the_right_to_publish_imports_land_as_drafts_and_published_figures_cannot_change(national, drafter):
    new = [
        {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "80", "source": national.pk}
    ]
    change = [
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": "97.44",
            "source": national.pk,
        }
    ]

    created = drafter.post(URL, {"file": io.BytesIO(csv_bytes(new))}, format="multipart")
    refused = drafter.post(URL, {"file": io.BytesIO(csv_bytes(change))}, format="multipart")

    assert created.json()["created"] == 1
    assert Measurement.objects.get(region__code="64.72").status == "draft"
    assert [(e["attr"], e["code"]) for e in refused.json()["errors"]] == [("status", "permission_denied")]


def test_a_publisher_imports_published_figures(national, editor):
    rows = [
        {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "80", "source": national.pk}
    ]

    editor.post(URL, {"file": io.BytesIO(csv_bytes(rows))}, format="multipart")

    figure = Measurement.objects.get(region__code="64.72")
    assert (figure.status, figure.verified_by.username) == ("published", "editor")


def test_importing_needs_add_and_change_permissions(national, reader, api):
    rows = csv_bytes(synthetic_rows(national, 1))

    assert api.post(URL, {"file": io.BytesIO(rows)}, format="multipart").status_code == 401
    assert reader.post(URL, {"file": io.BytesIO(rows)}, format="multipart").status_code == 403
    only_add = token_client(UserFactory(permissions=["add_measurement"]))
    assert only_add.post(URL, {"file": io.BytesIO(rows)}, format="multipart").status_code == 403


def test_the_admin_import_previews_then_writes_on_confirmation(national, admin_client):
    rows = synthetic_rows(national, 5)
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "semester.csv"

    preview = admin_client.post(reverse("admin:coverage_measurement_import"), {"file": upload})

    assert preview.status_code == 200
    assert (
        "5 rows: 5 new, 0 changed, 0 unchanged, 0 rejected." in preview.content.decode()
        or "5 baris" in preview.content.decode()
    )
    assert Measurement.objects.count() == 12
    confirmed = admin_client.post(
        reverse("admin:coverage_measurement_import"), {"confirm": "1", "token": preview.context["token"]}
    )
    assert confirmed.status_code == 302
    assert Measurement.objects.count() == 17
    assert Measurement.history.filter(history_door=Door.IMPORT).count() == 5


def test_the_admin_import_shows_every_bad_row_and_offers_no_confirmation(national, admin_client):
    rows = synthetic_rows(national, 3)
    rows[2]["value"] = "-4"
    upload = io.BytesIO(csv_bytes(rows))
    upload.name = "bad.csv"

    response = admin_client.post(reverse("admin:coverage_measurement_import"), {"file": upload})

    page = response.content.decode()
    assert [(e.line, e.column, e.code) for e in response.context["report"].errors] == [(4, "value", "min_value")]
    assert 'name="confirm"' not in page
    assert Measurement.objects.count() == 12


def test_the_import_page_is_linked_from_the_figure_list(national, admin_client):
    page = admin_client.get(reverse("admin:coverage_measurement_changelist")).content.decode()

    assert reverse("admin:coverage_measurement_import") in page


def test_a_json_array_with_a_bad_row_names_its_position(national, editor):
    body = [
        {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 1, "source": national.pk},
        {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-14", "value": -1, "source": national.pk},
    ]

    response = editor.post(URL, json.dumps(body), content_type="application/json")

    assert [(e["line"], e["attr"]) for e in response.json()["errors"]] == [(2, "value")]


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
def test_odd_files_are_400s_never_500s(national, editor, content, code):
    response = editor.post(URL, {"file": io.BytesIO(content)}, format="multipart")

    assert response.status_code == 400
    if code:
        assert response.json()["errors"][0]["code"] == code
    else:
        assert response.json()["summary"]["rejected"] == 1


def test_a_truncated_xlsx_is_a_400(national, editor):
    workbook = Workbook()
    workbook.active.append(["region", "indicator", "as_of", "value"])
    workbook.active.append(["64.72", "kia-ownership", "2024-06-13", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    broken = io.BytesIO(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    broken.name = "broken.xlsx"

    assert editor.post(URL, {"file": broken}, format="multipart").json()["errors"][0]["code"] == "invalid_file"


def test_an_xlsx_percentage_cell_means_the_percentage_it_shows(national, editor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region", "indicator", "as_of", "value", "source"])
    sheet.append(["64.72", "kia-ownership", "2024-06-13", 0.5, national.pk])
    sheet["D2"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "percent.xlsx"

    editor.post(URL, {"file": buffer}, format="multipart")

    assert str(Measurement.objects.get(region__code="64.72").value) == "50.00"


def test_two_imports_in_one_transaction_both_apply(national, editor):
    first = csv_bytes(
        [
            {
                "region": "64.74",
                "indicator": "ktp-el-recording",
                "as_of": "2024-06-13",
                "value": "97.44",
                "source": national.pk,
            }
        ]
    )
    second = csv_bytes(
        [
            {
                "region": "64.74",
                "indicator": "ktp-el-recording",
                "as_of": "2024-06-13",
                "value": "97.45",
                "source": national.pk,
            }
        ]
    )

    responses = [editor.post(URL, {"file": io.BytesIO(body)}, format="multipart") for body in (first, second)]

    assert [r.json()["updated"] for r in responses] == [1, 1]
    assert str(Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording").value) == "97.45"
