import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from coverage.models import Source

from .factories import UserFactory


@pytest.fixture
def article(db):
    """The article's data (fixtures/article.json), loaded the way an operator loads it."""
    call_command("loaddata", "article", verbosity=0)
    return Source.objects.get()


@pytest.fixture
def api():
    return APIClient()


def token_client(user):
    Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


EDITING = [
    f"{op}_{m}"
    for m in ("region", "indicator", "source", "nationaltarget", "measurement")
    for op in ("add", "change", "delete")
]


@pytest.fixture
def editor(db):
    """The provincial office's API client: may add, change, delete and publish everything."""
    return token_client(UserFactory(username="editor", permissions=[*EDITING, "publish_measurement"]))


@pytest.fixture
def drafter(db):
    """A kabupaten/kota office's API client: may add and change figures, but not publish them."""
    return token_client(UserFactory(username="drafter", permissions=EDITING))


@pytest.fixture
def reader(db):
    """An authenticated API client without any model permission."""
    return token_client(UserFactory(username="reader"))
