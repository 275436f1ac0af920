"""ETags, 304s and the response cache: fast repeats, and never a stale answer after a write."""

import io
import json

import pytest
from django.test import override_settings

from coverage.models import Indicator, Measurement, Region

from ..live import ROOT

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
QUERY = {"indicator": "ktp-el-recording", "region": "64.74"}


def value_of(response):
    return response.json()["results"][0]["value"]


def test_anonymous_lists_carry_etag_last_modified_and_public_cache_control(article, api):
    response = api.get(URL, QUERY)

    assert response["ETag"].startswith('W/"data-')
    assert "Last-Modified" in response
    assert response["Cache-Control"] == "public, max-age=60"


def test_if_none_match_gets_a_304_until_the_data_changes(article, api, editor):
    etag = api.get(URL, QUERY)["ETag"]

    assert api.get(URL, QUERY, headers={"if-none-match": etag}).status_code == 304
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")
    fresh = api.get(URL, QUERY, headers={"if-none-match": etag})
    assert (fresh.status_code, value_of(fresh)) == (200, 97.44)
    assert fresh["ETag"] != etag


def test_an_etag_of_data_discarded_by_a_restore_gets_the_current_data_not_a_304(article, api, editor, backup):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    other = Measurement.objects.get(region__code="64.71", indicator__code="ktp-el-recording")
    before = backup(figure)
    editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")
    discarded = api.get(URL, QUERY)["ETag"]  # a dashboard keeps this answer, 97.44

    # The backup from before that write comes back, and a write of another figure brings the number level again.
    before.restore()
    editor.patch(f"{URL}{other.pk}/", {"value": 90}, format="json")
    fresh = api.get(URL, QUERY, headers={"if-none-match": discarded})

    assert (fresh.status_code, value_of(fresh)) == (200, 97.43)


def test_a_detail_answers_304_to_its_own_etag(article, api):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    etag = api.get(f"{URL}{figure.pk}/")["ETag"]

    assert api.get(f"{URL}{figure.pk}/", headers={"if-none-match": etag}).status_code == 304


def test_a_repeated_anonymous_request_is_served_from_the_cache(article, api):
    first = api.get(URL, QUERY)
    second = api.get(URL, QUERY)

    assert "X-Cache" not in first
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    # As on a computed answer: without it gunicorn would send the body chunked.
    assert second["Content-Length"] == first["Content-Length"] == str(len(first.content))


def test_authenticated_reads_are_never_served_from_the_shared_cache(article, api, reader):
    api.get(URL, QUERY)

    response = reader.get(URL, QUERY)

    assert "X-Cache" not in response
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("door", ["api", "import", "admin", "delete"])
def test_no_write_leaves_a_stale_answer_in_the_cache(article, api, editor, admin_client, door):
    api.get(URL, QUERY)
    assert api.get(URL, QUERY)["X-Cache"] == "hit"
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")

    if door == "api":
        editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")
    elif door == "import":
        body = f"region,indicator,as_of,value,source\n64.74,ktp-el-recording,2024-06-13,97.44,{figure.source_id}\n"
        editor.post(URL + "import/", {"file": io.BytesIO(body.encode())}, format="multipart")
    elif door == "admin":
        admin_client.post(
            f"/admin/coverage/measurement/{figure.pk}/change/",
            {
                "region": figure.region_id,
                "indicator": figure.indicator_id,
                "as_of": "2024-06-13",
                "value": "97.44",
                "numerator": "",
                "denominator": "",
                "source": figure.source_id,
                "status": "published",
                "expected_version": figure.version,
            },
        )
    else:
        editor.delete(f"{URL}{figure.pk}/")

    response = api.get(URL, QUERY)
    assert "X-Cache" not in response
    assert response.json()["results"] == [] if door == "delete" else value_of(response) == 97.44


def test_answers_and_the_dashboard_are_cached_and_refreshed_too(article, api, client, editor):
    ranking = "/api/v1/indicators/kia-ownership/ranking/"
    api.get(ranking, {"parent": "64"})
    client.get("/")
    assert api.get(ranking, {"parent": "64"})["X-Cache"] == "hit"
    assert client.get("/")["X-Cache"] == "hit"

    figure = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    editor.patch(f"{URL}{figure.pk}/", {"value": 50}, format="json")

    assert api.get(ranking, {"parent": "64"}).json()["highest"]["region"] == "64.07"
    assert "50,00" in client.get("/").content.decode()


# --- drafts are not news: the public version moves only for what anonymous readers see --------------------------


def draft_write(door, *, drafter, admin_client, source):
    """Save, change or delete a draft of Kota Samarinda through ``door``."""
    draft = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-20", "value": 61, "source": source.pk}
    if door == "api create":
        return drafter.post(URL, draft, format="json")
    existing = drafter.post(URL, draft, format="json").json()
    if door == "api change":
        return drafter.patch(f"{URL}{existing['id']}/", {"value": 62}, format="json")
    if door == "api delete":
        return drafter.delete(f"{URL}{existing['id']}/")
    if door == "import":
        body = f"region,indicator,as_of,value,source\n64.72,kia-ownership,2024-06-20,63,{source.pk}\n"
        return drafter.post(URL + "import/", {"file": io.BytesIO(body.encode())}, format="multipart")
    figure = Measurement.objects.get(pk=existing["id"])
    return admin_client.post(
        f"/admin/coverage/measurement/{figure.pk}/change/",
        {
            "region": figure.region_id,
            "indicator": figure.indicator_id,
            "as_of": "2024-06-20",
            "value": "64",
            "numerator": "",
            "denominator": "",
            "source": source.pk,
            "status": "draft",
            "expected_version": figure.version,
        },
    )


