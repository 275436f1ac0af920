"""CSV on every list and answer, full streamed exports, the change feed, availability, partnerships, population."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from coverage.models import Indicator, Measurement, NationalTarget, Region

from ..helpers import csv_rows, token_client

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions/",
        "/api/v1/indicators/",
        "/api/v1/sources/",
        "/api/v1/targets/",
        "/api/v1/measurements/",
        "/api/v1/availability/",
        "/api/v1/partnerships/",
        "/api/v1/measurements/deleted/",
        "/api/v1/indicators/kia-ownership/ranking/?parent=64",
        "/api/v1/indicators/kia-ownership/attainment/?region=64&year=2024&children=true",
        "/api/v1/regions/64/summary/",
    ],
)
def test_every_list_and_answer_speaks_csv_by_format_and_by_accept_header(article, api, path):
    by_format = csv_rows(api.get(path + ("&" if "?" in path else "?") + "format=csv"))
    by_accept = csv_rows(api.get(path, headers={"accept": "text/csv"}))

    assert by_format == by_accept
    assert len(by_format) >= 1 and all(by_format[0])


def test_measurement_csv_has_a_header_iso_dates_and_point_decimals(article, api):
    rows = csv_rows(api.get("/api/v1/measurements/", {"format": "csv", "region": "64", "indicator": "kia-ownership"}))

    assert rows[0] == [
        "id",
        "region",
        "region_name",
        "region_bps_code",
        "indicator",
        "as_of",
        "value",
        "numerator",
        "denominator",
        "source",
        "status",
        "verified_by",
        "verified_at",
        "version",
        "created_at",
        "updated_at",
    ]
    assert rows[1][1:10] == [
        "64",
        "Kalimantan Timur",
        "",  # no BPS code: the article's regions come without the crosswalk (load_regions loads it)
        "kia-ownership",
        "2024-06-13",
        "72.80",
        "",
        "",
        str(article.pk),
    ]


def test_answer_csv_rows_are_the_answer_rows(article, api):
    ranking = csv_rows(api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64", "format": "csv"}))
    attainment = csv_rows(
        api.get(
            "/api/v1/indicators/ikd-activation/attainment/",
            {"region": "64", "year": 2024, "children": "true", "format": "csv"},
        )
    )

    assert ranking == [
        ["rank", "region", "region_name", "value", "as_of", "source"],
        ["1", "64.71", "Kota Balikpapan", "96.90", "2024-06-13", str(article.pk)],
        ["2", "64.07", "Kabupaten Kutai Barat", "54.67", "2024-06-13", str(article.pk)],
    ]
    assert [row[:2] + row[-2:] for row in attainment] == [
        ["region", "region_name", "gap", "met"],
        ["64", "Kalimantan Timur", "-25.52", "false"],
        ["64.09", "Kabupaten Penajam Paser Utara", "-19.54", "false"],
        ["64.03", "Kabupaten Berau", "-28.26", "false"],
    ]


def test_errors_stay_json_when_csv_was_asked_for(article, api):
    response = api.get("/api/v1/measurements/", {"format": "csv", "region": "99"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["attr"] == "region"


def test_a_full_export_streams_every_matching_row_not_one_page(db, api):
    call_command("load_regions", "--level", "3", verbosity=0)

    response = api.get("/api/v1/regions/", {"format": "csv", "page_size": "all", "within": "64"})

    assert response.streaming
    rows = csv_rows(response)
    assert rows[0] == [
        "code",
        "name",
        "level",
        "kind",
        "parent",
        "population",
        "population_as_of",
        "bps_code",
        "valid_from",
        "valid_until",
        "version",
    ]
    assert len(rows) - 1 == Region.objects.filter(code__startswith="64.").count() == 10 + 105


def test_a_full_export_needs_csv(article, api):
    response = api.get("/api/v1/measurements/", {"page_size": "all"})

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "csv_only",
        "detail": response.json()["errors"][0]["detail"],
        "attr": "page_size",
    }


def test_the_change_feed_returns_what_changed_since_a_moment(article, editor, api):
    since = timezone.now()
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    editor.patch(f"/api/v1/measurements/{figure.pk}/", {"value": 97.44}, format="json")
    created = editor.post(
        "/api/v1/measurements/",
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": 80,
            "source": article.pk,
            "status": "published",
        },
        format="json",
    ).json()

    changed = api.get("/api/v1/measurements/", {"updated_after": since.isoformat(), "ordering": "updated_at"}).json()

    assert [r["id"] for r in changed["results"]] == [figure.pk, created["id"]]
    assert api.get("/api/v1/measurements/", {"updated_after": timezone.now().isoformat()}).json()["count"] == 0


def test_deletions_are_listed_as_tombstones(article, editor, api):
    since = timezone.now()
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    target = NationalTarget.objects.get(indicator__code="ikd-activation")

    editor.delete(f"/api/v1/measurements/{figure.pk}/")
    editor.delete(f"/api/v1/targets/{target.pk}/")

    deleted = api.get("/api/v1/measurements/deleted/", {"deleted_after": since.isoformat()}).json()["results"]
    deleted_targets = api.get("/api/v1/targets/deleted/", {"deleted_after": since.isoformat()}).json()["results"]
    assert [(d["id"], d["region"], d["indicator"], d["as_of"]) for d in deleted] == [
        (figure.pk, "64.74", "ktp-el-recording", "2024-06-13")
    ]
    assert [(d["id"], d["indicator"], d["year"]) for d in deleted_targets] == [(target.pk, "ikd-activation", 2024)]
    assert api.get("/api/v1/measurements/deleted/", {"deleted_after": timezone.now().isoformat()}).json()["count"] == 0


def test_targets_have_a_change_feed_too(article, editor, api):
    since = timezone.now()
    target = NationalTarget.objects.get(indicator__code="kia-ownership")

    editor.patch(f"/api/v1/targets/{target.pk}/", {"value": 61}, format="json")

    assert [t["id"] for t in api.get("/api/v1/targets/", {"updated_after": since.isoformat()}).json()["results"]] == [
        target.pk
    ]


@pytest.mark.parametrize("value", ["yesterday", "2024-02-30T00:00:00Z", "2024-06-21T00:00:00 08:00"])
def test_a_bad_moment_is_a_400(article, api, value):
    response = api.get("/api/v1/measurements/", {"updated_after": value})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "updated_after"


def test_availability_counts_figures_per_indicator_level_and_date(article, api):
    kia = Indicator.objects.get(code="kia-ownership")
    Measurement.objects.create(
        status=PUBLISHED,
        region=Region.objects.get(code="64.72"),
        indicator=kia,
        as_of=datetime.date(2024, 6, 13),
        value=Decimal(1),
        source=article,
    )

    rows = api.get("/api/v1/availability/", {"indicator": "kia-ownership"}).json()["results"]
    within = api.get("/api/v1/availability/", {"within": "64"}).json()["results"]

    assert rows == [
        {"indicator": "kia-ownership", "level": 1, "as_of": "2024-06-13", "regions": 1},
        {"indicator": "kia-ownership", "level": 2, "as_of": "2024-06-13", "regions": 3},
    ]
    assert {r["level"] for r in within} == {2}


def test_the_kia_partnerships_of_the_article(article, api):
    programmes = api.get("/api/v1/partnerships/").json()["results"]
    in_paser = api.get("/api/v1/partnerships/", {"region": "64.01"}).json()["count"]
    in_kutai_barat = api.get("/api/v1/partnerships/", {"region": "64.07"}).json()["count"]

    assert len(programmes) == 1
    assert programmes[0]["indicator"] == "kia-ownership"
    assert programmes[0]["regions"] == ["64.01", "64.02", "64.03", "64.09", "64.71", "64.74"]
    assert "rumah makan" in programmes[0]["description"]
    assert (in_paser, in_kutai_barat) == (1, 0)


def test_partnerships_are_read_only(article, admin_user):
    client = token_client(admin_user)

    assert client.post("/api/v1/partnerships/", {"name": "x"}, format="json").status_code == 405


def test_load_regions_sets_the_dkb_population_with_its_reference_date(db, api):
    call_command("load_regions", verbosity=0)

    region = api.get("/api/v1/regions/64.71/").json()

    assert (region["population"], region["population_as_of"]) == (757418, "2024-12-31")


def test_reloading_the_article_keeps_the_population(db, api):
    call_command("loaddata", "article", verbosity=0)
    call_command("load_regions", verbosity=0)

    call_command("loaddata", "article", verbosity=0)

    assert api.get("/api/v1/regions/64/").json()["population"] == 4123303


# --- the full export: PostgreSQL writes it (COPY), byte for byte what the rows of a page give ----------------


def full_and_paged(client, **params):
    """The streamed full export and the same rows as one CSV page (figure_row() and the csv module)."""
    full = client.get("/api/v1/measurements/", {"format": "csv", "page_size": "all", **params})
    assert full.streaming
    paged = client.get("/api/v1/measurements/", {"format": "csv", "page_size": 1000, **params})
    assert paged.status_code == 200, paged.content
    return b"".join(full.streaming_content), paged.content


@pytest.fixture
def awkward(article, editor):
    """The article plus figures that test the CSV: counts, drafts, a verifier, odd names, timestamps with and without
    microseconds, one from before 1920 (when Makassar's offset had seconds). Synthetic."""
    Region.objects.create(code="64.75", name='Kota "Baru", Utara\nSeberang', level=2, kind="city", parent_id="64")
    Region.objects.create(code="64.76", name="", level=2, kind="city", parent_id="64")
    rows = [
        ("64.75", "kia-ownership", "2024-06-13", "", "1875", "2000", "published"),
        ("64.76", "kia-ownership", "2024-06-13", "0", "", "", "published"),
        ("64.75", "ikd-activation", "2024-05-31", "999.99", "", "", "draft"),
        ("64.72", "ikd-activation", "2024-05-31", "12.5", "", "", "verified"),
        ("64.71", "kia-ownership", "2024-12-31", "97", "", "", "published"),
    ]
    body = "region,indicator,as_of,value,numerator,denominator,status,source\n" + "".join(
        ",".join(row) + f",{article.pk}\n" for row in rows
    )
    response = editor.post("/api/v1/measurements/import/", {"file": io.BytesIO(body.encode())}, format="multipart")
    assert response.status_code == 200, response.json()
    old = Measurement.objects.filter(region__code="64.72", indicator__code="ikd-activation")
    old.update(created_at=datetime.datetime(1910, 3, 1, 4, 5, 6, tzinfo=datetime.UTC))
    Measurement.objects.filter(region__code="64.76").update(
        updated_at=datetime.datetime(2024, 7, 1, 0, 0, 0, 500000, tzinfo=datetime.UTC)
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "draft,verified,published"},
        {"ordering": "-value"},
        {"ordering": "updated_at,-region"},
        {"latest": "true", "ordering": "-as_of"},
        {"flag": "jump", "status": "draft,verified,published"},
        {"indicator": "kia-ownership", "parent": "64"},
        {"region": "64.76", "status": "draft"},
        {"region": "64.02"},
    ],
)
@pytest.mark.parametrize("zone", ["Asia/Makassar", "UTC", "America/St_Johns"])
def test_the_full_export_is_byte_for_byte_the_rows_a_page_gives(awkward, editor, settings, params, zone):
    settings.TIME_ZONE = zone

    full, paged = full_and_paged(editor, **params)

    assert full == paged
    if params == {"status": "draft,verified,published"}:
        assert b'"Kota ""Baru"", Utara\nSeberang"' in full and b"1875,2000" in full and b",editor," in full


def test_the_timestamps_of_an_export_are_those_of_the_json(awkward, editor):
    full, _paged = full_and_paged(editor, status="draft,verified,published", ordering="updated_at")
    rows = list(csv.DictReader(io.StringIO(full.decode())))
    figures = editor.get(
        "/api/v1/measurements/", {"status": "draft,verified,published", "ordering": "updated_at", "page_size": 100}
    ).json()["results"]

    assert [(r["id"], r["verified_at"], r["created_at"], r["updated_at"]) for r in rows] == [
        (str(f["id"]), f["verified_at"] or "", f["created_at"], f["updated_at"]) for f in figures
    ]
    assert any(r["created_at"] == "1910-03-01T12:02:42+07:57:36" for r in rows)
    assert any(r["updated_at"] == "2024-07-01T08:00:00.500000+08:00" for r in rows)
