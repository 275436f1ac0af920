"""``manage.py import_measurements``: one bad row in 10,000 writes nothing and names the row, the fixed file imports
and then reimports unchanged, a dry run writes nothing, and the user's regions bound what it writes. Every figure is
synthetic."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coverage.models import Measurement

from ..helpers import csv_bytes, synthetic_rows

pytestmark = pytest.mark.django_db


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_measurements", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_bad_row_in_10000_writes_nothing_and_the_fixed_file_imports_then_reimports_unchanged(
    article_all_regions, tmp_path, admin_user
):
    rows = synthetic_rows(article_all_regions, 10_000)
    original = rows[7_341]["region"]
    rows[7_341]["region"] = original.replace(".", "")  # a BPS-style code where a Kemendagri code is expected
    bad = tmp_path / "semester.csv"
    bad.write_bytes(csv_bytes(rows))

    with pytest.raises(CommandError, match="1 bad rows; nothing was written"):
        run_import(bad, "--dry-run")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_measurements", str(bad), stdout=StringIO(), stderr=err)
    assert f"semester.csv:7343: region: {original.replace('.', '')} is a BPS code" in err.getvalue()
    assert Measurement.objects.count() == 12

    rows[7_341]["region"] = original
    bad.write_bytes(csv_bytes(rows))
    first, _ = run_import(bad, "--user", admin_user.username)
    again, _ = run_import(bad, "--user", admin_user.username)

    assert first.startswith("10000 rows: 10000 created, 0 updated, 0 unchanged, 0 rejected")
    assert again.startswith("10000 rows: 0 created, 0 updated, 10000 unchanged, 0 rejected")
    assert Measurement.objects.count() == 10_012


def test_a_dry_run_writes_nothing(article_all_regions, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes(synthetic_rows(article_all_regions, 20)))

    out, _ = run_import(path, "--dry-run")

    assert out.startswith("20 rows: 20 created")
    assert "dry run" in out
    assert Measurement.objects.count() == 12


def test_the_import_command_applies_the_users_regions(paser_operator, article, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("region,indicator,as_of,value\n64.72,kia-ownership,2024-06-20,70\n")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_measurements", str(path), "--user", "op-paser", stdout=out, stderr=out)

    assert "out_of_scope" in out.getvalue()
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()
