"""Codes that changed (the 2022 Papua splits, fixtures/lineage): retired codes kept with their dates, each region's
lineage, figures refused when dated outside their code's validity on every door, and the Merauke series across its
recode with and without lineage=true. Every figure here is synthetic; the regions and changes are the official
lists'."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from coverage.models import Measurement, Region, RegionChange
from coverage.models.versions import read_data_versions

from ..helpers import csv_rows, error_codes
from ..imports.doors import through_api, through_command

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


@pytest.fixture
def papua(article):
    """The provinces and kabupaten/kota with the code changes; the article's source."""
    call_command("load_regions", verbosity=0)
    return article


@pytest.fixture
def papua_kecamatan(article):
    """As papua, down to kecamatan (recoded with their kabupaten/kota by prefix)."""
    call_command("load_regions", "--level", "3", verbosity=0)
    return article


def figure(code, as_of, value, source, indicator="kia-ownership"):
    return Measurement.objects.create(
        region=Region.objects.get(code=code),
        indicator_id=Measurement._meta.get_field("indicator").related_model.objects.get(code=indicator).pk,
        as_of=as_of,
        value=value,
        source=source,
        status=Measurement.Status.PUBLISHED,
    )


@pytest.fixture
def merauke(papua):
    """Merauke's KIA series: under 91.01 until the split, under 93.01 after (synthetic values)."""
    for code, as_of, value in [
        ("91.01", "2019-12-31", "20.00"),
        ("91.01", "2021-12-31", "30.00"),
        ("93.01", "2022-12-31", "40.00"),
        ("93.01", "2024-06-30", "50.00"),
    ]:
        figure(code, as_of, value, papua)
    return papua


def test_retired_codes_exist_with_their_dates_and_regions_lists_todays(papua_kecamatan, api):
    old = api.get("/api/v1/regions/91.01/").json()
    new = api.get("/api/v1/regions/93.01.01/").json()
    papua_kabupaten = api.get("/api/v1/regions/", {"parent": "91", "page_size": 100}).json()
    retired = api.get("/api/v1/regions/", {"retired": "true", "level": 2, "page_size": 100}).json()

    assert (old["name"], old["valid_from"], old["valid_until"], old["bps_code"]) == (
        "Kabupaten Merauke",
        None,
        "2022-07-25",
        None,  # a retired region's bps_code is null: the crosswalk describes today's codes
    )
    assert (new["valid_from"], new["valid_until"]) == ("2022-07-25", None)
    assert "91.01" not in {r["code"] for r in papua_kabupaten["results"]}
    assert papua_kabupaten["count"] == 9  # Papua keeps 9 kabupaten/kota
    assert retired["count"] == 26
    assert Region.objects.filter(code="91.01.01", valid_until="2022-07-25").exists()


def test_a_regions_lineage(papua_kecamatan, api):
    merauke = api.get("/api/v1/regions/93.01/lineage/").json()
    kecamatan = api.get("/api/v1/regions/91.01.01/lineage/").json()
    papua_selatan = api.get("/api/v1/regions/93/lineage/").json()

    assert merauke == {
        "code": "93.01",
        "predecessors": [
            {
                "code": "91.01",
                "name": "Kabupaten Merauke",
                "change": "recode",
                "effective": "2022-07-25",
                "legal_basis": "UU No. 14 Tahun 2022",
            }
        ],
        "successors": [],
    }
    assert [(s["code"], s["change"]) for s in kecamatan["successors"]] == [("93.01.01", "recode")]
    assert [(p["code"], p["change"]) for p in papua_selatan["predecessors"]] == [("91", "split")]


@pytest.mark.parametrize(
    ("code", "as_of", "error", "named"),
    [
        ("91.01", "2022-07-25", "retired_region", "93.01"),
        ("93.01", "2022-07-24", "not_yet_valid", "91.01"),
        ("93", "2021-06-30", "not_yet_valid", "91"),  # a new province: the province it was part of
    ],
)
def test_a_figure_dated_outside_its_codes_validity_is_refused_on_every_door(
    papua, editor, admin_client, tmp_path, code, as_of, error, named
):
    payload = {"region": code, "indicator": "kia-ownership", "as_of": as_of, "value": 50, "source": papua.pk}
    api = editor.post(URL, payload, format="json", headers={"accept-language": "en"})
    content = f"region,indicator,as_of,value,source\n{code},kia-ownership,{as_of},50,{papua.pk}\n".encode()
    imported = through_api(editor, content)
    command = through_command(tmp_path, content)
    admin = admin_client.post(
        reverse("admin:coverage_measurement_add"),
        {**payload, "region": Region.objects.get(code=code).pk, "indicator": "kia-ownership", "status": "draft"},
        headers={"accept-language": "en"},
    )

    assert error_codes(api, 400) == [error]
    assert api.json()["errors"][0]["attr"] == "as_of" and f"belongs to {named}." in api.json()["errors"][0]["detail"]
    assert imported.status_code == 400 and imported.json()["errors"][0]["code"] == error
    assert f"[{error}]" in command and f"belongs to {named}." in command
    assert admin.status_code == 200 and f"belongs to {named}." in str(admin.context["adminform"].form.errors["as_of"])
    assert not Measurement.objects.filter(region__code=code).exists()


