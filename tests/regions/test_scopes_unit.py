"""Region scopes (coverage.regions.scopes) on their own: what a grant covers, how a key narrows its account's scope,
the rows a scope selects, and whose scope is what. tests/regions/test_scopes.py asks the same through the API."""

import pytest
from django.contrib.auth.models import AnonymousUser

from coverage.models import Measurement, Region
from coverage.regions.scopes import NATIONAL, RegionScope, scope_of, within

from ..factories import (
    DistrictFactory,
    MeasurementFactory,
    ProvinceFactory,
    RegencyFactory,
    RegionGrantFactory,
    UserFactory,
    VillageFactory,
    client_key,
)


def scope(*codes) -> RegionScope:
    return RegionScope(frozenset(codes))


# --- what a grant covers: the region and everything below it, on segment boundaries -----------------------------


@pytest.mark.parametrize(
    ("code", "grant", "covered"),
    [
        ("64.71", "64.71", True),  # the region itself
        ("64.71.01", "64.71", True),  # a kecamatan of it
        ("64.71.01.1001", "64", True),  # a desa of the province
        ("64", "64.71", False),  # the parent is not below its child
        ("64.72", "64.71", False),  # a sibling
        ("64.710", "64.71", False),  # a longer code that only starts with the same characters
        ("640.71", "64", False),
    ],
)
def test_a_grant_covers_its_region_and_what_lies_below_it_only(code, grant, covered):
    assert within(code, grant) is covered
    assert scope(grant).allows(code) is covered


def test_the_national_scope_allows_every_region_and_says_so():
    assert (NATIONAL.national, NATIONAL.empty) == (True, False)
    assert NATIONAL.allows("11") and NATIONAL.allows("94.71.01.1001")
    assert str(NATIONAL) == "national"


def test_an_empty_scope_allows_no_region():
    empty = scope()

    assert (empty.national, empty.empty) == (False, True)
    assert not empty.allows("64")
    assert str(empty) == "none"


def test_a_scope_of_several_grants_allows_each_and_names_them_sorted():
    paser_and_samarinda = scope("64.72", "64.01")

    assert [paser_and_samarinda.allows(code) for code in ("64.01.05", "64.72", "64.71", "64")] == [
        True,
        True,
        False,
        False,
    ]
    assert str(paser_and_samarinda) == "64.01, 64.72"


# --- narrowing: a key never reaches beyond its account ----------------------------------------------------------


def test_narrowing_the_national_scope_gives_the_codes_asked_for():
    assert NATIONAL.narrowed_to(["64.01", "64.72"]) == scope("64.01", "64.72")


def test_narrowing_to_nothing_narrows_nothing():
    paser = scope("64.01")

    assert paser.narrowed_to([]) is paser
    assert NATIONAL.narrowed_to(()) is NATIONAL


def test_narrowing_keeps_the_codes_inside_the_scope_and_drops_those_outside():
    assert scope("64").narrowed_to(["64.01", "65.01"]) == scope("64.01")


def test_narrowing_to_a_wider_region_keeps_only_the_grants_inside_it():
    # A key naming the whole province, of an account granted Paser and a region of another province.
    assert scope("64.01", "65.01").narrowed_to(["64"]) == scope("64.01")


def test_narrowing_to_regions_all_outside_the_scope_leaves_it_empty():
    assert scope("64.01").narrowed_to(["64.72", "65"]).empty


# --- the rows a scope selects -------------------------------------------------------------------------------------


@pytest.fixture
def kaltim(db):
    """64 with Paser (64.01, a kecamatan and a desa of it) and Samarinda (64.72); and 65 with 65.01."""
    province = ProvinceFactory(code="64")
    paser = RegencyFactory(code="64.01", parent=province)
    district = DistrictFactory(code="64.01.01", parent=paser)
    VillageFactory(code="64.01.01.1001", parent=district)
    RegencyFactory(code="64.72", kind=Region.Kind.CITY, parent=province)
    RegencyFactory(code="65.01", parent=ProvinceFactory(code="65"))


def selected(region_scope) -> list[str]:
    return sorted(Region.objects.filter(region_scope.q("code")).values_list("code", flat=True))


def test_the_rows_a_scope_selects_are_the_regions_it_allows(kaltim):
    assert selected(scope("64.01")) == ["64.01", "64.01.01", "64.01.01.1001"]
    assert selected(scope("64.01.01", "64.72")) == ["64.01.01", "64.01.01.1001", "64.72"]
    assert selected(scope("64.0")) == []  # not a region: no code starts with "64.0."
    assert selected(scope()) == []
    assert selected(NATIONAL) == ["64", "64.01", "64.01.01", "64.01.01.1001", "64.72", "65", "65.01"]


def test_a_scopes_rows_are_found_through_the_field_named(kaltim):
    for code in ("64.01.01", "64.72", "65.01"):
        MeasurementFactory(region=Region.objects.get(code=code))

    rows = Measurement.objects.filter(scope("64.01").q()).values_list("region__code", flat=True)

    assert list(rows) == ["64.01.01"]


# --- whose scope is what ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nobody_and_an_anonymous_user_act_nowhere():
    assert scope_of(None).empty
    assert scope_of(AnonymousUser()).empty


@pytest.mark.django_db
def test_without_grants_a_superuser_or_the_national_permission_is_national_and_anyone_else_acts_nowhere():
    superuser = UserFactory(is_superuser=True)
    national = UserFactory(permissions=["edit_all_regions"])
    forgotten = UserFactory(permissions=["add_measurement", "change_measurement"])

    assert (scope_of(superuser), scope_of(national)) == (NATIONAL, NATIONAL)
    assert scope_of(forgotten).empty


def test_grants_are_the_scope_even_of_a_user_with_the_national_permission(kaltim):
    user = UserFactory(permissions=["edit_all_regions"])
    for code in ("64.01", "64.72"):
        RegionGrantFactory(user=user, region=Region.objects.get(code=code))

    assert scope_of(user) == scope("64.01", "64.72")


def test_a_key_narrows_its_accounts_scope_and_a_key_without_regions_keeps_it(kaltim):
    user = UserFactory()
    RegionGrantFactory(user=user, region=Region.objects.get(code="64"))
    wide, _ = client_key(user)
    narrow, _ = client_key(user, regions=["64.01", "65.01"])

    assert scope_of(user, wide) == scope("64")
    assert scope_of(user, narrow) == scope("64.01")
