import time
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from coverage.models import DataVersion, Measurement, Source

from .factories import UserFactory


@pytest.fixture(autouse=True)
def empty_response_cache():
    """Each test starts with an empty response cache, as a fresh server would (test databases restart at the
    same data version)."""
    from django.core.cache import caches

    caches["responses"].clear()


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
    *(
        f"{op}_{m}"
        for m in ("region", "indicator", "source", "nationaltarget", "measurement")
        for op in ("add", "change", "delete")
    ),
    "edit_all_regions",  # national: a user without region grants otherwise writes nowhere
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


@pytest.fixture
def national_kia(db, tmp_path, django_user_model):
    """Every province and kabupaten/kota with one synthetic KIA figure (tests only), loaded through the import
    command as a provincial office would."""
    import csv
    import datetime

    from coverage.models import Indicator, Region

    call_command("load_regions", verbosity=0)
    Indicator.objects.create(code="kia-ownership", name="Kepemilikan KIA", name_en="KIA", population="anak")
    source = Source.objects.create(
        title="Synthetic (tests only)", publisher="tests", published_on=datetime.date(2024, 7, 1)
    )
    django_user_model.objects.create_superuser("loader", None, None)
    path = tmp_path / "national.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["region", "indicator", "as_of", "value"])
        for index, code in enumerate(
            Region.objects.filter(level__lte=2).order_by("code").values_list("code", flat=True)
        ):
            writer.writerow([code, "kia-ownership", "2024-06-30", index % 100])
    call_command("import_measurements", str(path), "--source", str(source.pk), "--user", "loader", stdout=StringIO())


@pytest.fixture
def backup(db):
    """backup(*figures) takes a backup of those figures and the data version now; its restore() brings them back
    as restoring a database from that backup would (the version numbers go back too)."""

    class Backup:
        def __init__(self, *figures):
            self.figures = [(figure.pk, figure.value, figure.version) for figure in figures]
            self.data_versions = list(DataVersion.objects.values_list("pk", "version", "changed_at"))

        def restore(self):
            for pk, value, version in self.figures:
                Measurement.objects.filter(pk=pk).update(value=value, version=version)
            for pk, version, changed_at in self.data_versions:
                DataVersion.objects.filter(pk=pk).update(version=version, changed_at=changed_at)

    return Backup


@pytest.fixture
def fresh_throttle_counters(db):
    """Empty throttle counters, and a test that starts well inside a minute: counters run in fixed windows (per
    minute in these tests), and a test that straddled the turn of a minute would see its count start again."""
    from django.core.cache import caches

    caches["throttle"].clear()
    into_minute = time.time() % 60
    if into_minute > 50:
        time.sleep(60.5 - into_minute)
