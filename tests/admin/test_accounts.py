"""Accounts in the admin (coverage.admin.accounts): API keys made by superusers only and shown once, and users'
region grants."""

import pytest
from django.urls import reverse

from coverage.models import ClientKey

from ..factories import UserFactory
from ..helpers import KEY_LINE, client_with_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_a_superuser_makes_a_key_in_the_admin_and_sees_it_once(admin_client, article, django_user_model):
    account = UserFactory(username="svc-dashboard", permissions=["view_measurement"])

    response = admin_client.post(
        reverse("admin:coverage_clientkey_add"),
        {"name": "Dashboard Bappeda", "user": account.pk, "scope": "read", "regions": []},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    key = next(KEY_LINE.search(m.split(": ", 1)[1].split(". ")[0] + "\n") for m in messages if "API" in m).group(0)
    assert client_with_key(key).get(URL).status_code == 200
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
