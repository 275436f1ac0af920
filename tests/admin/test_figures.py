"""The admin of figures (coverage.admin.figures), as a provincial admin uses it: the list, its filters and search,
the form with its checks, in Indonesian by default."""

import pytest

from coverage.models import Indicator, Measurement, Region

from ..helpers import admin_url

pytestmark = pytest.mark.django_db


def test_the_measurement_list_shows_region_indicator_value_and_source(article, admin_client):
    page = admin_client.get(admin_url(Measurement, "changelist")).content.decode()

    assert "Kota Balikpapan" in page
    assert "96,90" in page  # Indonesian decimal comma in the admin
    assert "Capaian Perekaman KTP-el Kaltim" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"indicator__id__exact": "kia"}, 3),
        ({"level": "2"}, 8),
        ({"level": "1"}, 4),
        ({"as_of__year": "2024"}, 12),
        ({"q": "64.71"}, 3),
        ({"q": "Bontang"}, 1),
    ],
)
def test_the_measurement_list_filters_by_indicator_level_date_and_searches_region(
    article, admin_client, params, expected
):
    if params.get("indicator__id__exact") == "kia":
        params = {"indicator__id__exact": Indicator.objects.get(code="kia-ownership").pk}

    response = admin_client.get(admin_url(Measurement, "changelist"), params)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == expected


def measurement_form(article, **fields):
    return {
        "region": Region.objects.get(code="64.72").pk,
        "indicator": Indicator.objects.get(code="kia-ownership").pk,
        "as_of": "13/06/2024",
        "value": "75.50",  # an HTML number input always sends a decimal point
        "numerator": "",
        "denominator": "",
        "source": article.pk,
        "status": "draft",
        **fields,
    }


def test_a_figure_added_in_the_admin_is_stored(article, admin_client):
    response = admin_client.post(admin_url(Measurement, "add"), measurement_form(article))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert str(Measurement.objects.get(region__code="64.72").value) == "75.50"


def test_the_admin_derives_the_value_from_the_counts(article, admin_client):
    admin_client.post(
        admin_url(Measurement, "add"), measurement_form(article, value="", numerator="1875", denominator="2000")
    )

    assert str(Measurement.objects.get(region__code="64.72").value) == "93.75"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": "-1"}, "value"),
        ({"value": "1000"}, "value"),
        ({"value": "50", "numerator": "1", "denominator": "3"}, "value"),
        ({"value": "50", "numerator": "1", "denominator": "0"}, "denominator"),
        ({"value": "", "numerator": "", "denominator": ""}, "value"),
        ({"as_of": "31/02/2024"}, "as_of"),
        ({"region": "0"}, "region"),
    ],
)
def test_invalid_figures_are_shown_on_the_form_not_stored(article, admin_client, fields, field):
    response = admin_client.post(admin_url(Measurement, "add"), measurement_form(article, **fields))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Measurement.objects.filter(region__code="64.72").exists()


def test_a_duplicate_figure_is_shown_on_the_form(article, admin_client):
    form = measurement_form(article, region=Region.objects.get(code="64.71").pk, value="1")

    response = admin_client.post(admin_url(Measurement, "add"), form)

    assert response.status_code == 200
    assert "__all__" in response.context["adminform"].form.errors
    assert str(Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership").value) == "96.90"


def test_the_admin_speaks_indonesian_by_default_and_english_on_request(article, admin_client):
    indonesian = admin_client.get(admin_url(Measurement, "changelist")).content.decode()
    english = admin_client.get(admin_url(Measurement, "changelist"), headers={"accept-language": "en"}).content.decode()

    assert "Pilih angka capaian untuk diubah" in indonesian
    assert "Select measurement to change" in english
