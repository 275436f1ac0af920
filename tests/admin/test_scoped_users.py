"""A region-scoped user in the admin: their regions' figures only, in the list, the forms, the import and the
history; and no revert from the history, for anyone."""

import pytest
from django.urls import reverse

from coverage.models import Measurement, Region

from ..helpers import figure

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


def test_the_admin_shows_a_scoped_user_only_their_regions_figures(paser_operator, client, paser_and_samarinda_drafts):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)

    listing = client.get(reverse("admin:coverage_measurement_changelist"))
    other = figure("64.71")
    change_other = client.get(reverse("admin:coverage_measurement_change", args=[other.pk]))

    assert listing.status_code == 200
    shown = {m.region.code for m in listing.context["cl"].result_list}
    assert shown == {"64.01"}
    assert change_other.status_code in (302, 403, 404)  # not reachable: not in the operator's list


def test_the_admin_refuses_a_figure_for_another_region(paser_operator, client, article):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)
    samarinda = Region.objects.get(code="64.72")

    response = client.post(
        reverse("admin:coverage_measurement_add"),
        {
            "region": samarinda.pk,
            "indicator": figure("64.71", "kia-ownership").indicator_id,
            "as_of": "2024-06-20",
            "value": "70",
            "source": article.pk,
            "status": "draft",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "region" in response.context["adminform"].form.errors
    assert not Measurement.objects.filter(region=samarinda, as_of="2024-06-20").exists()


def test_the_admin_import_refuses_rows_of_another_region(paser_operator, client, article):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)
    content = "region,indicator,as_of,value\n64.01,kia-ownership,2024-06-20,70\n64.71,kia-ownership,2024-06-20,71\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("admin:coverage_measurement_import"),
        {"file": SimpleUploadedFile("f.csv", content.encode(), "text/csv"), "source": article.pk},
    )

    report = response.context["report"]
    assert [(e.line, e.column, e.code) for e in report.errors] == [(3, "region", "out_of_scope")]


def test_the_admin_history_of_another_regions_figure_is_hidden_from_a_scoped_user(
    paser_operator, client, paser_and_samarinda_drafts
):
    paser_operator.is_staff = True
    paser_operator.save()
    client.force_login(paser_operator)
    other = Measurement.objects.get(region__code="64.72", status="draft")

    response = client.get(reverse("admin:coverage_measurement_history", args=[other.pk]))

    assert response.status_code in (302, 403)


def test_the_admin_history_form_refuses_a_revert_post(admin_client, article):
    balikpapan = figure("64.71")
    record = balikpapan.history.first()
    url = reverse("admin:coverage_measurement_simple_history", args=[balikpapan.pk, record.history_id])

    response = admin_client.post(url, {"value": "12.34", "status": "draft"})

    assert response.status_code == 403
    balikpapan.refresh_from_db()
    assert str(balikpapan.value) == "99.98"