@pytest.mark.parametrize("door", ["api create", "api change", "api delete", "import", "admin"])
def test_a_draft_written_through_any_door_leaves_anonymous_etags_and_cached_answers_alone(
    article, api, drafter, admin_client, door
):
    etag = api.get(URL, QUERY)["ETag"]

    written = draft_write(door, drafter=drafter, admin_client=admin_client, source=article)

    assert written.status_code == {"api create": 201, "api change": 200, "api delete": 204, "admin": 302}.get(
        door, 200
    ), written.content
    assert api.get(URL, QUERY, headers={"if-none-match": etag}).status_code == 304
    assert api.get(URL, QUERY)["X-Cache"] == "hit"


def test_an_admin_login_leaves_anonymous_etags_alone(article, api, client, django_user_model):
    django_user_model.objects.create_superuser("admin-login", None, "a-long-test-password-0123456789")
    etag = api.get(URL, QUERY)["ETag"]

    logged_in = client.post("/admin/login/", {"username": "admin-login", "password": "a-long-test-password-0123456789"})

    assert logged_in.status_code == 302
    assert api.get(URL, QUERY, headers={"if-none-match": etag}).status_code == 304


def test_a_reader_who_may_see_drafts_gets_a_new_etag_after_a_draft_write(article, drafter):
    etag = drafter.get(URL, {"status": "draft,published"})["ETag"]
    assert drafter.get(URL, {"status": "draft,published"}, headers={"if-none-match": etag}).status_code == 304

    draft_write("api create", drafter=drafter, admin_client=None, source=article)

    fresh = drafter.get(URL, {"status": "draft,published"}, headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh.json()["count"] == 13


def test_two_clients_with_credentials_never_share_an_etag(article, drafter, editor):
    assert drafter.get(URL, QUERY)["ETag"] != editor.get(URL, QUERY)["ETag"]


@pytest.mark.parametrize("change", ["publish a draft", "withdraw a published figure"])
def test_publishing_or_withdrawing_a_figure_moves_anonymous_etags_on(article, api, editor, change):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    if change == "publish a draft":
        Measurement.objects.filter(pk=figure.pk).update(status=Measurement.Status.DRAFT)
    etag = api.get(URL, QUERY)["ETag"]

    status = "published" if change == "publish a draft" else "draft"
    assert editor.patch(f"{URL}{figure.pk}/", {"status": status}, format="json").status_code == 200

    assert api.get(URL, QUERY, headers={"if-none-match": etag}).status_code == 200


@pytest.mark.parametrize("door", ["import", "admin"])
def test_publishing_through_an_import_or_the_admin_moves_anonymous_etags_on(article, api, editor, admin_client, door):
    before = api.get(URL, {"region": "64.72"})
    etag = before["ETag"]

    if door == "import":
        body = f"region,indicator,as_of,value,status,source\n64.72,kia-ownership,2024-06-20,61,published,{article.pk}\n"
        written = editor.post(URL + "import/", {"file": io.BytesIO(body.encode())}, format="multipart")
    else:
        written = admin_client.post(
            "/admin/coverage/measurement/add/",
            {
                "region": Region.objects.get(code="64.72").pk,
                "indicator": Indicator.objects.get(code="kia-ownership").pk,
                "as_of": "2024-06-20",
                "value": "61",
                "numerator": "",
                "denominator": "",
                "source": article.pk,
                "status": "published",
            },
        )

    assert written.status_code in (200, 302), written.content
    fresh = api.get(URL, {"region": "64.72"}, headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh.json()["count"] == before.json()["count"] + 1


def test_a_fixture_load_that_withdraws_a_published_figure_moves_anonymous_etags_on(article, api, tmp_path):
    from django.core.management import call_command

    etag = api.get(URL, QUERY)["ETag"]
    fixture = json.loads((ROOT / "fixtures" / "article.json").read_text())
    row = next(
        obj
        for obj in fixture
        if obj["model"] == "coverage.measurement"
        and obj["fields"]["region"] == ["64.74"]
        and obj["fields"]["indicator"] == ["ktp-el-recording"]
    )
    (tmp_path / "withdrawn.json").write_text(json.dumps([{**row, "fields": {**row["fields"], "status": "draft"}}]))

    call_command("loaddata", str(tmp_path / "withdrawn.json"), verbosity=0)

    fresh = api.get(URL, QUERY, headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh.json()["results"] == []


def test_a_renamed_user_is_not_served_from_the_cache(article, editor, api, admin_user):
    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    editor.patch(f"{URL}{figure.pk}/", {"value": 97.44}, format="json")
    api.get(URL, {"region": "64.74", "indicator": "ktp-el-recording"})
    editor_user = type(admin_user).objects.get(username="editor")

    editor_user.username = "provinsi-kaltim"
    editor_user.save()

    rows = api.get(URL, {"region": "64.74", "indicator": "ktp-el-recording"}).json()["results"]
    assert rows[0]["verified_by"] == "provinsi-kaltim"


@pytest.mark.usefixtures("fresh_throttle_counters")
@override_settings(API_PUBLIC_READ=False)
def test_with_closed_reads_an_etag_gets_no_304_without_credentials(article, editor, api):
    etag = editor.get(URL)["ETag"]

    assert api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 401
    assert api.get(URL, HTTP_IF_NONE_MATCH=etag, HTTP_AUTHORIZATION="Api-Key nope.nope").status_code == 401
    assert editor.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
