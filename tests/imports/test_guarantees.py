"""What every import guarantees, whichever path writes it (set-based SQL on PostgreSQL, the ORM elsewhere):
every bad row named, history rows with door and user for every figure created or changed, the data version
moved on, is_latest right, no lost update. Every figure these tests import is synthetic."""

from decimal import Decimal
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from coverage.models import Door, Measurement

from ..helpers import assert_latest_consistent, csv_bytes, csv_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/import/"
COLUMNS = ("region", "indicator", "as_of", "value", "numerator", "denominator", "source", "status")
KABUPATEN = ["64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72", "64.74"]


def figures(source, months=("2023-01-31", "2023-02-28", "2023-03-31"), value=lambda i: f"{10 + i % 80}.25"):
    """Synthetic figures: 10 kabupaten/kota × 2 indicators × the months."""
    rows = []
    for as_of in months:
        for indicator in ("kia-ownership", "ikd-activation"):
            for code in KABUPATEN:
                rows.append(
                    {
                        "region": code,
                        "indicator": indicator,
                        "as_of": as_of,
                        "value": value(len(rows)),
                        "source": source,
                    }
                )
    return rows


def data_version(api):
    return api.get("/api/v1/measurements/")["ETag"]  # a national answer: every published change moves it


def test_every_created_and_changed_figure_has_its_history_row_with_user_and_door(article, editor, api):
    before = data_version(api)
    rows = figures(article.pk)

    created = editor.post(URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart").json()

    assert (created["created"], created["updated"], created["unchanged"]) == (60, 0, 0)
    imported = Measurement.objects.filter(as_of__year=2023).order_by("id")
    assert [(m.region.code, m.indicator.code, str(m.as_of)) for m in imported] == [
        (r["region"], r["indicator"], r["as_of"]) for r in rows
    ]  # ids in file order
    for figure in imported:
        (record,) = figure.history.all()
        assert (record.history_type, record.history_door, record.history_user.username) == ("+", Door.IMPORT, "editor")
        assert [getattr(record, f.attname) for f in Measurement._meta.concrete_fields if f.name != "is_latest"] == [
            getattr(figure, f.attname) for f in Measurement._meta.concrete_fields if f.name != "is_latest"
        ]  # the whole row
        assert (record.version, record.status, record.verified_by.username) == (1, "published", "editor")
        assert record.history_date == figure.verified_at
    after_create = data_version(api)
    assert after_create != before

    rows[0]["value"] = "99.99"
    rows[59]["status"] = "draft"
    changed = editor.post(URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart").json()

    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 2, 58)
    assert data_version(api) != after_create
    first, last = imported.all().first(), imported.all().last()
    assert (first.value, first.version, last.status, last.version) == (Decimal("99.99"), 2, "draft", 2)
    for figure in (first, last):
        record = figure.history.order_by("-history_id").first()
        assert (record.history_type, record.history_door, record.history_user.username) == ("~", Door.IMPORT, "editor")
        assert (record.value, record.status, record.version) == (figure.value, figure.status, 2)
        assert record.history_date == figure.updated_at
    assert Measurement.history.filter(history_door=Door.IMPORT).count() == 62
    entries = editor.get(f"/api/v1/measurements/{first.pk}/history/").json()
    assert [(e["type"], e["door"], e["user"]) for e in entries] == [
        ("changed", "import", "editor"),
        ("created", "import", "editor"),
    ]
    assert entries[0]["changes"] == [{"field": "value", "old": 10.25, "new": 99.99}]


def test_the_command_records_its_user_or_none(article, tmp_path, admin_user):
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_bytes(figures(article.pk, months=("2023-01-31",)), COLUMNS))

    call_command("import_measurements", str(path), stdout=StringIO())  # no user: drafts
    path.write_bytes(csv_bytes(figures(article.pk, months=("2023-01-31",), value=lambda i: "1.00"), COLUMNS))
    call_command("import_measurements", str(path), "--user", admin_user.username, stdout=StringIO())

    records = Measurement.history.filter(as_of="2023-01-31", region__code="64.71", indicator__code="kia-ownership")
    assert [(r.history_type, r.history_door, r.history_user) for r in records.order_by("history_id")] == [
        ("+", Door.IMPORT, None),
        ("~", Door.IMPORT, admin_user),
    ]
    figure = Measurement.objects.get(as_of="2023-01-31", region__code="64.71", indicator__code="kia-ownership")
    assert (figure.status, figure.verified_by, figure.value, figure.version) == ("draft", None, Decimal("1.00"), 2)


