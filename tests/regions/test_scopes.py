"""Region-scoped users through the API (coverage.regions.scopes, applied by coverage.figures.access): a grant covers
its region and everything below it; a user writes and sees the drafts of their regions only, and a user without
grants or the national permission writes nowhere. tests/regions/test_scopes_unit.py: the scopes themselves."""

import pytest

from coverage.models import Measurement

from ..factories import RegionGrantFactory, UserFactory
from ..helpers import EDITING, error_codes, new_figure, region, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_a_region_scoped_user_writes_only_their_regions_figures_by_token(paser_operator, article):
    client = token_client(paser_operator)

    assert client.post(URL, new_figure("64.01", article), format="json").status_code == 201
    assert error_codes(client.post(URL, new_figure("64.71", article), format="json"), 403) == ["out_of_scope"]


def test_a_province_grant_covers_all_of_its_kabupaten_kota(article):
    user = UserFactory(username="op-kaltim", permissions=EDITING)
    RegionGrantFactory(user=user, region=region("64"))

    assert token_client(user).post(URL, new_figure("64.72", article), format="json").status_code == 201


def test_a_scoped_user_lists_other_regions_published_figures_but_only_their_own_drafts(
    paser_operator, paser_and_samarinda_drafts
):
    client = token_client(paser_operator)

    drafts_seen = client.get(URL, {"status": "draft"}).json()["results"]
    everything = client.get(URL, {"status": "draft,published"}).json()["count"]

    assert [row["region"] for row in drafts_seen] == ["64.01"]
    assert everything == 12 + 1
    samarinda_draft = Measurement.objects.get(region__code="64.72", status="draft")
    assert client.get(f"{URL}{samarinda_draft.pk}/").status_code == 404


def test_a_user_without_grants_or_the_national_permission_writes_nowhere(article):
    forgotten = UserFactory(username="op-forgotten", permissions=[p for p in EDITING if p != "edit_all_regions"])

    response = token_client(forgotten).post(URL, new_figure("64.01", article), format="json")

    assert error_codes(response, 403) == ["out_of_scope"]


def test_the_history_of_another_regions_figure_is_hidden_from_a_scoped_user(paser_operator, paser_and_samarinda_drafts):
    samarinda_draft = Measurement.objects.get(region__code="64.72", status="draft")
    paser_draft = Measurement.objects.get(region__code="64.01", status="draft")
    client = token_client(paser_operator)

    assert client.get(f"{URL}{samarinda_draft.pk}/history/").status_code == 404
    assert client.get(f"{URL}{paser_draft.pk}/history/").status_code == 200
