"""Who may see, write, publish and delete figures and change reference data (coverage.figures.access), through
every door that reads or writes them: the API (lists, detail, history, known_at, exports, answers), the admin with
a real login, and imports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from coverage.models import Indicator, Measurement, NationalTarget, Region, Source

from ..factories import MeasurementFactory, RegionGrantFactory, SourceFactory, UserFactory
from ..helpers import EDITING, error_codes, key_client, new_figure, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
PASSWORD = "a-long-test-password-0123456789"


def admin_login(client, user):
    """Log ``user`` in through the admin's own login page, as a person does."""
    user.is_staff = True
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "login refused"
    return client


@pytest.fixture
def samarinda_draft(article):
    """A draft of Kota Samarinda, which only clients allowed to see unpublished figures of 64.72 may see."""
    return MeasurementFactory(
        region=Region.objects.get(code="64.72"),
        indicator=Indicator.objects.get(code="kia-ownership"),
        as_of=datetime.date(2024, 6, 20),
        value=Decimal("61.00"),
        source=Source.objects.get(),
        status=Measurement.Status.DRAFT,
    )


def operator(username="op-paser", grant="64.01", permissions=(*EDITING, "view_unpublished_measurement")):
    """A kabupaten/kota operator: figure permissions, a grant of one region (or none), no national scope."""
    user = UserFactory(username=username, permissions=[p for p in permissions if p != "edit_all_regions"])
    if grant:
        RegionGrantFactory(user=user, region=Region.objects.get(code=grant))
    return user


# --- see: the admin -----------------------------------------------------------------------------------------


def test_a_staff_user_with_only_the_view_permission_lists_published_figures_and_no_draft(samarinda_draft, client):
    viewer = admin_login(client, UserFactory(username="viewer", permissions=["view_measurement"]))

    listed = viewer.get(reverse("admin:coverage_measurement_changelist"))

    shown = list(listed.context["cl"].result_list)
    assert len(shown) == 12 and all(m.status == Measurement.Status.PUBLISHED for m in shown)
    assert "61,00" not in listed.content.decode()


def test_a_staff_user_with_only_the_view_permission_cannot_open_a_draft_or_any_figures_history(samarinda_draft, client):
    viewer = admin_login(client, UserFactory(username="viewer", permissions=["view_measurement"]))
    published = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")

    draft_page = viewer.get(reverse("admin:coverage_measurement_change", args=[samarinda_draft.pk]))
    draft_history = viewer.get(reverse("admin:coverage_measurement_history", args=[samarinda_draft.pk]))
    published_history = viewer.get(reverse("admin:coverage_measurement_history", args=[published.pk]))

    assert draft_page.status_code == 302  # the admin's "not found" redirect to the list
    assert draft_history.status_code == 403
    assert published_history.status_code == 403  # past states include unpublished ones


def test_a_figure_opened_view_only_in_the_admin_shows_its_values(article, client):
    viewer = admin_login(client, UserFactory(username="viewer", permissions=["view_measurement"]))
    published = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")

    page = viewer.get(reverse("admin:coverage_measurement_change", args=[published.pk]))

    assert page.status_code == 200
    assert "96,90" in page.content.decode()


# --- see: a forgotten grant fails closed ----------------------------------------------------------------------


# Every list read that can ask for drafts; the draft's date (2024-06-20) is in no published figure of the article.
DRAFT_READS = {
    "list": (URL, {"status": "draft"}),
    "list of every status": (URL, {"status": "draft,verified,published", "page_size": 100}),
    "csv page": (URL, {"status": "draft", "format": "csv"}),
    "export": (URL, {"status": "draft", "format": "csv", "page_size": "all"}),
    "known_at": (URL, {"status": "draft", "known_at": "2100-01-01T00:00:00Z"}),
    "availability": ("/api/v1/availability/", {"status": "draft"}),
}


