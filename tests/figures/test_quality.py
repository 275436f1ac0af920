"""Data-quality flags (coverage.figures.quality): values above 100, jumps between a series' published figures,
and a province's figure that disagrees with the roll-up of its kabupaten/kota; in the API and the admin."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from coverage.models import Indicator, Region

from ..factories import MeasurementFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_flags_find_values_above_100_jumps_and_rollup_mismatches(article, api, admin_client):
    kia = Indicator.objects.get(code="kia-ownership")
    source = article
    MeasurementFactory(
        region=Region.objects.get(code="64.71"),
        indicator=kia,
        as_of=datetime.date(2024, 12, 31),
        value=Decimal("104.38"),
        source=source,
    )
    MeasurementFactory(
        region=Region.objects.get(code="64.07"),
        indicator=kia,
        as_of=datetime.date(2024, 12, 31),
        value=Decimal("70.00"),
        source=source,
    )
    as_of = datetime.date(2025, 6, 30)
    for region in Region.objects.filter(parent="64"):
        MeasurementFactory(
            region=region,
            indicator=kia,
            as_of=as_of,
            numerator=50,
            denominator=100,
            value=Decimal("50.00"),
            source=source,
        )
    MeasurementFactory(
        region=Region.objects.get(code="64"), indicator=kia, as_of=as_of, value=Decimal("60.00"), source=source
    )

    def flagged(flag):
        return {(r["region"], r["as_of"]) for r in api.get(URL, {"flag": flag, "page_size": 100}).json()["results"]}

    assert flagged("above_100") == {("64.71", "2024-12-31")}
    # 64.71: 96.90 → 104.38 is within 10 points; → 50.00 is not
    assert flagged("jump") == {
        ("64.07", "2024-12-31"),
        ("64.71", "2025-06-30"),
        ("64.07", "2025-06-30"),
        ("64", "2025-06-30"),
    }
    assert flagged("rollup_mismatch") == {("64", "2025-06-30")}
    listed = admin_client.get(reverse("admin:coverage_measurement_changelist"), {"flag": "rollup_mismatch"})
    assert [(m.region.code, m.as_of.isoformat()) for m in listed.context["cl"].result_list] == [("64", "2025-06-30")]


def test_a_jump_is_judged_against_published_figures_only(article, api):
    kia = Indicator.objects.get(code="kia-ownership")
    MeasurementFactory(
        region=Region.objects.get(code="64.71"),
        indicator=kia,
        as_of=datetime.date(2024, 1, 31),
        value=Decimal("10.00"),
        status="draft",
    )

    assert api.get(URL, {"flag": "jump"}).json()["count"] == 0


def test_latest_with_a_flag_selects_among_flagged_figures(article, api):
    MeasurementFactory(
        region=Region.objects.get(code="64.71"),
        indicator=Indicator.objects.get(code="kia-ownership"),
        as_of=datetime.date(2023, 12, 31),
        value=Decimal("104.00"),
    )

    flagged = api.get(URL, {"latest": "true", "flag": "above_100"}).json()["results"]
    computed = api.get(URL, {"latest": "true", "flag": "above_100", "as_of_to": "2100-01-01"}).json()["results"]

    assert (
        [(r["region"], r["value"]) for r in flagged]
        == [("64.71", 104.0)]
        == [(r["region"], r["value"]) for r in computed]
    )
