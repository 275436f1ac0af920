"""API keys of client apps (scoped read / read-write and to regions) and region-scoped editors, through the API,
the admin, the import and the api_key command."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from coverage.models import ClientKey, Measurement, Region, RegionGrant

from .conftest import EDITING, token_client
from .factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
KEY_LINE = re.compile(r"^[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}$", re.M)


def figure(code, indicator="ktp-el-recording"):
    return Measurement.objects.get(region__code=code, indicator__code=indicator)


def new_figure(code, article, **fields):
    return {"region": code, "indicator": "kia-ownership", "as_of": "2024-06-20", "value": 70.5, "source": article.pk}


def make_key(user="app", scope="read-write", regions=(), **options):
    if not UserFactory._meta.model.objects.filter(username=user).exists():
        UserFactory(username=user, permissions=[*EDITING, "publish_measurement"])
    out = StringIO()
    args = ["api_key", "create", "--name", f"{user} app", "--user", user, "--scope", scope]
    for code in regions:
        args += ["--region", code]
    call_command(*args, **options, stdout=out)
    return KEY_LINE.search(out.getvalue()).group(0)


def key_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def codes(response, status):
    assert response.status_code == status, response.content
    return [e["code"] for e in response.json()["errors"]]


# --- keys ---------------------------------------------------------------------------------------------------


def test_the_command_prints_a_key_once_and_stores_only_its_hash(article):
    key = make_key()
    stored = ClientKey.objects.get()

    assert stored.prefix == key.split(".")[0]
    assert key not in stored.hashed_key and key.split(".")[1] not in stored.id
    assert stored.hashed_key.startswith("sha512$$")
    out = StringIO()
    call_command("api_key", "list", stdout=out)
    assert stored.prefix in out.getvalue() and key not in out.getvalue()


def test_a_read_key_reads_but_cannot_write(article):
    client = key_client(make_key(scope="read"))

    assert client.get(URL).status_code == 200
    assert codes(client.post(URL, new_figure("64.72", article), format="json"), 403) == ["read_only_key"]
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()


@override_settings(API_PUBLIC_READ=False)
def test_with_closed_reads_a_key_is_what_lets_an_app_read(article, api):
    assert api.get(URL).status_code == 401
    assert key_client(make_key(scope="read")).get(URL).status_code == 200


def test_unknown_revoked_and_expired_keys_are_401_with_their_own_code(article):
    key = make_key()
    prefix = key.split(".")[0]
    assert key_client(key).get(URL).status_code == 200

    assert codes(key_client(prefix + ".wrongsecret").get(URL), 401) == ["invalid_key"]
    assert codes(key_client("garbage").get(URL), 401) == ["invalid_key"]
    ClientKey.objects.filter(prefix=prefix).update(expiry_date=timezone.now() - datetime.timedelta(seconds=1))
    response = key_client(key).get(URL)
    assert codes(response, 401) == ["key_expired"]
    assert response["WWW-Authenticate"] == "Api-Key"
    call_command("api_key", "revoke", prefix, stdout=StringIO())
    assert codes(key_client(key).get(URL), 401) == ["invalid_key"]


def test_the_command_refuses_a_past_expiry_unknown_regions_and_regions_beyond_the_account(article):
    user = UserFactory(username="paser", permissions=EDITING)
    RegionGrant.objects.create(user=user, region_id="64.01")

    with pytest.raises(CommandError, match="Unknown region"):
        make_key(user="paser", regions=["99.99"])
    with pytest.raises(CommandError, match="Outside the regions of paser"):
        make_key(user="paser", regions=["64.71"])
    with pytest.raises(CommandError, match="in the past"):
        make_key(user="paser", expires=datetime.date(2020, 1, 1))
    assert not ClientKey.objects.exists()


def test_a_key_records_when_it_was_last_used(article):
    key = make_key(scope="read")
    assert ClientKey.objects.get().last_used_at is None

    key_client(key).get(URL)

    assert ClientKey.objects.get().last_used_at is not None


def test_a_key_acts_for_its_account_and_cannot_exceed_its_permissions(article):
    UserFactory(username="viewer")  # no model permission at all
    client = key_client(make_key(user="viewer", scope="read-write"))

    assert codes(client.post(URL, new_figure("64.72", article), format="json"), 403) == ["permission_denied"]


# --- region scope: a key for Kabupaten Paser writes 64.01 and below only ------------------------------------


@pytest.fixture
def paser_key(article):
    return key_client(make_key(regions=["64.01"]))


def test_a_region_key_creates_figures_in_its_region_only(paser_key, article):
    assert paser_key.post(URL, new_figure("64.01", article), format="json").status_code == 201

    response = paser_key.post(URL, new_figure("64.72", article), format="json")

    assert codes(response, 403) == ["out_of_scope"]
    assert "64.72" in response.json()["errors"][0]["detail"]
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()


def test_a_region_key_cannot_change_or_delete_another_regions_figure(paser_key):
    balikpapan = figure("64.71")

    assert codes(paser_key.patch(f"{URL}{balikpapan.pk}/", {"value": 1}, format="json"), 403) == ["out_of_scope"]
    assert codes(paser_key.delete(f"{URL}{balikpapan.pk}/"), 403) == ["out_of_scope"]
    balikpapan.refresh_from_db()
    assert str(balikpapan.value) == "99.98"


def test_a_region_key_cannot_move_its_figure_into_another_region(paser_key):
    paser = figure("64.01", "ktp-el-recording-first-voters")

    response = paser_key.patch(f"{URL}{paser.pk}/", {"region": "64.72"}, format="json")

    assert codes(response, 403) == ["out_of_scope"]
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
    RegionGrant.objects.create(user=user, region_id="64.01")
    key = make_key(user="paser")  # no regions of its own: the account's
    ClientKey.objects.get().regions.set([Region.objects.get(code="64")])  # wider than the account

    client = key_client(key)

    assert codes(client.post(URL, new_figure("64.72", article), format="json"), 403) == ["out_of_scope"]
    assert client.post(URL, new_figure("64.01", article), format="json").status_code == 201


# --- region-scoped users ------------------------------------------------------------------------------------


@pytest.fixture
def paser_operator(article):
    user = UserFactory(username="op-paser", permissions=[*EDITING, "view_unpublished_measurement"])
    RegionGrant.objects.create(user=user, region_id="64.01")
    return user


@pytest.fixture
def drafts(article):
    """One draft in Paser and one in Samarinda."""
    for code in ("64.01", "64.72"):
        Measurement.objects.create(
            region=Region.objects.get(code=code),
            indicator_id=figure("64.71", "kia-ownership").indicator_id,
            as_of=datetime.date(2024, 6, 20),
            value=60,
            source=article,
        )


def test_a_region_scoped_user_writes_only_their_regions_figures_by_token(paser_operator, article):
    client = token_client(paser_operator)

    assert client.post(URL, new_figure("64.01", article), format="json").status_code == 201
    assert codes(client.post(URL, new_figure("64.71", article), format="json"), 403) == ["out_of_scope"]


def test_a_province_grant_covers_all_of_its_kabupaten_kota(article):
    user = UserFactory(username="op-kaltim", permissions=EDITING)
    RegionGrant.objects.create(user=user, region_id="64")

    assert token_client(user).post(URL, new_figure("64.72", article), format="json").status_code == 201


def test_a_scoped_user_lists_other_regions_published_figures_but_only_their_own_drafts(paser_operator, drafts):
    client = token_client(paser_operator)

    drafts_seen = client.get(URL, {"status": "draft"}).json()["results"]
    everything = client.get(URL, {"status": "draft,published"}).json()["count"]

    assert [row["region"] for row in drafts_seen] == ["64.01"]
    assert everything == 12 + 1
    samarinda_draft = Measurement.objects.get(region__code="64.72", status="draft")
    assert client.get(f"{URL}{samarinda_draft.pk}/").status_code == 404


def test_the_admin_shows_a_scoped_user_only_their_regions_figures(paser_operator, client, drafts):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)

    listing = client.get(reverse("admin:coverage_measurement_changelist"))
    other = figure("64.71")
    change_other = client.get(reverse("admin:coverage_measurement_change", args=[other.pk]))

    assert listing.status_code == 200
    shown = {m.region.code for m in listing.context["cl"].result_list}
    assert shown == {"64.01"}
    assert change_other.status_code in (302, 403, 404)  # not reachable: not in the operator's list


def test_the_admin_refuses_a_figure_for_another_region(paser_operator, client, article):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)
    samarinda = Region.objects.get(code="64.72")

    response = client.post(
        reverse("admin:coverage_measurement_add"),
        {
            "region": samarinda.pk,
            "indicator": figure("64.71", "kia-ownership").indicator_id,
            "as_of": "2024-06-20",
            "value": "70",
            "source": article.pk,
            "status": "draft",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "region" in response.context["adminform"].form.errors
    assert not Measurement.objects.filter(region=samarinda, as_of="2024-06-20").exists()


def test_the_admin_import_refuses_rows_of_another_region(paser_operator, client, article):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)
    content = "region,indicator,as_of,value\n64.01,kia-ownership,2024-06-20,70\n64.71,kia-ownership,2024-06-20,71\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("admin:coverage_measurement_import"),
        {"file": SimpleUploadedFile("f.csv", content.encode(), "text/csv"), "source": article.pk},
    )

    report = response.context["report"]
    assert [(e.line, e.column, e.code) for e in report.errors] == [(3, "region", "out_of_scope")]


# --- keys in the admin --------------------------------------------------------------------------------------


def test_a_superuser_makes_a_key_in_the_admin_and_sees_it_once(admin_client, article, django_user_model):
    account = UserFactory(username="svc-dashboard", permissions=["view_measurement"])

    response = admin_client.post(
        reverse("admin:coverage_clientkey_add"),
        {"name": "Dashboard Bappeda", "user": account.pk, "scope": "read", "regions": []},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    key = next(KEY_LINE.search(m.split(": ", 1)[1].split(". ")[0] + "\n") for m in messages if "API" in m).group(0)
    assert key_client(key).get(URL).status_code == 200
    assert ClientKey.objects.get().hashed_key != key
    listing = admin_client.get(reverse("admin:coverage_clientkey_changelist"))
    assert key not in listing.content.decode()


def test_only_superusers_manage_keys(client, article):
    staff = UserFactory(username="staff", permissions=["add_measurement"])
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    assert client.get(reverse("admin:coverage_clientkey_add")).status_code == 403


def test_the_user_admin_shows_and_edits_region_grants(admin_client, paser_operator):
    page = admin_client.get(reverse("admin:auth_user_change", args=[paser_operator.pk]))

    assert page.status_code == 200
    assert "region_grants" in page.content.decode()
    listing = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "64.01" in listing


# --- found by review: every door applies the scope ------------------------------------------------------------


def test_a_user_without_grants_or_the_national_permission_writes_nowhere(article):
    forgotten = UserFactory(username="op-forgotten", permissions=[p for p in EDITING if p != "edit_all_regions"])

    response = token_client(forgotten).post(URL, new_figure("64.01", article), format="json")

    assert codes(response, 403) == ["out_of_scope"]


def test_the_history_of_another_regions_figure_is_hidden_from_a_scoped_user(paser_operator, drafts):
    samarinda_draft = Measurement.objects.get(region__code="64.72", status="draft")
    paser_draft = Measurement.objects.get(region__code="64.01", status="draft")
    client = token_client(paser_operator)

    assert client.get(f"{URL}{samarinda_draft.pk}/history/").status_code == 404
    assert client.get(f"{URL}{paser_draft.pk}/history/").status_code == 200


def test_the_admin_history_of_another_regions_figure_is_hidden_from_a_scoped_user(paser_operator, client, drafts):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)
    other = Measurement.objects.get(region__code="64.72", status="draft")

    response = client.get(reverse("admin:coverage_measurement_history", args=[other.pk]))

    assert response.status_code in (302, 403)


def test_the_admin_history_form_refuses_a_revert_post(admin_client, article):
    balikpapan = figure("64.71")
    record = balikpapan.history.first()
    url = reverse("admin:coverage_measurement_simple_history", args=[balikpapan.pk, record.history_id])

    response = admin_client.post(url, {"value": "12.34", "status": "draft"})

    assert response.status_code == 403
    balikpapan.refresh_from_db()
    assert str(balikpapan.value) == "99.98"


def test_the_import_command_applies_the_users_regions(paser_operator, article, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("region,indicator,as_of,value\n64.72,kia-ownership,2024-06-20,70\n")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_measurements", str(path), "--user", "op-paser", stdout=out, stderr=out)

    assert "out_of_scope" in out.getvalue()
    assert not Measurement.objects.filter(region__code="64.72", as_of="2024-06-20").exists()


def test_an_import_with_a_key_records_the_key_in_the_history(paser_key, article):
    response = paser_key.post(f"{URL}import/", [new_figure("64.01", article)], format="json")

    assert response.status_code == 200, response.content
    created = Measurement.objects.get(region__code="64.01", as_of="2024-06-20")
    record = created.history.get()
    assert (record.history_api_key, record.history_door) == (ClientKey.objects.get().prefix, "import")
