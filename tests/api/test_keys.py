"""API keys of client apps (coverage.api.authentication, coverage.models.ClientKey): read or read-write, 401s of
their own for unknown, revoked and expired keys, last use recorded; a key acts for its account and never beyond it,
and a key narrowed to a region writes that region and below only, through every API write and the import."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from coverage.models import ClientKey, Measurement, Region

from ..factories import RegionGrantFactory, UserFactory
from ..helpers import EDITING, client_with_key, error_codes, figure, make_key, new_figure, region

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_a_read_key_reads_but_cannot_write(article):
    client = client_with_key(make_key(scope="read"))

    assert client.get(URL).status_code == 200
    assert error_codes(client.post(URL, new_figure("64.72", article), format="json"), 403) == ["read_only_key"]
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()


@override_settings(API_PUBLIC_READ=False)
def test_with_closed_reads_a_key_is_what_lets_an_app_read(article, api):
    assert api.get(URL).status_code == 401
    assert client_with_key(make_key(scope="read")).get(URL).status_code == 200


def test_unknown_revoked_and_expired_keys_are_401_with_their_own_code(article):
    key = make_key()
    prefix = key.split(".")[0]
    assert client_with_key(key).get(URL).status_code == 200

    assert error_codes(client_with_key(prefix + ".wrongsecret").get(URL), 401) == ["invalid_key"]
    assert error_codes(client_with_key("garbage").get(URL), 401) == ["invalid_key"]
    ClientKey.objects.filter(prefix=prefix).update(expiry_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client_with_key(key).get(URL)
    assert error_codes(response, 401) == ["key_expired"]
    assert response["WWW-Authenticate"] == "Api-Key"
    call_command("api_key", "revoke", prefix, stdout=StringIO())
    assert error_codes(client_with_key(key).get(URL), 401) == ["invalid_key"]


def test_a_key_records_when_it_was_last_used(article):
    key = make_key(scope="read")
    assert ClientKey.objects.get().last_used_at is None

    client_with_key(key).get(URL)

    assert ClientKey.objects.get().last_used_at is not None


def test_a_key_acts_for_its_account_and_cannot_exceed_its_permissions(article):
    UserFactory(username="viewer")  # no model permission at all
    client = client_with_key(make_key(user="viewer", scope="read-write"))

    assert error_codes(client.post(URL, new_figure("64.72", article), format="json"), 403) == ["permission_denied"]


# --- region scope: a key for Kabupaten Paser writes 64.01 and below only ------------------------------------


@pytest.fixture
def paser_key(article):
    return client_with_key(make_key(regions=["64.01"]))


def test_a_region_key_creates_figures_in_its_region_only(paser_key, article):
    assert paser_key.post(URL, new_figure("64.01", article), format="json").status_code == 201

    response = paser_key.post(URL, new_figure("64.72", article), format="json")

    assert error_codes(response, 403) == ["out_of_scope"]
    assert "64.72" in response.json()["errors"][0]["detail"]
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()


def test_a_region_key_cannot_change_or_delete_another_regions_figure(paser_key):
    balikpapan = figure("64.71")

    assert error_codes(paser_key.patch(f"{URL}{balikpapan.pk}/", {"value": 1}, format="json"), 403) == ["out_of_scope"]
    assert error_codes(paser_key.delete(f"{URL}{balikpapan.pk}/"), 403) == ["out_of_scope"]
    balikpapan.refresh_from_db()
    assert str(balikpapan.value) == "99.98"


def test_a_region_key_cannot_move_its_figure_into_another_region(paser_key):
    paser = figure("64.01", "ktp-el-recording-first-voters")

    response = paser_key.patch(f"{URL}{paser.pk}/", {"region": "64.72"}, format="json")

    assert error_codes(response, 403) == ["out_of_scope"]
    paser.refresh_from_db()
    assert paser.region.code == "64.01"


def test_a_region_key_changes_its_own_regions_figure_and_history_names_the_key(paser_key):
    paser = figure("64.01", "ktp-el-recording-first-voters")

    response = paser_key.patch(f"{URL}{paser.pk}/", {"value": 56.1}, format="json")

    assert response.status_code == 200, response.content
    latest = paser.history.order_by("-history_date").first()
    assert latest.history_api_key == ClientKey.objects.get().prefix
    assert latest.history_user.username == "app"


def test_a_region_key_import_with_a_row_of_another_region_writes_nothing_and_names_the_row(paser_key, article):
    rows = [new_figure("64.01", article), new_figure("64.71", article)]

    response = paser_key.post(f"{URL}import/", rows, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [(e["line"], e["attr"], e["code"]) for e in errors] == [(2, "region", "out_of_scope")]  # 2nd item
    assert not Measurement.objects.filter(as_of="2024-06-20").exists()


def test_a_key_narrowed_beyond_its_account_keeps_only_the_accounts_regions(article):
    user = UserFactory(username="paser", permissions=[*EDITING, "publish_measurement"])
    RegionGrantFactory(user=user, region=region("64.01"))
    key = make_key(user="paser")  # no regions of its own: the account's
    ClientKey.objects.get().regions.set([Region.objects.get(code="64")])  # wider than the account

    client = client_with_key(key)

    assert error_codes(client.post(URL, new_figure("64.72", article), format="json"), 403) == ["out_of_scope"]
    assert client.post(URL, new_figure("64.01", article), format="json").status_code == 201


def test_an_import_with_a_key_records_the_key_in_the_history(paser_key, article):
    response = paser_key.post(f"{URL}import/", [new_figure("64.01", article)], format="json")

    assert response.status_code == 200, response.content
    created = Measurement.objects.get(region__code="64.01", as_of="2024-06-20")
    record = created.history.get()
    assert (record.history_api_key, record.history_door) == (ClientKey.objects.get().prefix, "import")
