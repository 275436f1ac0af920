"""Factories for tests only, one for every model of the app (coverage.models) a test makes: every figure and name they
make is synthetic. DataVersion has none: its rows are the migrations' and every save moves them on."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Permission, User
from factory.django import DjangoModelFactory
from rest_framework.authtoken.models import Token

from coverage.models import ClientKey, Indicator, Measurement, NationalTarget, Partnership, Region, RegionGrant, Source


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{11 + n % 89:02d}")
    name = factory.LazyAttribute(lambda o: f"Provinsi {o.code}")
    level = Region.Level.PROVINCE
    kind = Region.Kind.PROVINCE
    parent = None


class RegencyFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    parent = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}.{1 + n % 69:02d}")
    name = factory.LazyAttribute(lambda o: f"Kabupaten {o.code}")
    level = Region.Level.REGENCY_CITY
    kind = Region.Kind.REGENCY


class DistrictFactory(DjangoModelFactory):
    """A kecamatan: 64.71.01 under the kabupaten/kota 64.71."""

    class Meta:
        model = Region
        django_get_or_create = ["code"]

    parent = factory.SubFactory(RegencyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}.{1 + n % 99:02d}")
    name = factory.LazyAttribute(lambda o: f"Kecamatan {o.code}")
    level = Region.Level.DISTRICT
    kind = Region.Kind.DISTRICT


class VillageFactory(DjangoModelFactory):
    """A desa/kelurahan: 64.71.01.1001 under the kecamatan 64.71.01."""

    class Meta:
        model = Region
        django_get_or_create = ["code"]

    parent = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}.{1001 + n % 8999:04d}")
    name = factory.LazyAttribute(lambda o: f"Desa {o.code}")
    level = Region.Level.VILLAGE
    kind = Region.Kind.VILLAGE


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.LazyAttribute(lambda o: f"Indikator {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    unit = Indicator.Unit.PERCENT
    population = "Penduduk"


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Synthetic test source {n}")
    publisher = "Test suite (synthetic)"
    published_on = datetime.date(2024, 7, 1)


class NationalTargetFactory(DjangoModelFactory):
    class Meta:
        model = NationalTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2025
    value = Decimal("50.00")
    source = factory.SubFactory(SourceFactory)


class PartnershipFactory(DjangoModelFactory):
    """A programme for an indicator's card holders; regions=[…] are where it runs."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Program mitra {n}")
    description = "Synthetic programme (tests only)."
    indicator = factory.SubFactory(IndicatorFactory)
    source = factory.SubFactory(SourceFactory)

    @factory.post_generation
    def regions(self, create, regions, **kwargs):
        if regions:
            self.regions.set(regions)


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    region = factory.SubFactory(RegencyFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    as_of = datetime.date(2024, 6, 30)
    value = Decimal("50.00")
    source = factory.SubFactory(SourceFactory)
    status = Measurement.Status.PUBLISHED


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def permissions(self, create, codenames, **kwargs):
        """permissions=["add_measurement", …] grants those coverage permissions."""
        if codenames:
            self.user_permissions.add(
                *Permission.objects.filter(content_type__app_label="coverage", codename__in=codenames)
            )

    @factory.post_generation
    def token(self, create, extracted, **kwargs):
        Token.objects.get_or_create(user=self)


class RegionGrantFactory(DjangoModelFactory):
    """A grant of ``region`` (and everything below it) to ``user``: RegionGrantFactory(user=…, region=…)."""

    class Meta:
        model = RegionGrant

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegencyFactory)


def client_key(user=None, *, scope=ClientKey.Scope.READ_WRITE, regions=(), name=None) -> tuple[ClientKey, str]:
    """A new API key of ``user`` (a new account if None), narrowed to ``regions`` (codes) if given: (the stored key,
    the key itself, which only its holder ever sees), made as the admin and the command make one."""
    user = user if user is not None else UserFactory()
    key_obj, key = ClientKey.objects.create_key(name=name or f"{user.username} app", user=user, scope=scope)
    if regions:
        key_obj.regions.set(Region.objects.filter(code__in=regions))
    return key_obj, key
