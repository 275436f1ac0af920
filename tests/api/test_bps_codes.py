"""BPS codes through every door that takes region codes: filters of lists and answers (JSON and CSV) with
code_system=bps, regions found by bps_code, a BPS code sent without code_system named for what it is, unknown and
ambiguous BPS codes refused by name, and imports in BPS codes through the API, the admin and the command. The
figures are the article's (Kutai Barat, 64.07, is BPS 6402); imported figures are synthetic."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from coverage.models import Measurement

from ..helpers import csv_rows, error_codes, errors_of
from ..imports.doors import through_api, through_command

pytestmark = pytest.mark.django_db

ROWS = "region,indicator,as_of,value,source\n{region},kia-ownership,2024-12-31,61.25,{source}\n"


def detail_of(response):
    return response.json()["errors"][0]


def test_regions_and_figures_carry_their_bps_code(article_all_regions, api):
    kutai_barat = api.get("/api/v1/regions/64.07/").json()
    figures = api.get("/api/v1/measurements/", {"region": "64.07"}).json()["results"]

    assert (kutai_barat["code"], kutai_barat["bps_code"]) == ("64.07", "6402")
    assert [(f["region"], f["region_bps_code"], f["value"]) for f in figures] == [("64.07", "6402", 54.67)]


def test_regions_are_found_by_bps_code(article_all_regions, api):
    found = api.get("/api/v1/regions/", {"bps_code": "6402,6403"}).json()["results"]

    assert [(r["code"], r["bps_code"]) for r in found] == [("64.02", "6403"), ("64.07", "6402")]
    unknown = api.get("/api/v1/regions/", {"bps_code": "6499"}, headers={"accept-language": "en"})
    assert error_codes(unknown, 400) == ["unknown_bps_code"]
    assert detail_of(unknown)["attr"] == "bps_code" and "6499" in detail_of(unknown)["detail"]


@pytest.mark.parametrize(
    ("params", "kemendagri"),
    [
        ({"region": "6402"}, {"region": "64.07"}),
        ({"region": "6402,6471"}, {"region": "64.07,64.71"}),
        ({"parent": "64"}, {"parent": "64"}),
        ({"within": "64"}, {"within": "64"}),
    ],
)
def test_a_list_in_bps_codes_is_the_list_in_kemendagri_codes(article_all_regions, api, params, kemendagri):
    by_bps = api.get("/api/v1/measurements/", {**params, "code_system": "bps"})
    by_kemendagri = api.get("/api/v1/measurements/", kemendagri)

    assert by_bps.status_code == 200
    assert by_bps.json() == by_kemendagri.json() and by_bps.json()["count"] > 0


def test_answers_and_csv_exports_read_bps_codes_and_answer_in_kemendagri_codes(article_all_regions, api):
    ranking = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64", "code_system": "bps"}).json()
    attainment = api.get(
        "/api/v1/indicators/kia-ownership/attainment/", {"region": "6402", "year": 2024, "code_system": "bps"}
    )
    export = csv_rows(
        api.get("/api/v1/measurements/", {"region": "6402", "code_system": "bps", "format": "csv", "page_size": "all"})
    )

    assert [row["region"] for row in ranking["results"]] == ["64.71", "64.07"]
    assert attainment.status_code == 200 and attainment.json()["region"]["region"] == "64.07"
    header, [row] = export[0], export[1:]
    assert (row[header.index("region")], row[header.index("region_bps_code")]) == ("64.07", "6402")


def test_a_papua_province_pair(article_all_regions, api):
    # BPS 94 is Kemendagri 91 (Papua); BPS 91 is Kemendagri 92 (Papua Barat).
    by_bps = api.get("/api/v1/regions/", {"parent": "94", "code_system": "bps", "page_size": 100}).json()
    by_kemendagri = api.get("/api/v1/regions/", {"parent": "91", "page_size": 100}).json()

    assert by_bps == by_kemendagri and by_bps["count"] > 0
    assert {r["code"][:3] for r in by_bps["results"]} == {"91."}


@pytest.mark.parametrize("path", ["/api/v1/measurements/", "/api/v1/availability/", "/api/v1/regions/"])
def test_a_bps_code_without_code_system_is_named_with_the_kemendagri_code_it_stands_for(article_all_regions, api, path):
    parameter = "parent" if path == "/api/v1/regions/" else "region"
    response = api.get(path, {parameter: "6402"}, headers={"accept-language": "en"})

    assert error_codes(response, 400) == ["bps_code"]
    assert detail_of(response)["attr"] == parameter
    assert detail_of(response)["detail"] == (
        "6402 is a BPS code: Kabupaten Kutai Barat is 64.07; send code_system=bps to use BPS codes."
    )


@pytest.mark.parametrize("code", ["64.07", "0", "6499", "640"])
def test_with_code_system_bps_a_code_bps_does_not_know_is_unknown_bps_code(article_all_regions, api, code):
    response = api.get("/api/v1/measurements/", {"region": code, "code_system": "bps"})

    assert error_codes(response, 400) == ["unknown_bps_code"]
    assert detail_of(response)["attr"] == "region"


def test_an_ambiguous_bps_code_is_refused_by_name_in_filters_and_imports(article_all_regions, api, editor, tmp_path):
    made_up = tmp_path / "crosswalk"  # made up: no BPS code of today's list stands for two Kemendagri codes
    shutil.copytree(settings.BPS_CROSSWALK_DIR, made_up)
    path = made_up / "kabupaten-kota.csv"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + '\n64,64,6402,"KAB. KUTAI BARAT",64.08,"KABUPATEN KUTAI TIMUR",""\n', encoding="utf-8")
    call_command("load_regions", "--crosswalk-dir", str(made_up), verbosity=0)

    listed = api.get(
        "/api/v1/measurements/", {"region": "6402", "code_system": "bps"}, headers={"accept-language": "en"}
    )
    imported = through_api(
        editor, ROWS.format(region="6402", source=article_all_regions.pk).encode(), code_system="bps"
    )

    assert error_codes(listed, 400) == ["ambiguous_bps_code"]
    assert "64.07, 64.08" in detail_of(listed)["detail"]
    assert imported.status_code == 400 and detail_of(imported)["code"] == "ambiguous_bps_code"
    assert Measurement.objects.count() == 12


def test_code_system_is_refused_where_no_region_is_named(article_all_regions, api):
    response = api.get("/api/v1/indicators/", {"code_system": "bps"})
    bogus = api.get("/api/v1/measurements/", {"region": "6402", "code_system": "BPS"})

    assert error_codes(response, 400) == ["unknown_parameter"]
    assert "invalid_choice" in error_codes(bogus, 400)


def test_an_import_in_bps_codes_through_the_api(article_all_regions, editor):
    content = ROWS.format(region="6402", source=article_all_regions.pk).encode()

    refused = through_api(editor, content)
    imported = through_api(editor, content, code_system="bps")

    assert refused.status_code == 400 and detail_of(refused)["code"] == "bps_code"
    assert "Kabupaten Kutai Barat is 64.07" in detail_of(refused)["detail"]
    assert imported.status_code == 200 and imported.json()["created"] == 1
    assert Measurement.objects.get(as_of="2024-12-31").region_id is not None
    assert Measurement.objects.filter(region__code="64.07", as_of="2024-12-31").exists()


def test_an_import_in_bps_codes_through_the_command(article_all_regions, tmp_path):
    content = ROWS.format(region="6402", source=article_all_regions.pk).encode()

    refused = through_command(tmp_path, content)
    unknown = through_command(
        tmp_path, ROWS.format(region="64.07", source=article_all_regions.pk).encode(), "bad.csv", "--code-system", "bps"
    )
    imported = through_command(tmp_path, content, "bps.csv", "--code-system", "bps")

    assert "6402 is a BPS code: Kabupaten Kutai Barat is 64.07" in refused and "[bps_code]" in refused
    assert "[unknown_bps_code]" in unknown
    assert "1 created" in imported
    assert Measurement.objects.filter(region__code="64.07", as_of="2024-12-31").count() == 1


def test_an_import_in_bps_codes_through_the_admin(article_all_regions, admin_client):
    upload = io.BytesIO(ROWS.format(region="6402", source=article_all_regions.pk).encode())
    upload.name = "bps.csv"
    url = reverse("admin:coverage_measurement_import")

    preview = admin_client.post(url, {"file": upload, "code_system": "bps"})
    confirmed = admin_client.post(
        url, {"confirm": "1", "token": preview.context["token"], "code_system": preview.context["code_system"]}
    )

    assert preview.context["report"].error_count == 0
    assert 'name="code_system" value="bps"' in preview.content.decode()
    assert confirmed.status_code == 302
    assert Measurement.objects.filter(region__code="64.07", as_of="2024-12-31").count() == 1


def test_a_path_takes_kemendagri_codes_and_says_so(article_all_regions, api):
    by_bps = api.get("/api/v1/regions/6402/", headers={"accept-language": "en"})
    code_system = api.get("/api/v1/regions/64.07/", {"code_system": "bps"})

    assert by_bps.status_code == 404
    assert (
        detail_of(by_bps)["detail"]
        == "6402 is a BPS code: Kabupaten Kutai Barat is 64.07; paths take Kemendagri codes."
    )
    assert error_codes(code_system, 400) == ["unknown_parameter"]


def test_an_import_parameter_given_differently_twice_is_refused(article_all_regions, editor):
    upload = io.BytesIO(ROWS.format(region="6402", source=article_all_regions.pk).encode())
    upload.name = "bps.csv"

    response = editor.post(
        "/api/v1/measurements/import/?code_system=bps&dry_run=true",
        {"file": upload, "code_system": "kemendagri", "dry_run": "false"},
        format="multipart",
    )

    assert sorted(attr for attr, code in errors_of(response, 400)) == ["code_system", "dry_run"]
    assert {code for attr, code in errors_of(response, 400)} == {"conflict"}
    assert Measurement.objects.count() == 12
