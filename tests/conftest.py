"""The fixtures every test package shares: the article's data (alone, or with every region of the official list),
API clients of the usual offices, and what a few packages' tests have in common. Helpers that are no fixture live in
tests/helpers.py, factories in tests/factories.py."""

import datetime
import time
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from coverage.models import DataVersion, Measurement, Region, Source

from .factories import RegionGrantFactory, UserFactory
from .helpers import EDITING, fetch_schema, figure, token_client


@pytest.fixture(autouse=True)
def empty_response_cache():
    """Each test starts with an empty response cache and no plans kept, as a fresh server would (test databases
    restart at the same data version)."""
    from django.core.cache import caches

    from coverage.api import plans

    caches["responses"].clear()
    plans.forget()


# --- data -----------------------------------------------------------------------------------------------------


@pytest.fixture
def article(db):
    """The article's data (fixtures/article.json), loaded the way an operator loads it."""
    call_command("loaddata", "article", verbosity=0)
    return Source.objects.get()


@pytest.fixture
def article_all_regions(article):
    """The article's data and every province and kabupaten/kota of the official list (load_regions); the article's
    source, as ``article``."""
    call_command("load_regions", verbosity=0)
    return article


@pytest.fixture
def bontang(article):
    """The article's KTP-el recording figure of Kota Bontang (97.43, as of 2024-06-13, version 1)."""
    return figure("64.74", "ktp-el-recording")


@pytest.fixture
def national_kia(db, tmp_path, django_user_model):
    """Every province and kabupaten/kota with one synthetic KIA figure (tests only), loaded through the import
    command as a provincial office would."""
    import csv

    from coverage.models import Indicator

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
            Region.objects.filter(level__lte=2)
            .valid_on(datetime.date(2024, 6, 30))
            .order_by("code")
            .values_list("code", flat=True)
        ):
            writer.writerow([code, "kia-ownership", "2024-06-30", index % 100])
    call_command("import_measurements", str(path), "--source", str(source.pk), "--user", "loader", stdout=StringIO())


# --- who asks -------------------------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


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
def paser_operator(article):
    """The operator of Kabupaten Paser (op-paser): every editing permission and the right to see drafts, with a
    grant of 64.01 and so no national scope."""
    user = UserFactory(username="op-paser", permissions=[*EDITING, "view_unpublished_measurement"])
    RegionGrantFactory(user=user, region=Region.objects.get(code="64.01"))
    return user


@pytest.fixture
def paser_and_samarinda_drafts(article):
    """One draft in Paser and one in Samarinda."""
    for code in ("64.01", "64.72"):
        Measurement.objects.create(
            region=Region.objects.get(code=code),
            indicator_id=figure("64.71", "kia-ownership").indicator_id,
            as_of=datetime.date(2024, 6, 20),
            value=60,
            source=article,
        )


# --- state around a test --------------------------------------------------------------------------------------


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


@pytest.fixture
def previews(tmp_path, monkeypatch):
    """The admin's preview files of imports, in a temporary folder of this test's own."""
    import tempfile

    from coverage.admin import import_page

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return lambda: sorted(path.name for path in import_page.import_directory().iterdir())


@pytest.fixture(scope="module")
def bomb():
    """The issue's XLSX bomb (tests/imports/workbooks.py): a workbook of ~450 KB whose shared strings unpack to 400 MB,
    built once per module."""
    from .imports.workbooks import shared_strings_bomb

    return shared_strings_bomb()


# --- the OpenAPI schema ---------------------------------------------------------------------------------------


@pytest.fixture
def schema(api):
    """The OpenAPI schema the service serves, in English."""
    return fetch_schema(api, "en")
