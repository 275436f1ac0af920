"""Versions per province (coverage.models.versions, coverage.api.scope): an anonymous answer about one province keeps
its ETag and its cached copy while figures of other provinces change, and loses both when its own, or reference
data, change. Figures here are synthetic."""

import pytest
from django.test import Client

from coverage.api.scope import NATIONAL, REFERENCE_ONLY, answer_scope

from ..factories import ProvinceFactory, RegencyFactory
from ..helpers import csv_upload

pytestmark = pytest.mark.django_db

KALTIM = "/api/v1/measurements/?parent=64&latest=true"
NATIONWIDE = "/api/v1/measurements/?latest=true"
RANKING = "/api/v1/indicators/kia-ownership/ranking/?parent=64"


@pytest.fixture
def papua(article):
    RegencyFactory(code="91.01", parent=ProvinceFactory(code="91"))
    return article


def tags(*urls):
    """(ETag, X-Cache) of each anonymous answer."""
    answers = [Client().get(url) for url in urls]
    assert all(a.status_code == 200 for a in answers)
    return [(a["ETag"], a.get("X-Cache")) for a in answers]


def figure(code, status, as_of="2025-01-31"):
    return {"region": code, "indicator": "kia-ownership", "as_of": as_of, "value": 61.5, "status": status}


def test_a_figure_published_in_another_province_leaves_a_provinces_answers_in_place(papua, editor):
    (kaltim, _), (ranking, _), (national, _) = tags(KALTIM, RANKING, NATIONWIDE)

    created = editor.post("/api/v1/measurements/", {**figure("91.01", "published"), "source": papua.pk})
    assert created.status_code == 201

    assert tags(KALTIM, RANKING) == [(kaltim, "hit"), (ranking, "hit")]
    (after, cache), *_ = tags(NATIONWIDE)
    assert after != national and cache is None  # a national answer reads every province


def test_a_figure_published_in_the_province_moves_its_answers_on(papua, editor):
    (kaltim, _), (ranking, _) = tags(KALTIM, RANKING)

    created = editor.post("/api/v1/measurements/", {**figure("64.72", "published"), "source": papua.pk})
    assert created.status_code == 201

    (kaltim_after, cache), (ranking_after, _) = tags(KALTIM, RANKING)
    assert kaltim_after != kaltim and ranking_after != ranking and cache is None
    assert any(r["region"] == "64.72" and r["as_of"] == "2025-01-31" for r in Client().get(KALTIM).json()["results"])


def test_a_draft_moves_no_public_answer(papua, editor):
    before = tags(KALTIM, NATIONWIDE)

    assert editor.post("/api/v1/measurements/", {**figure("64.72", "draft"), "source": papua.pk}).status_code == 201

    assert [tag for tag, _ in tags(KALTIM, NATIONWIDE)] == [tag for tag, _ in before]


def test_an_import_moves_the_provinces_it_publishes_in_only(papua, editor):
    (kaltim, _), (papua_answer, _) = tags(KALTIM, "/api/v1/measurements/?within=91")
    rows = [{**figure("91.01", "published"), "source": papua.pk}]

    imported = editor.post(
        "/api/v1/measurements/import/", {"file": csv_upload(rows, list(rows[0]))}, format="multipart"
    )
    assert imported.status_code == 200, imported.content

    (kaltim_after, cache), (papua_after, _) = tags(KALTIM, "/api/v1/measurements/?within=91")
    assert (kaltim_after, cache) == (kaltim, "hit") and papua_after != papua_answer


def test_reference_data_moves_every_answer(papua, editor):
    before = tags(KALTIM, "/api/v1/regions/?parent=64", NATIONWIDE)

    assert editor.patch("/api/v1/regions/91.01/", {"name": "Kabupaten Baru"}, format="json").status_code == 200

    after = tags(KALTIM, "/api/v1/regions/?parent=64", NATIONWIDE)
    assert all(a[0] != b[0] for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize(
    ("path", "query", "scope"),
    [
        ("/api/v1/measurements/", "region=64.72", {"64"}),
        ("/api/v1/measurements/", "region=64.72,91.01&within=92", {"64", "91", "92"}),
        ("/api/v1/measurements/", "region=64.72&region=91.01", {"64", "91"}),  # repeated, as the filters read it
        ("/api/v1/measurements/", "region=%2064.72%20", {"64"}),  # spaces dropped, as the filters do
        ("/api/v1/availability/", "parent=64.01.01", {"64"}),
        ("/api/v1/indicators/kia-ownership/ranking/", "parent=64&level=2", {"64"}),
        ("/api/v1/indicators/kia-ownership/attainment/", "region=64&year=2024&children=true", {"64"}),
        ("/api/v1/regions/64.72/summary/", "", {"64"}),
        # The whole country: what the rule cannot place.
        ("/api/v1/measurements/", "", NATIONAL),
        ("/api/v1/measurements/", "level=2&latest=true", NATIONAL),
        ("/api/v1/measurements/", "region=64.72&lineage=true", NATIONAL),  # also the codes a recode replaced
        ("/api/v1/measurements/", "region=64.72&lineage=false", {"64"}),
        ("/api/v1/measurements/", "region=6472&code_system=bps", NATIONAL),
        ("/api/v1/measurements/", "region=64.72&code_system=kemendagri", {"64"}),
        ("/api/v1/measurements/", "region=Kaltim", NATIONAL),
        ("/api/v1/indicators/kia-ownership/ranking/", "level=2", NATIONAL),
        ("/api/v1/regions/64/summary/", "", NATIONAL),  # a province is ranked among all provinces
        ("/api/v1/measurements/12/", "", NATIONAL),
        ("/api/v1/measurements/12/history/", "", NATIONAL),
        ("/api/v1/measurements/deleted/", "", NATIONAL),
        ("/", "", NATIONAL),
        # Reference data: no figure.
        ("/api/v1/regions/", "parent=64", REFERENCE_ONLY),
        ("/api/v1/regions/64.72/", "", REFERENCE_ONLY),
        ("/api/v1/regions/93.01/lineage/", "", REFERENCE_ONLY),
        ("/api/v1/indicators/", "", REFERENCE_ONLY),
        ("/api/v1/targets/3/", "", REFERENCE_ONLY),
        ("/api/v1/partnerships/", "region=64", REFERENCE_ONLY),
    ],
)
def test_the_scope_of_an_answer_is_read_from_its_request(path, query, scope):
    assert answer_scope(path, query) == (scope if scope is None else frozenset(scope))