def body_of(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.parametrize("permission", ["view_unpublished_measurement", "change_measurement"])
@pytest.mark.parametrize("read", DRAFT_READS)
def test_without_a_grant_or_national_scope_no_read_shows_a_draft(samarinda_draft, permission, read):
    forgotten = token_client(operator(username="forgotten", grant=None, permissions=[permission]))
    path, params = DRAFT_READS[read]

    assert "2024-06-20" not in body_of(forgotten.get(path, params))


@pytest.mark.parametrize("read", DRAFT_READS)
def test_national_scope_shows_the_draft_in_every_read(samarinda_draft, read):
    national = token_client(UserFactory(permissions=["view_unpublished_measurement", "edit_all_regions"]))
    path, params = DRAFT_READS[read]

    assert "2024-06-20" in body_of(national.get(path, params))


@pytest.mark.parametrize("permission", ["view_unpublished_measurement", "change_measurement"])
def test_without_a_grant_or_national_scope_a_draft_and_its_history_are_not_found(samarinda_draft, permission):
    forgotten = token_client(operator(username="forgotten", grant=None, permissions=[permission]))

    assert forgotten.get(f"{URL}{samarinda_draft.pk}/").status_code == 404
    assert forgotten.get(f"{URL}{samarinda_draft.pk}/history/").status_code == 404


def test_without_a_grant_or_national_scope_the_admin_lists_no_draft(samarinda_draft, client):
    forgotten = admin_login(client, operator(username="forgotten", grant=None))

    listed = forgotten.get(reverse("admin:coverage_measurement_changelist"))

    assert samarinda_draft.pk not in {m.pk for m in listed.context["cl"].result_list}


def test_national_scope_sees_every_regions_drafts(samarinda_draft):
    national = token_client(UserFactory(permissions=["view_unpublished_measurement", "edit_all_regions"]))

    rows = national.get(URL, {"status": "draft"}).json()["results"]

    assert [row["id"] for row in rows] == [samarinda_draft.pk]
    assert national.get(f"{URL}{samarinda_draft.pk}/history/").status_code == 200


def test_a_grant_shows_that_regions_drafts_only(samarinda_draft):
    paser = token_client(operator())
    samarinda = token_client(operator(username="op-samarinda", grant="64.72"))

    assert paser.get(URL, {"status": "draft"}).json()["count"] == 0
    assert [row["id"] for row in samarinda.get(URL, {"status": "draft"}).json()["results"]] == [samarinda_draft.pk]


# --- write: scope before anything that looks at other regions' rows -------------------------------------------


@pytest.mark.parametrize("hidden", [True, False], ids=["a hidden figure holds the key", "no figure holds it"])
def test_creating_a_figure_in_another_region_is_out_of_scope_whether_or_not_one_exists(
    article, samarinda_draft, hidden
):
    if not hidden:
        samarinda_draft.delete()
    paser = token_client(operator())

    response = paser.post(URL, new_figure("64.72", samarinda_draft.source), format="json")

    assert error_codes(response, 403) == ["out_of_scope"]


@pytest.mark.parametrize("hidden", [True, False], ids=["a hidden figure holds the key", "no figure holds it"])
def test_moving_a_figure_into_another_region_is_out_of_scope_whether_or_not_one_exists(
    article, samarinda_draft, hidden
):
    if not hidden:
        samarinda_draft.delete()
    user = operator()
    own = token_client(user).post(URL, new_figure("64.01", samarinda_draft.source), format="json").json()

    response = token_client(user).patch(f"{URL}{own['id']}/", {"region": "64.72"}, format="json")

    assert error_codes(response, 403) == ["out_of_scope"]


@pytest.mark.parametrize("hidden", [True, False], ids=["a hidden figure holds the key", "no figure holds it"])
def test_the_admin_refuses_another_regions_figure_without_saying_whether_one_exists(
    article, samarinda_draft, client, hidden
):
    if not hidden:
        samarinda_draft.delete()
    paser = admin_login(client, operator())

    response = paser.post(
        reverse("admin:coverage_measurement_add"),
        {
            "region": Region.objects.get(code="64.72").pk,
            "indicator": Indicator.objects.get(code="kia-ownership").pk,
            "as_of": "2024-06-20",
            "value": "70",
            "source": Source.objects.get().pk,
            "status": "draft",
        },
    )

    errors = response.context["adminform"].form.errors
    assert list(errors) == ["region"]
    assert "already" not in str(errors)


def test_an_import_row_of_another_region_is_out_of_scope_whether_or_not_a_figure_exists(article, samarinda_draft):
    paser = token_client(operator())
    rows = [new_figure("64.72", samarinda_draft.source), new_figure("64.74", samarinda_draft.source)]

    response = paser.post(f"{URL}import/", rows, format="json")

    assert [(e["line"], e["code"]) for e in response.json()["errors"]] == [(1, "out_of_scope"), (2, "out_of_scope")]


# --- reference data -------------------------------------------------------------------------------------------

REFERENCE_WRITES = {
    "region": lambda: (
        "post",
        "/api/v1/regions/",
        {"code": "64.12", "name": "Kabupaten Baru", "level": 2, "kind": "regency", "parent": "64"},
    ),
    "indicator": lambda: ("patch", "/api/v1/indicators/kia-ownership/", {"name": "Kepemilikan KIA (diubah)"}),
    "target": lambda: ("patch", f"/api/v1/targets/{NationalTarget.objects.first().pk}/", {"value": 99}),
    "public source": lambda: ("patch", f"/api/v1/sources/{Source.objects.get().pk}/", {"title": "=rewritten"}),
}


def write(client, what):
    method, path, data = REFERENCE_WRITES[what]()
    return getattr(client, method)(path, data, format="json")


@pytest.mark.parametrize("what", REFERENCE_WRITES)
def test_a_region_scoped_client_cannot_change_reference_data(article, what):
    publisher = operator(permissions=[*EDITING, "publish_measurement", "add_partnership", "change_partnership"])

    assert error_codes(write(key_client(publisher), what), 403) == ["out_of_scope"]


@pytest.mark.parametrize("what", REFERENCE_WRITES)
def test_a_national_client_without_the_right_to_publish_cannot_change_reference_data(article, drafter, what):
    assert error_codes(write(drafter, what), 403) == ["permission_denied"]


@pytest.mark.parametrize("what", REFERENCE_WRITES)
def test_a_national_publisher_changes_reference_data(article, editor, what):
    assert write(editor, what).status_code in (200, 201)


def test_a_region_scoped_client_creates_a_source_and_changes_it_while_only_its_drafts_cite_it(article):
    paser = token_client(operator())
    created = paser.post(
        "/api/v1/sources/",
        {"title": "Laporan Paser", "publisher": "Disdukcapil Paser", "published_on": "2024-06-20"},
        format="json",
    )
    source = Source.objects.get(pk=created.json()["id"])
    paser.post(URL, new_figure("64.01", source), format="json")

    renamed = paser.patch(f"/api/v1/sources/{source.pk}/", {"title": "Laporan Paser, revisi"}, format="json")

    assert (created.status_code, renamed.status_code) == (201, 200)


def test_a_source_cited_by_another_regions_draft_is_out_of_scope(samarinda_draft):
    source = SourceFactory()
    Measurement.objects.filter(pk=samarinda_draft.pk).update(source=source)

    response = token_client(operator()).patch(f"/api/v1/sources/{source.pk}/", {"title": "x"}, format="json")

    assert error_codes(response, 403) == ["out_of_scope"]


def test_the_admin_shows_reference_data_read_only_to_a_region_scoped_user(article, client):
    paser = admin_login(client, operator(permissions=[*EDITING, "publish_measurement", "view_region", "view_source"]))
    region = Region.objects.get(code="64.01")
    source = Source.objects.get()

    region_post = paser.post(reverse("admin:coverage_region_change", args=[region.pk]), {"name": "Paser (diubah)"})
    source_post = paser.post(reverse("admin:coverage_source_change", args=[source.pk]), {"title": "=x"})
    page = paser.get(reverse("admin:coverage_source_change", args=[source.pk]))

    assert (region_post.status_code, source_post.status_code) == (403, 403)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert Region.objects.get(code="64.01").name == "Kabupaten Paser"


# --- deletions, as public copies see them -------------------------------------------------------------------------


def test_the_deleted_list_shows_a_withdrawn_figure_as_it_was_published_whatever_its_draft_does_later(article, editor):
    from django.core.cache import caches

    figure = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")
    editor.patch(f"{URL}{figure.pk}/", {"status": "draft"})
    anonymous = token_client(UserFactory(username="nobody"))  # computed each time: no cached answer in between
    withdrawn = anonymous.get(f"{URL}deleted/").json()["results"]

    editor.patch(f"{URL}{figure.pk}/", {"region": "64.01", "as_of": "2024-06-20", "value": 1})
    editor.delete(f"{URL}{figure.pk}/")
    caches["responses"].clear()
    later = anonymous.get(f"{URL}deleted/").json()["results"]

    assert [(row["id"], row["region"], row["as_of"]) for row in withdrawn] == [(figure.pk, "64.74", "2024-06-13")]
    assert later == withdrawn