def test_every_bad_row_is_named_even_when_many_share_the_same_mistake(article, editor):
    rows = figures(article.pk)
    for index in (3, 17, 42):
        rows[index]["region"] = "64.99"  # the same unknown code three times
    rows[5]["value"] = "12.345"
    rows[6].update(value="", numerator="1", denominator="3")  # derived from the counts: fine
    rows[7].update(value="40", numerator="1", denominator="3")
    rows[8]["as_of"] = "2023-02-30"
    rows[9]["status"] = "final"
    rows.append(dict(rows[10]))  # the same key as line 12

    response = editor.post(
        URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart", headers={"accept-language": "en"}
    )

    assert response.status_code == 400
    assert [(e["line"], e["attr"], e["code"]) for e in response.json()["errors"]] == [
        (5, "region", "unknown_region"),
        (7, "value", "max_decimal_places"),
        (9, "value", "value_counts_mismatch"),
        (10, "as_of", "invalid"),
        (11, "status", "invalid_choice"),
        (19, "region", "unknown_region"),
        (44, "region", "unknown_region"),
        (62, None, "duplicate"),
    ]
    assert response.json()["errors"][-1]["detail"] == "Same region, indicator and as_of as line 12."
    assert response.json()["summary"]["created"] == 53
    assert Measurement.objects.count() == 12

    fixed = [row for i, row in enumerate(rows) if i not in (3, 5, 7, 8, 9, 17, 42, 60)]
    assert editor.post(URL, {"file": csv_upload(fixed, COLUMNS)}, format="multipart").json()["created"] == 53
    key = {f"{name}__code": rows[6][name] for name in ("region", "indicator")}
    derived = Measurement.objects.get(**key, as_of=rows[6]["as_of"])
    assert (derived.value, derived.numerator, derived.denominator) == (Decimal("33.33"), 1, 3)


