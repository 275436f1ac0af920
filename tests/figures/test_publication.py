"""Publication status: anonymous readers see published figures only, clients without the right to publish write
drafts only (API and admin), publishing records who and when, and a withdrawn figure is a tombstone for public
copies."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from coverage.models import Indicator, Measurement, Region

from ..factories import MeasurementFactory, UserFactory
from ..helpers import token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


@pytest.fixture
def draft(article):
    return MeasurementFactory(
        region=Region.objects.get(code="64.72"),
        indicator=Indicator.objects.get(code="kia-ownership"),
        as_of=datetime.date(2024, 6, 13),
        value=Decimal("80.00"),
        status=Measurement.Status.DRAFT,
    )


def test_anonymous_readers_see_published_figures_only(draft, api):
    assert draft.pk not in {r["id"] for r in api.get(URL, {"page_size": 100}).json()["results"]}
    assert api.get(f"{URL}{draft.pk}/").status_code == 404
    assert api.get(URL, {"status": "draft"}).status_code == 401  # a credential with the permission would see them
    assert api.get("/api/v1/indicators/kia-ownership/ranking/", {"parent": "64"}).json()["count"] == 2


def test_clients_with_the_permission_can_ask_for_drafts(draft, reader):
    allowed = token_client(UserFactory(permissions=["view_unpublished_measurement", "edit_all_regions"]))  # national

    assert reader.get(URL, {"status": "draft"}).status_code == 403
    assert [r["id"] for r in allowed.get(URL, {"status": "draft"}).json()["results"]] == [draft.pk]
    assert allowed.get(f"{URL}{draft.pk}/").status_code == 200
    assert allowed.get(URL, {"status": "draft,published"}).json()["count"] == 13


def test_a_client_without_the_right_to_publish_writes_drafts_only(article, drafter):
    figure = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 80, "source": article.pk}

    created = drafter.post(URL, figure, format="json")
    published = drafter.post(URL, {**figure, "as_of": "2024-06-12", "status": "published"}, format="json")
    promoted = drafter.patch(f"{URL}{created.json()['id']}/", {"status": "verified"}, format="json")
    bontang = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    changed = drafter.patch(f"{URL}{bontang.pk}/", {"value": 1}, format="json")
    deleted = drafter.delete(f"{URL}{bontang.pk}/")

    assert created.json()["status"] == "draft"
    assert {published.status_code, promoted.status_code, changed.status_code, deleted.status_code} == {403}
    bontang.refresh_from_db()
    assert str(bontang.value) == "97.43"


def test_publishing_records_who_and_when(draft, editor, api):
    response = editor.patch(f"{URL}{draft.pk}/", {"status": "published"}, format="json")

    body = response.json()
    assert (body["status"], body["verified_by"]) == ("published", "editor")
    assert body["verified_at"] is not None
    assert api.get(f"{URL}{draft.pk}/").status_code == 200


def test_the_articles_figures_are_published(article, api):
    assert {r["status"] for r in api.get(URL, {"page_size": 100}).json()["results"]} == {"published"}


def test_the_admin_keeps_a_non_publisher_to_drafts(bontang, client, article):
    from django.contrib.auth.models import Permission

    drafter = UserFactory(
        username="kab-office",
        permissions=["add_measurement", "change_measurement", "view_measurement", "edit_all_regions"],
    )
    drafter.is_staff = True
    drafter.save()
    client.force_login(drafter)
    form = {
        "region": bontang.region_id,
        "indicator": bontang.indicator_id,
        "as_of": "2024-06-13",
        "value": "90.00",
        "numerator": "",
        "denominator": "",
        "source": bontang.source_id,
        "status": "published",
        "expected_version": bontang.version,
    }

    changed = client.post(reverse("admin:coverage_measurement_change", args=[bontang.pk]), form)
    published = client.post(
        reverse("admin:coverage_measurement_add"),
        {**form, "region": Region.objects.get(code="64.72").pk, "status": "published"},
    )
    drafted = client.post(
        reverse("admin:coverage_measurement_add"),
        {**form, "region": Region.objects.get(code="64.72").pk, "status": "draft"},
    )

    assert changed.status_code == published.status_code == 200
    assert Permission.objects.filter(codename="publish_measurement").exists()
    bontang.refresh_from_db()
    assert str(bontang.value) == "97.43"
    assert drafted.status_code == 302
    assert Measurement.objects.get(region__code="64.72", indicator=bontang.indicator).status == "draft"


def test_withdrawing_a_published_figure_is_a_tombstone_for_public_copies(bontang, editor, api):
    since = timezone.now()

    editor.patch(f"{URL}{bontang.pk}/", {"status": "draft"}, format="json")

    gone = api.get(f"{URL}deleted/", {"deleted_after": since.isoformat()}).json()["results"]
    assert [d["id"] for d in gone] == [bontang.pk]
    editor.patch(f"{URL}{bontang.pk}/", {"status": "published"}, format="json")
    assert api.get(f"{URL}deleted/", {"deleted_after": since.isoformat()}).json()["count"] == 0


def test_deleting_a_draft_that_was_never_public_leaves_no_public_tombstone(article, editor, api):
    since = timezone.now()
    draft = editor.post(
        URL,
        {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": 1, "source": article.pk},
        format="json",
    ).json()

    editor.delete(f"{URL}{draft['id']}/")

    assert api.get(f"{URL}deleted/", {"deleted_after": since.isoformat()}).json()["count"] == 0


def test_a_non_publisher_cannot_bulk_delete_published_figures_in_the_admin(bontang, client):
    staff = UserFactory(
        username="kab-staff", permissions=["view_measurement", "delete_measurement", "edit_all_regions"]
    )
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    response = client.post(
        reverse("admin:coverage_measurement_changelist"),
        {"action": "delete_selected", "_selected_action": [bontang.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert Measurement.objects.filter(pk=bontang.pk).exists()
