"""A region's page in the admin shows its BPS codes (the crosswalk's, read-only), its validity and its lineage; the
region list finds a region by its BPS code and lists the retired codes apart."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from coverage.models import Region

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_regions_bps_codes_and_finds_a_region_by_one(article_all_regions, admin_client):
    call_command("load_regions", "--level", "3", verbosity=0)
    page = admin_client.get(reverse("admin:coverage_region_change", args=[Region.objects.get(code="72.10.01").pk]))
    found = admin_client.get(reverse("admin:coverage_region_changelist"), {"q": "6402"})

    assert page.status_code == 200
    assert "7210120" in page.content.decode() and "7210121" in page.content.decode()
    assert [r.code for r in found.context["cl"].result_list] == ["64.07"]


def test_the_admin_shows_a_regions_validity_and_lineage(article_all_regions, admin_client):
    merauke = admin_client.get(
        reverse("admin:coverage_region_change", args=[Region.objects.get(code="93.01").pk]),
        headers={"accept-language": "en"},
    )
    retired = admin_client.get(reverse("admin:coverage_region_changelist"), {"valid_until__isnull": "False"})

    page = merauke.content.decode()
    assert "from 91.01 (recode, 2022-07-25, UU No. 14 Tahun 2022)" in page
    assert "July 25, 2022" in page  # valid from
    assert len(retired.context["cl"].result_list) == 26
