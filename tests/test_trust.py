"""Change history, as-known-at queries, no lost updates, publication status, data-quality flags."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coverage.models import Door, Indicator, Measurement, Region

from .conftest import token_client
from .factories import MeasurementFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"


@pytest.fixture
def bontang(article):
    return Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")


# --- history ------------------------------------------------------------------------------------------------


def test_an_api_change_is_recorded_with_user_door_and_old_and_new_values(bontang, editor):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    entries = editor.get(f"{URL}{bontang.pk}/history/").json()

    assert [(e["type"], e["door"], e["user"]) for e in entries] == [
        ("changed", "api", "editor"),
        ("created", "fixture", None),
    ]
    assert entries[0]["changes"] == [{"field": "value", "old": 97.43, "new": 97.44}]


def test_an_admin_change_is_recorded_through_the_admin_door(bontang, admin_client, admin_user):
    form = {
        "region": bontang.region_id,
        "indicator": bontang.indicator_id,
        "as_of": "2024-06-13",
        "value": "97.45",
        "numerator": "",
        "denominator": "",
        "source": bontang.source_id,
        "status": "published",
        "expected_version": bontang.version,
    }

    response = admin_client.post(reverse("admin:coverage_measurement_change", args=[bontang.pk]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = bontang.history.order_by("-history_id").first()
    assert (str(latest.value), latest.history_door, latest.history_user) == ("97.45", Door.ADMIN, admin_user)


def test_the_admin_shows_each_objects_history(bontang, admin_client, editor):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    page = admin_client.get(reverse("admin:coverage_measurement_history", args=[bontang.pk])).content.decode()

    assert "editor" in page
    assert "api" in page.lower()


def test_a_command_records_its_changes_through_the_command_door(db):
    call_command("load_regions", "--level", "1", stdout=StringIO())

    records = Region.history.filter(code="64").order_by("history_id")
    assert [(r.history_type, r.history_door) for r in records] == [("+", Door.COMMAND), ("~", Door.COMMAND)]
    assert records.last().population == 4123303


def test_a_deleted_figure_keeps_its_history(bontang, editor):
    editor.delete(f"{URL}{bontang.pk}/")

    entries = editor.get(f"{URL}{bontang.pk}/history/").json()

    assert [e["type"] for e in entries] == ["deleted", "created"]


def test_history_needs_the_right_to_see_unpublished_figures(bontang, api, reader):
    assert api.get(f"{URL}{bontang.pk}/history/").status_code == 401
    assert reader.get(f"{URL}{bontang.pk}/history/").status_code == 403


def test_loading_the_fixture_again_records_no_new_history(article):
    before = Measurement.history.count()

    call_command("loaddata", "article", verbosity=0)

    assert Measurement.history.count() == before == 12


# --- as known at --------------------------------------------------------------------------------------------


def test_known_at_reproduces_what_was_served_before_a_correction_and_a_deletion(bontang, editor, api):
    moment = timezone.now()
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")
    balikpapan = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    editor.delete(f"{URL}{balikpapan.pk}/")
    editor.post(
        URL,
        {
            "region": "64.72",
            "indicator": "kia-ownership",
            "as_of": "2024-06-13",
            "value": 80,
            "source": bontang.source_id,
            "status": "published",
        },
        format="json",
    )

    then = api.get(URL, {"known_at": moment.isoformat(), "page_size": 100}).json()
    now = api.get(URL, {"page_size": 100}).json()

    assert {(r["region"], r["indicator"]): r["value"] for r in then["results"]} == {
        (r.region.code, r.indicator.code): float(r.value)
        for r in Measurement.history.filter(history_type="+", history_door=Door.FIXTURE)
    }
    assert then["count"] == 12
    assert {(r["region"], r["indicator"]): r["value"] for r in now["results"]}[("64.74", "ktp-el-recording")] == 97.44
    assert now["count"] == 12  # one deleted, one created


def test_known_at_before_anything_was_recorded_is_empty(article, api):
    assert api.get(URL, {"known_at": "2000-01-01T00:00:00Z"}).json()["count"] == 0


def test_known_at_combines_with_filters(bontang, editor, api):
    moment = timezone.now()
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    rows = api.get(URL, {"known_at": moment.isoformat(), "region": "64.74"}).json()["results"]

    assert [(r["id"], r["value"]) for r in rows] == [(bontang.pk, 97.43)]


def test_a_bad_known_at_is_a_400(article, api):
    assert api.get(URL, {"known_at": "kemarin"}).json()["errors"][0]["attr"] == "known_at"


# --- no lost updates ----------------------------------------------------------------------------------------


def test_a_detail_response_carries_an_etag_and_a_stale_if_match_is_a_412_that_changes_nothing(bontang, editor):
    etag = editor.get(f"{URL}{bontang.pk}/")["ETag"]
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json", headers={"if-match": etag})

    stale_patch = editor.patch(f"{URL}{bontang.pk}/", {"value": 90}, format="json", headers={"if-match": etag})
    stale_put = editor.put(
        f"{URL}{bontang.pk}/",
        {
            "region": "64.74",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-13",
            "value": 90,
            "source": bontang.source_id,
        },
        format="json",
        headers={"if-match": etag},
    )
    stale_delete = editor.delete(f"{URL}{bontang.pk}/", headers={"if-match": etag})

    assert etag == '"1"'
    assert {stale_patch.status_code, stale_put.status_code, stale_delete.status_code} == {412}
    assert stale_patch.json()["errors"][0]["code"] == "precondition_failed"
    bontang.refresh_from_db()
    assert (str(bontang.value), bontang.version) == ("97.44", 2)


def test_a_current_if_match_succeeds_and_returns_the_new_etag(bontang, editor):
    response = editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json", headers={"if-match": '"1"'})

    assert (response.status_code, response["ETag"]) == (200, '"2"')


def test_patch_writes_only_the_fields_it_was_given(bontang, editor):
    Measurement.objects.filter(pk=bontang.pk).update(numerator=9743, denominator=10000)  # someone else, meanwhile

    editor.patch(f"{URL}{bontang.pk}/", {"as_of": "2024-06-14"}, format="json")

    bontang.refresh_from_db()
    assert (bontang.as_of.isoformat(), bontang.numerator, bontang.denominator) == ("2024-06-14", 9743, 10000)


def test_the_admin_refuses_to_save_over_a_change_made_since_the_form_was_opened(bontang, admin_client, editor):
    opened = admin_client.get(reverse("admin:coverage_measurement_change", args=[bontang.pk]))
    seen = opened.context["adminform"].form["expected_version"].value()
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")

    response = admin_client.post(
        reverse("admin:coverage_measurement_change", args=[bontang.pk]),
        {
            "region": bontang.region_id,
            "indicator": bontang.indicator_id,
            "as_of": "2024-06-13",
            "value": "90.00",
            "numerator": "",
            "denominator": "",
            "source": bontang.source_id,
            "status": "published",
            "expected_version": seen,
        },
    )

    assert response.status_code == 200
    assert "stale" in [e.code for e in response.context["adminform"].form.errors.as_data()["__all__"]]
    bontang.refresh_from_db()
    assert str(bontang.value) == "97.44"


# --- publication --------------------------------------------------------------------------------------------


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


# --- data-quality flags -------------------------------------------------------------------------------------


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


def test_reloading_the_article_after_a_correction_is_a_change_made_now(bontang, editor, api):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")
    moment = timezone.now()

    call_command("loaddata", "article", verbosity=0)
    call_command("loaddata", "article", verbosity=0)

    bontang.refresh_from_db()
    assert (str(bontang.value), bontang.version) == ("97.43", 3)
    assert bontang.updated_at >= moment
    changed = api.get(URL, {"updated_after": moment.isoformat()}).json()["results"]
    assert [r["id"] for r in changed] == [bontang.pk]
    now = api.get(URL, {"known_at": timezone.now().isoformat(), "region": "64.74"}).json()["results"]
    assert [r["value"] for r in now] == [97.43]
    assert [e["door"] for e in editor.get(f"{URL}{bontang.pk}/history/").json()] == ["fixture", "api", "fixture"]


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


def test_the_admin_cannot_revert_from_history(bontang, admin_client, editor):
    editor.patch(f"{URL}{bontang.pk}/", {"value": 97.44}, format="json")
    record = bontang.history.order_by("history_id").first()

    response = admin_client.post(
        reverse("admin:coverage_measurement_simple_history", args=[bontang.pk, record.history_id]),
        {"value": "12.34", "status": "published"},
    )

    assert response.status_code in (403, 404, 302) or "revert" not in response.content.decode().lower()
    bontang.refresh_from_db()
    assert str(bontang.value) == "97.44"


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


def test_a_renamed_user_is_not_served_from_the_cache(article, editor, api, admin_user):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")
    api.get(URL, {"region": "64.74", "indicator": "ktp-el-recording"})
    editor_user = type(admin_user).objects.get(username="editor")

    editor_user.username = "provinsi-kaltim"
    editor_user.save()

    rows = api.get(URL, {"region": "64.74", "indicator": "ktp-el-recording"}).json()["results"]
    assert rows[0]["verified_by"] == "provinsi-kaltim"