def test_a_drafter_may_create_and_change_drafts_but_is_refused_every_public_row(article, drafter):
    rows = figures(article.pk, months=("2023-01-31",))
    drafter.post(URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart")
    rows[0]["value"] = "1.00"  # a draft: may change
    rows[1]["status"] = "published"  # may not publish
    rows.append(
        {"region": "64.74", "indicator": "ktp-el-recording", "as_of": "2024-06-13", "value": "1", "source": article.pk}
    )  # the article's published figure: may not change

    response = drafter.post(URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart")

    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [
        (3, "permission_denied"),
        (22, "permission_denied"),
    ]
    assert (response.json()["summary"]["updated"], response.json()["summary"]["unchanged"]) == (1, 18)
    assert Measurement.objects.filter(status="draft").count() == 20
    assert not Measurement.objects.filter(value=Decimal("1.00")).exists()


def test_the_preview_lists_the_changes_with_old_and_new_values(article, admin_client):
    bontang = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    rows = [
        {"region": "64.74", "indicator": "ktp-el-recording", "as_of": "2024-06-13", "value": "97.44", "status": ""},
        {"region": "64.71", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "96.90", "status": "draft"},
        {"region": "64", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "72.80", "status": ""},
    ]
    upload = csv_upload([{**row, "source": article.pk} for row in rows], COLUMNS)
    upload.name = "changes.csv"

    preview = admin_client.post(reverse("admin:coverage_measurement_import"), {"file": upload})

    balikpapan = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    report = preview.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert report.changes == [
        {"line": 2, "id": bontang.pk, "value": (Decimal("97.43"), Decimal("97.44"))},
        {"line": 3, "id": balikpapan.pk, "status": ("published", "draft")},
    ]
    assert 'id="import-changes"' in preview.content.decode()


def test_imports_keep_latest_right(article, editor, api):
    rows = figures(article.pk, months=("2024-01-31", "2024-12-31"))
    editor.post(URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart")
    assert_latest_consistent(api)
    newest = [row for row in rows if row["as_of"] == "2024-12-31"]
    for row in newest[:5]:
        row["status"] = "draft"  # withdrawn: the January figure is the latest again
    editor.post(URL, {"file": csv_upload(newest, COLUMNS)}, format="multipart")
    assert_latest_consistent(api)
    older = figures(article.pk, months=("2023-06-30",))  # older than every stored figure: no latest changes
    editor.post(URL, {"file": csv_upload(older, COLUMNS)}, format="multipart")

    assert_latest_consistent(api)
    latest = api.get(
        "/api/v1/measurements/", {"latest": "true", "region": "64.01", "indicator": "kia-ownership,ikd-activation"}
    ).json()
    assert sorted((r["indicator"], r["as_of"]) for r in latest["results"]) == [
        ("ikd-activation", "2024-12-31"),
        ("kia-ownership", "2024-01-31"),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_a_figure_changed_by_someone_else_during_an_import_is_not_lost(article, editor, monkeypatch):
    """Another transaction commits a change to a figure after the import classified it: the import's UPDATE
    finds a newer version, so the import classifies again with the figures locked, and writes over the newer row
    (version 3), never over the stale one."""
    from coverage.imports import pg_writer as bulk

    bontang = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    db = connection.settings_dict
    classify = bulk._classify
    calls = []

    def classify_then_interfere(cursor, **kwargs):
        classify(cursor, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            address = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "dbname": db["NAME"]}
            with psycopg.connect(**address, user=db["USER"], password=db["PASSWORD"] or None, autocommit=True) as other:
                other.execute(
                    f"UPDATE {Measurement._meta.db_table} SET numerator = 100, denominator = 200, value = 50, "
                    "version = version + 1 WHERE id = %s",
                    [bontang.pk],
                )

    monkeypatch.setattr(bulk, "_classify", classify_then_interfere)
    rows = [
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": "97.44",
            "source": article.pk,
        }
    ]

    response = editor.post(URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart")

    assert response.status_code == 200, response.json()
    assert len(calls) == 2
    bontang.refresh_from_db()
    assert (bontang.value, bontang.numerator, bontang.denominator, bontang.version) == (Decimal("97.44"), None, None, 3)
    assert bontang.history.order_by("-history_id").first().version == 3


def test_a_file_naming_more_regions_than_a_query_takes_parameters_is_checked_row_by_row(article, editor, settings):
    # 70,000 distinct desa-shaped codes (more than the 65,535 bind parameters one statement may carry); only
    # the first is real. They are looked up as one array, so the answer names the unknown ones, not a 503.
    settings.IMPORT_MAX_WEB_ROWS = 70_000
    rows = [
        {
            "region": f"64.{71 + i // 10000:02d}.{i // 100 % 100:02d}.{1000 + i % 100:04d}",
            "indicator": "kia-ownership",
            "as_of": "2024-06-30",
            "value": "50",
            "source": article.pk,
        }
        for i in range(70_000)
    ]
    rows[0]["region"] = "64.71"

    response = editor.post(
        URL, {"file": csv_upload(rows, COLUMNS)}, format="multipart", headers={"accept-language": "en"}
    )

    assert response.status_code == 400, response.content[:300]
    errors = response.json()["errors"]
    assert {(e["attr"], e["code"]) for e in errors} == {("region", "unknown_region")}
    assert errors[0]["line"] == 3 and len(errors) == 1_000  # the first 1,000, and how many in all:
    assert response.json()["summary"]["error_count"] == response.json()["summary"]["rejected"] == 69_999
    assert response.json()["summary"]["created"] == 1
