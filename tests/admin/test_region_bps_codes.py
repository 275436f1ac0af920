"""A region's page in the admin shows its BPS codes (the crosswalk's, read-only), and the region list finds a region
by its BPS code."""

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
