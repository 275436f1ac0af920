"""Factories for tests only: every figure they make is synthetic."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Permission, User
from factory.django import DjangoModelFactory
from rest_framework.authtoken.models import Token

from coverage.models import Indicator, Measurement, NationalTarget, Region, Source


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
