"""``manage.py api_key``: a key printed once and stored only as a hash, listed by prefix; refused for a past expiry,
unknown regions and regions beyond the account."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coverage.models import ClientKey

from ..factories import RegionGrantFactory, UserFactory
from ..helpers import EDITING, make_key, region

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_the_command_prints_a_key_once_and_stores_only_its_hash(article):
    key = make_key()
    stored = ClientKey.objects.get()

    assert stored.prefix == key.split(".")[0]
    assert key not in stored.hashed_key and key.split(".")[1] not in stored.id
    assert stored.hashed_key.startswith("sha512$$")
    out = StringIO()
    call_command("api_key", "list", stdout=out)
    assert stored.prefix in out.getvalue() and key not in out.getvalue()


def test_the_command_refuses_a_past_expiry_unknown_regions_and_regions_beyond_the_account(article):
    user = UserFactory(username="paser", permissions=EDITING)
    RegionGrantFactory(user=user, region=region("64.01"))

    with pytest.raises(CommandError, match="Unknown region"):
        make_key(user="paser", regions=["99.99"])
    with pytest.raises(CommandError, match="Outside the regions of paser"):
        make_key(user="paser", regions=["64.71"])
    with pytest.raises(CommandError, match="in the past"):
        make_key(user="paser", expires=datetime.date(2020, 1, 1))
    assert not ClientKey.objects.exists()
