"""The admin of regions and the other reference data (coverage.admin.reference), as a provincial admin uses it: the
pages of every model open, regions found by code and name, a region that does not fit its parent or has figures
refused on the page."""

import pytest

from coverage.models import Indicator, Measurement, NationalTarget, Partnership, Region, Source

from ..helpers import admin_url

pytestmark = pytest.mark.django_db


MODELS = [Region, Indicator, Source, NationalTarget, Measurement, Partnership]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_list_add_and_change_pages_of_every_model_open(article, admin_client, model):
    obj = model.objects.first()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_regions_are_searchable_by_code_and_name_and_filterable_by_level(article, admin_client):
    by_code = admin_client.get(admin_url(Region, "changelist"), {"q": "64.7"})
    by_name = admin_client.get(admin_url(Region, "changelist"), {"q": "kutai"})
    by_level = admin_client.get(admin_url(Region, "changelist"), {"level__exact": "1"})

    assert [r.code for r in by_code.context["cl"].result_list] == ["64.71", "64.72", "64.74"]
    assert [r.code for r in by_name.context["cl"].result_list] == ["64.02", "64.07", "64.08"]
    assert [r.code for r in by_level.context["cl"].result_list] == ["64"]


def test_region_autocomplete_finds_regions_by_code(article, admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "coverage", "model_name": "measurement", "field_name": "region", "term": "64.7"},
    )

    assert [r["text"] for r in response.json()["results"]] == [
        "64.71 Kota Balikpapan",
        "64.72 Kota Samarinda",
        "64.74 Kota Bontang",
    ]


def test_a_region_that_does_not_fit_its_parent_is_shown_on_the_form(article, admin_client):
    response = admin_client.post(
        admin_url(Region, "add"),
        {"code": "64.72.01", "name": "X", "level": "3", "kind": "district", "parent": "64.71"},
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors


def test_deleting_a_region_with_figures_is_refused_on_a_page_not_a_500(article, admin_client):
    region = Region.objects.get(code="64.71")

    response = admin_client.post(admin_url(Region, "delete", region.pk), {"post": "yes"})

    assert response.status_code == 200
    assert Region.objects.filter(code="64.71").exists()
