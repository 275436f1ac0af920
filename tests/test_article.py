"""The article's data (DESIGN.md, "The article's figures") as loaded from fixtures/article.json and served."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from coverage.models import Measurement

# (region, indicator) -> value as of 2024-06-13, exactly as published (DKP3A Kaltim, 21 June 2024).
ARTICLE_FIGURES = {
    ("64", "ktp-el-recording"): 98.75,
    ("64.71", "ktp-el-recording"): 99.98,
    ("64.74", "ktp-el-recording"): 97.43,
    ("64", "ktp-el-recording-first-voters"): 71.61,
    ("64.71", "ktp-el-recording-first-voters"): 99.85,
    ("64.01", "ktp-el-recording-first-voters"): 55.53,
    ("64", "kia-ownership"): 72.80,
    ("64.71", "kia-ownership"): 96.90,
    ("64.07", "kia-ownership"): 54.67,
    ("64", "ikd-activation"): 4.48,
    ("64.09", "ikd-activation"): 10.46,
    ("64.03", "ikd-activation"): 1.74,
}
KALTIM = {
    "64.01": "Kabupaten Paser",
    "64.02": "Kabupaten Kutai Kartanegara",
    "64.03": "Kabupaten Berau",
    "64.07": "Kabupaten Kutai Barat",
    "64.08": "Kabupaten Kutai Timur",
    "64.09": "Kabupaten Penajam Paser Utara",
    "64.11": "Kabupaten Mahakam Ulu",
    "64.71": "Kota Balikpapan",
    "64.72": "Kota Samarinda",
    "64.74": "Kota Bontang",
}


def test_the_twelve_figures_are_served_exactly_as_published(article, api):
    response = api.get("/api/v1/measurements/", {"page_size": 100})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(r["region"], r["indicator"]): r["value"] for r in rows} == ARTICLE_FIGURES
    assert {r["as_of"] for r in rows} == {"2024-06-13"}
    assert {r["source"] for r in rows} == {article.pk}
    assert all(r["numerator"] is None and r["denominator"] is None for r in rows)


def test_values_are_json_numbers_with_two_decimals_kept(article, api):
    body = api.get("/api/v1/measurements/", {"region": "64", "indicator": "kia-ownership"}).content.decode()

    assert '"value":72.8' in body
    assert isinstance(json.loads(body)["results"][0]["value"], float)


def test_kia_ranking_of_the_quick_start_puts_balikpapan_first_and_kutai_barat_last(article, api):
    response = api.get("/api/v1/measurements/", {"indicator": "kia-ownership", "parent": "64", "ordering": "-value"})

    rows = response.json()["results"]
    assert [(r["region_name"], r["value"]) for r in rows] == [
        ("Kota Balikpapan", 96.9),
        ("Kabupaten Kutai Barat", 54.67),
    ]


def test_kaltim_and_its_ten_kabupaten_kota_carry_kemendagri_codes(article, api):
    response = api.get("/api/v1/regions/", {"parent": "64"})

    assert {r["code"]: r["name"] for r in response.json()["results"]} == KALTIM
    assert api.get("/api/v1/regions/64/").json() == {
        "code": "64",
        "name": "Kalimantan Timur",
        "level": 1,
        "kind": "province",
        "parent": None,
        "population": None,
        "population_as_of": None,
        "bps_code": None,  # the article names no BPS codes: load_regions brings the crosswalk
        "valid_from": None,
        "valid_until": None,
        "version": 1,
    }


def test_the_four_indicators_have_both_names_a_population_base_and_a_description(article, api):
    rows = api.get("/api/v1/indicators/").json()["results"]

    assert {r["code"]: (r["name"], r["unit"]) for r in rows} == {
        "ktp-el-recording": ("Perekaman KTP-el", "percent"),
        "ktp-el-recording-first-voters": ("Perekaman KTP-el pemilih pemula", "percent"),
        "kia-ownership": ("Kepemilikan KIA", "percent"),
        "ikd-activation": ("Kepemilikan IKD", "percent"),
    }
    assert all(r["name_en"] and r["population"] and r["description"] and r["higher_is_better"] for r in rows)


def test_the_national_targets_are_kia_60_and_ikd_30_for_2024(article, api):
    rows = api.get("/api/v1/targets/").json()["results"]

    assert [(r["indicator"], r["year"], r["value"], r["source"]) for r in rows] == [
        ("ikd-activation", 2024, 30.0, article.pk),
        ("kia-ownership", 2024, 60.0, article.pk),
    ]


def test_the_source_names_the_article_its_publisher_and_date(article, api):
    source = api.get(f"/api/v1/sources/{article.pk}/").json()

    assert source["title"] == "Capaian Perekaman KTP-el Kaltim per 13 Juni Capai 98,75 persen"
    assert source["publisher"] == "DKP3A Provinsi Kalimantan Timur"
    assert source["published_on"] == "2024-06-21"
    assert "Noryani Sorayalita" in source["note"]


def dump_everything():
    out = StringIO()
    # The data version moves on with every save, changed or not; it only expires caches.
    call_command("dumpdata", "coverage", exclude=["coverage.DataVersion"], stdout=out)
    return json.loads(out.getvalue())


def test_loading_the_article_twice_changes_nothing(article):
    before = dump_everything()

    call_command("loaddata", "article", verbosity=0)

    assert dump_everything() == before
    assert Measurement.objects.count() == 12


@pytest.mark.django_db
def test_the_fixture_agrees_with_the_official_region_list():
    call_command("loaddata", "article", verbosity=0)
    out = StringIO()

    call_command("load_regions", stdout=out)

    # The 11 regions of the fixture already match the Kemendagri list: nothing of theirs is updated.
    assert "Level 1 (province): 38 in the list, 37 created, 0 updated, 1 unchanged" in out.getvalue()
    assert "Level 2 (regency/city): 514 in the list, 504 created, 0 updated, 10 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_seed_article_loads_once_and_never_overwrites_a_correction():
    call_command("seed_article", stdout=StringIO())
    Measurement.objects.filter(region__code="64.74", indicator__code="ktp-el-recording").update(value="97.44")
    out = StringIO()

    call_command("seed_article", stdout=out)

    assert "already loaded" in out.getvalue()
    assert str(Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording").value) == "97.44"
    assert Measurement.objects.count() == 12
