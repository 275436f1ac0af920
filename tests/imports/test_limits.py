"""The same limits on every import door (coverage.imports.limits): rows counted while reading, the first row over the
door's cap a 413 and what follows never read (the API and the admin take IMPORT_MAX_WEB_ROWS, the command the larger
IMPORT_MAX_ROWS); one byte limit (IMPORT_MAX_BYTES) on a file or JSON body, a JSON array above Django's 2.5 MB body
limit importing; error lists bounded to the first 1,000 errors, and how many in all. Every figure is synthetic."""

import io
import json
import os

import pytest
from django.urls import reverse

from coverage.models import Measurement

from ..helpers import csv_bytes
from .doors import (
    ADMIN,
    ENGLISH,
    HEADER,
    URL,
    admin_refusal,
    figures,
    refusal_of,
    through_admin,
    through_api,
    through_command,
)
from .workbooks import sheet_xml, spreadsheet_of, workbook

pytestmark = pytest.mark.django_db


# --- Rows: counted while reading, the first one too many a 413 ------------------------------------------------


def test_the_first_row_over_the_cap_is_a_413_and_what_follows_is_never_read_on_every_door(
    article_all_regions, editor, admin_client, tmp_path, settings
):
    settings.IMPORT_MAX_WEB_ROWS = settings.IMPORT_MAX_ROWS = 5
    # Six figures, then a line no reader could read: reading stops at the sixth.
    csv_file = csv_bytes(figures(article_all_regions.pk, 6), lineterminator="\n") + b'64.72,"never closed\n'
    xlsx_file = spreadsheet_of(6, source=article_all_regions.pk, broken_after=6)
    json_body = json.dumps(figures(article_all_regions.pk, 6))[:-1].encode() + b", {never read"

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
    article_all_regions, editor, tmp_path, settings
):
    settings.IMPORT_MAX_WEB_ROWS, settings.IMPORT_MAX_ROWS = 5, 8
    at_cap = csv_bytes(figures(article_all_regions.pk, 5), lineterminator="\n")
    over_web_cap = csv_bytes(figures(article_all_regions.pk, 8, start=5), lineterminator="\n")

    from_api = through_api(editor, at_cap)
    refused_by_api = through_api(editor, over_web_cap)
    from_command = through_command(tmp_path, over_web_cap)

    assert from_api.json()["created"] == 5
    assert refusal_of(refused_by_api)[:2] == (413, "too_many_rows")
    assert from_command.startswith("8 rows: 8 created")


def test_the_admin_confirms_within_the_cap_as_well(article_all_regions, admin_client, settings, previews):
    preview = through_admin(admin_client, csv_bytes(figures(article_all_regions.pk, 6), lineterminator="\n"))
    settings.IMPORT_MAX_WEB_ROWS = 5

    confirmed = admin_client.post(
        reverse(ADMIN), {"confirm": "1", "token": preview.context["token"]}, follow=True, headers=ENGLISH
    )

    assert confirmed.redirect_chain == [(reverse(ADMIN), 302)]
    assert "More than 5 rows" in confirmed.content.decode()
    assert previews() == []
    assert Measurement.objects.count() == 12


# --- One byte limit ------------------------------------------------------------------------------------------


def test_one_byte_limit_holds_on_every_door(article_all_regions, editor, admin_client, tmp_path, settings):
    content = csv_bytes(figures(article_all_regions.pk, 20), lineterminator="\n")
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
    article_all_regions, editor, admin_client, settings, previews
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


def test_a_json_array_larger_than_djangos_body_limit_imports_and_other_endpoints_keep_theirs(
    article_all_regions, editor
):
    rows = [
        {**row, "region_name": "x" * 1_000} for row in figures(article_all_regions.pk, 3_000)
    ]  # region_name: ignored
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
    article_all_regions, editor, admin_client, previews
):
    rows = [{**row, "region_name": "x" * 1_000} for row in figures(article_all_regions.pk, 3_000)]
    large_csv = csv_bytes(rows, [*HEADER, "region_name"], lineterminator="\n")
    cells = [
        [row["region"], row["indicator"], row["as_of"], 1, article_all_regions.pk]
        for row in figures(article_all_regions.pk, 100)
    ]
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


# --- Error lists: the first 1,000 and how many ---------------------------------------------------------------


def test_an_answer_lists_the_first_1000_errors_and_counts_them_all_on_every_door(
    article_all_regions, editor, admin_client, tmp_path
):
    rows = [{**row, "value": "-1"} for row in figures(article_all_regions.pk, 1_500)]
    rows[0]["region"] = "99.99"  # two errors on line 2
    content = csv_bytes(rows, lineterminator="\n")

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
