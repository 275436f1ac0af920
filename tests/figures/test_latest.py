"""latest=true answers from a precomputed flag; every write path must keep it equal to the computation."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command

from coverage.models import Indicator, Measurement, Region

from ..helpers import assert_latest_consistent

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_the_article_loads_consistent(article, api):
    assert_latest_consistent(api)


def test_api_writes_keep_latest_right(article, editor, api):
    new = editor.post(
        URL,
        {
            "region": "64.71",
            "indicator": "kia-ownership",
            "as_of": "2024-12-31",
            "value": 97,
            "source": article.pk,
            "status": "published",
        },
        format="json",
    ).json()
    assert_latest_consistent(api)
    editor.patch(f"{URL}{new['id']}/", {"as_of": "2024-01-31"}, format="json")
    assert_latest_consistent(api)
    editor.patch(f"{URL}{new['id']}/", {"region": "64.72"}, format="json")
    assert_latest_consistent(api)
    editor.patch(f"{URL}{new['id']}/", {"status": "draft", "as_of": "2025-01-31"}, format="json")
    assert_latest_consistent(api)
    editor.delete(f"{URL}{new['id']}/")
    assert_latest_consistent(api)


def test_the_newest_published_figure_wins(article, editor, api):
    editor.post(
        URL,
        {
            "region": "64.71",
            "indicator": "kia-ownership",
            "as_of": "2024-12-31",
            "value": 97,
            "source": article.pk,
            "status": "published",
        },
        format="json",
    )
    editor.post(
        URL,
        {"region": "64.71", "indicator": "kia-ownership", "as_of": "2025-06-30", "value": 98, "source": article.pk},
        format="json",
    )  # a draft: not public, so not the latest

    rows = api.get(URL, {"latest": "true", "region": "64.71", "indicator": "kia-ownership"}).json()["results"]

    assert [(r["as_of"], r["value"]) for r in rows] == [("2024-12-31", 97.0)]


def test_imports_and_the_admin_keep_latest_right(article, editor, admin_client, api):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["region", "indicator", "as_of", "value", "source"])
    for code in ("64.71", "64.72", "64.74"):
        writer.writerow([code, "ikd-activation", "2024-12-31", "5.5", article.pk])
    editor.post(URL + "import/", {"file": io.BytesIO(buffer.getvalue().encode())}, format="multipart")
    assert_latest_consistent(api)

    figure = Measurement.objects.get(region__code="64.72", indicator__code="ikd-activation")
    admin_client.post(f"/admin/coverage/measurement/{figure.pk}/delete/", {"post": "yes"})
    assert_latest_consistent(api)


def test_reloading_the_fixture_keeps_latest_right(article, editor, api):
    Measurement.objects.filter(region__code="64.71").update(is_latest=False)  # as if a bulk SQL update ran

    call_command("loaddata", "article", verbosity=0)

    assert_latest_consistent(api)


def test_latest_on_or_before_a_date_uses_the_figures_of_that_time(article, api):
    bontang = Region.objects.get(code="64.74")
    Measurement.objects.create(
        region=bontang,
        indicator=Indicator.objects.get(code="ktp-el-recording"),
        as_of=datetime.date(2024, 12, 31),
        value="98.00",
        source=article,
        status="published",
    )

    before = api.get(URL, {"latest": "true", "region": "64.74", "as_of_to": "2024-06-30"}).json()["results"]
    now = api.get(URL, {"latest": "true", "region": "64.74"}).json()["results"]

    assert [r["value"] for r in before] == [97.43]
    assert [r["value"] for r in now] == [98.0]
