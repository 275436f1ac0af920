"""``manage.py operator``: a region's operator made from the command line, not a superuser, who acts only in the
regions granted, through the admin and through the API key made with them; and the one rule for a key's regions
that the admin and ``api_key`` share."""

import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from coverage.figures.roles import ROLES
from coverage.models import ClientKey, Measurement, Region, RegionGrant

from ..factories import ProvinceFactory, RegencyFactory

KEY_LINE = re.compile(r"^[A-Za-z0-9]{8}\.[A-Za-z0-9]+$", re.M)
PASSWORD = "Kaltim-Paser-2024!x"


def operator(monkeypatch, *args, stdin=""):
    """Run the command with ``stdin`` as its standard input (not a terminal); returns what it printed."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("operator", *args, stdout=out)
    return out.getvalue()


def region(code):
    return Region.objects.get(code=code)


def figure(region, *, status="draft", value=70.5):
    return {"region": region, "indicator": "kia-ownership", "as_of": "2024-12-31", "value": value, "status": status}


def with_source(payload, source):
    return {**payload, "source": source.pk}


def key_of(output):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {KEY_LINE.search(output).group(0)}")
    return client


def test_an_operator_and_their_key_write_drafts_of_their_regions_only(monkeypatch, article):
    output = operator(monkeypatch, "paser-ops", "--region", "64.01", "--key", "SIAK Paser")
    api = key_of(output)

    assert api.post("/api/v1/measurements/", with_source(figure("64.01"), article)).status_code == 201
    outside = api.post("/api/v1/measurements/", with_source(figure("64.02"), article))
    assert outside.status_code == 403
    assert outside.json()["errors"][0]["code"] == "out_of_scope"
    published = api.post(
        "/api/v1/measurements/", with_source({**figure("64.01", status="published"), "as_of": "2024-11-30"}, article)
    )
    assert published.status_code == 403, published.content
    assert Measurement.objects.filter(region__code="64.01", as_of="2024-12-31").get().status == "draft"

    user = User.objects.get(username="paser-ops")
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert list(RegionGrant.objects.filter(user=user).values_list("region_id", flat=True)) == ["64.01"]
    key = ClientKey.objects.get(user=user)
    assert (key.name, key.scope, list(key.regions.all())) == ("SIAK Paser", ClientKey.Scope.READ_WRITE, [])


def test_a_publisher_publishes_in_a_province_and_logs_in_to_the_admin(monkeypatch, article, client):
    output = operator(
        monkeypatch,
        "kaltim-team",
        "--region",
        "64",
        "--role",
        "publisher",
        "--password-stdin",
        "--key",
        "Tim Kaltim",
        stdin=PASSWORD + "\n",
    )
    api = key_of(output)

    created = api.post("/api/v1/measurements/", with_source(figure("64.71", status="published"), article))
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "published"
    RegencyFactory(code="63.01", parent=ProvinceFactory(code="63"))
    outside = api.post("/api/v1/measurements/", with_source(figure("63.01"), article))
    assert outside.status_code == 403
    assert outside.json()["errors"][0]["code"] == "out_of_scope"

    login = client.post(reverse("admin:login"), {"username": "kaltim-team", "password": PASSWORD, "next": "/admin/"})
    assert login.status_code == 302, login.content
    changelist = client.get(reverse("admin:coverage_measurement_changelist"))
    assert changelist.status_code == 200
    assert client.get(reverse("admin:coverage_clientkey_changelist")).status_code == 403  # keys: superusers only


def test_without_a_terminal_and_without_a_password_the_account_waits_for_changepassword(monkeypatch, article):
    output = operator(monkeypatch, "balikpapan-ops", "--region", "64.71")

    assert "manage.py changepassword balikpapan-ops" in output
    assert not User.objects.get(username="balikpapan-ops").has_usable_password()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--region", "99.99"], "", "Unknown region code(s): 99.99."),
        (["--region", "64.01", "--password-stdin"], "\n", "the first line of standard input is empty"),
        (["--region", "64.01", "--password-stdin"], "12345678\n", "Password: "),
        (["--region", "64.01", "--key", "x" * 200], "", "--name: at most"),
        (["--region", "64.01", "--key", " "], "", "--key: give the name of the app"),
        (["--region", "6401"], "", "--region: 6401 looks like a BPS code"),
        (["--region", "64.7x'; --"], "", "--region: 64.7x'; -- is not a Kemendagri region code"),
        (["--region", "64.01", "--email", "not-an-email"], "", "--email: Enter a valid email address."),
    ],
)
def test_a_refused_operator_leaves_nothing_behind(monkeypatch, article, args, stdin, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        operator(monkeypatch, "refused", *args, stdin=stdin)

    assert not User.objects.filter(username="refused").exists()
    assert not RegionGrant.objects.exists()
    assert not ClientKey.objects.exists()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "username: This field cannot be blank."),
        ("x" * 151, "username: Ensure this value has at most 150 characters"),
        ("bad name<script>", "username: Enter a valid username."),
    ],
)
def test_a_username_the_admin_would_refuse_is_refused(monkeypatch, article, username, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        operator(monkeypatch, username, "--region", "64.01")

    assert not User.objects.exists()
    assert not RegionGrant.objects.exists()


def test_an_existing_username_is_refused_and_left_as_it_was(monkeypatch, article, django_user_model):
    django_user_model.objects.create_superuser("admin", None, None)

    with pytest.raises(CommandError, match="exists already"):
        operator(monkeypatch, "admin", "--region", "64.01")
    assert User.objects.get(username="admin").is_superuser
    assert not RegionGrant.objects.exists()


def test_a_role_given_again_brings_its_group_back_to_its_permissions(monkeypatch, article):
    operator(monkeypatch, "first", "--region", "64.01")
    group = Group.objects.get(name=ROLES["operator"][0])
    group.permissions.clear()

    operator(monkeypatch, "second", "--region", "64.02")

    assert sorted(group.permissions.values_list("codename", flat=True)) == sorted(ROLES["operator"][1])
    assert User.objects.get(username="first").has_perm("coverage.add_measurement")


# --- a key never reaches beyond its account: one rule, asked by the admin and by the command ------------------------


def test_a_key_beyond_its_accounts_regions_is_refused_by_the_admin_and_by_the_command(
    monkeypatch, article, admin_client
):
    operator(monkeypatch, "paser-ops", "--region", "64.01")
    account = User.objects.get(username="paser-ops")

    form = admin_client.post(
        reverse("admin:coverage_clientkey_add"),
        {"name": "Too wide", "user": account.pk, "scope": "read", "regions": [region("64.01").pk, region("64.02").pk]},
    )
    assert form.status_code == 200  # the form again, with the error
    assert "64.02" in str(form.context["adminform"].form.errors["regions"])

    with pytest.raises(CommandError, match=re.escape("Outside the regions of paser-ops (64.01): 64.02.")):
        call_command("api_key", "create", "--name", "Too wide", "--user", "paser-ops", "--region", "64.02")
    assert not ClientKey.objects.exists()