def test_a_kecamatan_is_recoded_with_its_kabupaten(papua_kecamatan, editor):
    payload = {"region": "93.01.01", "indicator": "kia-ownership", "as_of": "2020-01-01", "value": 50}
    refused = editor.post(
        URL, {**payload, "source": papua_kecamatan.pk}, format="json", headers={"accept-language": "en"}
    )

    assert error_codes(refused, 400) == ["not_yet_valid"]
    assert "belongs to 91.01.01." in refused.json()["errors"][0]["detail"]


def test_a_figure_dated_inside_its_codes_validity_is_taken(papua, editor):
    for code, as_of in [("91.01", "2022-07-24"), ("93.01", "2022-07-25"), ("91", "2024-06-30")]:
        payload = {"region": code, "indicator": "kia-ownership", "as_of": as_of, "value": 50, "source": papua.pk}
        assert editor.post(URL, payload, format="json").status_code == 201, (code, as_of)


def series(api, **params):
    rows = api.get(URL, {"indicator": "kia-ownership", "ordering": "as_of", **params}).json()["results"]
    return [(row["region"], row["as_of"], row["value"]) for row in rows]


def test_the_merauke_series_with_and_without_lineage(merauke, api):
    before, after = ("91.01", "2019-12-31", 20.0), ("91.01", "2021-12-31", 30.0)
    since = [("93.01", "2022-12-31", 40.0), ("93.01", "2024-06-30", 50.0)]

    assert series(api, region="93.01") == since
    assert series(api, region="93.01", lineage="true") == [before, after, *since]
    assert series(api, region="93.01", lineage="true", latest="true") == [since[-1]]
    assert series(api, region="93.01", lineage="true", as_of_to="2022-01-01", latest="true") == [after]
    assert series(api, parent="93", lineage="true") == [before, after, *since]
    assert series(api, within="93", lineage="true") == [before, after, *since]
    assert series(api, parent="93") == since
    assert series(api, region="91.01") == [before, after]  # the old code answers for itself
    # A split carries none: Papua's own figures are not Papua Selatan's.
    assert series(api, region="93", lineage="true") == []


def test_lineage_in_csv_and_with_bps_codes(merauke, api):
    # BPS numbers Papua Selatan 95: Merauke is BPS 9501, Kemendagri 93.01.
    rows = csv_rows(
        api.get(URL, {"region": "9501", "code_system": "bps", "lineage": "true", "format": "csv", "page_size": "all"})
    )
    header = rows[0]

    assert [(row[header.index("region")], row[header.index("as_of")]) for row in rows[1:]] == [
        ("91.01", "2019-12-31"),
        ("91.01", "2021-12-31"),
        ("93.01", "2022-12-31"),
        ("93.01", "2024-06-30"),
    ]


def test_answers_rank_the_regions_of_their_date(merauke, api):
    today = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "91"}).json()
    in_2021 = api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "91", "as_of": "2021-12-31"}).json()

    assert [r["region"] for r in today["results"]] == []  # 91.01 is no longer Papua's
    assert [r["region"] for r in in_2021["results"]] == ["91.01"]


def test_load_regions_says_what_it_loaded_and_a_second_run_changes_nothing(article):
    out = io.StringIO()
    call_command("load_regions", "--level", "3", stdout=out)
    again = io.StringIO()
    call_command("load_regions", "--level", "3", stdout=again)

    assert "Code changes: 30 loaded, 623 retired codes created, validity set on 627 regions" in out.getvalue()
    assert "Code changes: 30 loaded, 0 retired codes created, validity set on 0 regions" in again.getvalue()
    assert "no longer in the list" not in again.getvalue()  # retired codes are kept, not obsolete
    for args in (["--prune"], ["--prune", "--no-changes"]):  # retired codes are never pruned, changes loaded or not
        call_command("load_regions", "--level", "3", *args, verbosity=0)
        assert Region.objects.filter(code__in=["91.01", "91.01.01"]).count() == 2
        assert RegionChange.objects.count() == 30
    # Born retired: the history never shows a retired code as current.
    assert list(Region.history.filter(code="91.01").values_list("history_type", "valid_until")) == [
        ("+", datetime.date(2022, 7, 25))
    ]


def test_loading_fewer_levels_again_changes_nothing(article):
    call_command("load_regions", "--level", "3", verbosity=0)
    before = read_data_versions()

    for level in ("1", "2", "3"):
        call_command("load_regions", "--level", level, verbosity=0)

    assert read_data_versions() == before
    assert RegionChange.objects.count() == 30
