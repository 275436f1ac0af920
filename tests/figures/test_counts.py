"""Counts of people are at most 10^9 (coverage.models.MAX_COUNT): validated on every door (the API, the import on
all three doors and its dry run, the admin's form) and held by a database constraint. Every figure is synthetic."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from coverage.models import Measurement

from ..helpers import csv_bytes
from ..imports.doors import HEADER, figures, through_admin, through_api, through_command

pytestmark = pytest.mark.django_db


HUGE = 10**17


def test_counts_too_large_for_a_population_are_a_400_through_the_api_create_and_patch(article_all_regions, editor):
    figure = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 100}
    figure |= {"source": article_all_regions.pk, "numerator": HUGE, "denominator": HUGE}
    existing = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")

    created = editor.post("/api/v1/measurements/", figure, format="json")
    patched = editor.patch(f"/api/v1/measurements/{existing.pk}/", {"numerator": 10**9 + 1}, format="json")
    at_bound = editor.post("/api/v1/measurements/", {**figure, "numerator": 10**9, "denominator": 10**9}, format="json")

    assert created.status_code == 400
    assert {(e["attr"], e["code"]) for e in created.json()["errors"]} == {
        ("numerator", "max_value"),
        ("denominator", "max_value"),
    }
    assert (patched.status_code, patched.json()["errors"][0]["code"]) == (400, "max_value")
    assert at_bound.status_code == 201, at_bound.json()


def test_counts_too_large_are_refused_by_the_import_on_every_door_and_by_a_dry_run(
    article_all_regions, editor, admin_client, tmp_path
):
    row = {**figures(article_all_regions.pk, 1)[0], "value": "100", "numerator": str(HUGE), "denominator": str(HUGE)}
    content = csv_bytes([row], [*HEADER, "numerator", "denominator"], lineterminator="\n")

    for dry_run in ("true", "false"):
        response = through_api(editor, content, dry_run=dry_run)
        assert response.status_code == 400
        assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {
            ("numerator", "max_value"),
            ("denominator", "max_value"),
        }
    admin = through_admin(admin_client, content)
    assert {(e.column, e.code) for e in admin.context["report"].errors} == {
        ("numerator", "max_value"),
        ("denominator", "max_value"),
    }
    assert "numerator: 100000000000000000 is more than 1,000,000,000" in through_command(tmp_path, content)
    assert not Measurement.objects.filter(as_of="2000-01-01").exists()


def test_the_admin_form_refuses_counts_too_large(article_all_regions, admin_client):
    form = {
        "region": article_all_regions.measurements.first().region_id,
        "indicator": article_all_regions.measurements.first().indicator_id,
        "as_of": "01/01/2000",
        "value": "100.00",
        "numerator": str(HUGE),
        "denominator": str(HUGE),
        "source": article_all_regions.pk,
        "status": "draft",
    }

    response = admin_client.post(reverse("admin:coverage_measurement_add"), form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"numerator", "denominator"} <= set(errors)
    assert errors.as_data()["numerator"][0].code == "max_value"


def test_the_database_refuses_counts_too_large(article_all_regions):
    figure = Measurement.objects.filter(numerator__isnull=True).first()

    for counts in ({"numerator": 10**9 + 1, "denominator": 10**9 + 1}, {"denominator": 10**9 + 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Measurement.objects.filter(pk=figure.pk).update(value=100, **counts)
