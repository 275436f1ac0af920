"""The dated coverage figures.

Every rule that keeps a figure meaningful is a database constraint as well as a validation in ``clean()``: the
constraint guarantees it on every path (API, admin, import, shell), the validation names the field and the problem
for a person."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Abs
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import (
    EARLIEST_DATE,
    MAX_COUNT,
    PERCENT_MAX,
    Versioned,
    count_validators,
    history,
    percent_validators,
    percentage,
)
from .reference import Indicator, Source
from .regions import Region


class MeasurementManager(models.Manager):
    def get_by_natural_key(self, region_code, indicator_code, as_of):
        return self.get(region__code=region_code, indicator__code=indicator_code, as_of=as_of)


class Measurement(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        VERIFIED = "verified", _("verified")
        PUBLISHED = "published", _("published")

    # No index of their own: the unique (region, indicator, as_of) and the (indicator, as_of) indexes start with them.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("region"), db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("indicator"), db_index=False
    )
    as_of = models.DateField(_("as of"), help_text=_("The date the figure describes (per tanggal), e.g. 2024-06-13."))
    value = models.DecimalField(
        _("value"),
        max_digits=5,
        decimal_places=2,
        validators=percent_validators,
        help_text=_(
            "Coverage in percent, 2 decimal places, at least 0 and below 1000. Values above 100 are legal "
            "(published coverage exceeds 100 when the denominator was a projection)."
        ),
    )
    numerator = models.PositiveBigIntegerField(
        _("numerator"),
        null=True,
        blank=True,
        validators=count_validators,
        help_text=_("Count covered (e.g. children holding a KIA), if known; at most 10^9."),
    )
    denominator = models.PositiveBigIntegerField(
        _("denominator"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1, message=_("The denominator must be greater than 0.")), *count_validators],
        help_text=_(
            "Population counted (e.g. all children), if known; at most 10^9. When both counts are given, "
            "value = 100·n/d."
        ),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("source"),
        help_text=_("Id of the source the figure comes from."),
    )
    status = models.CharField(
        _("status"),
        max_length=9,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("draft, verified or published; anonymous readers see published figures only."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
        help_text=_("Who verified or published the figure."),
    )
    verified_at = models.DateTimeField(
        _("verified at"), null=True, blank=True, help_text=_("When the figure was verified or published.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the figure was recorded."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, help_text=_("When the figure last changed."))

    is_latest = models.BooleanField(
        _("latest"),
        default=False,
        editable=False,
        help_text=_("Derived: the region's most recent published figure for the indicator (kept current on write)."),
    )

    objects = MeasurementManager()
    # The historical rows are looked up by figure id and by date, never by region, indicator, source or verifier:
    # indexes on those would only slow every write down (an import writes one historical row per figure).
    history = history(excluded_fields=["is_latest"], no_db_index=["region", "indicator", "source", "verified_by"])

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        permissions = [
            ("publish_measurement", _("Can verify and publish figures")),
            ("view_unpublished_measurement", _("Can see draft and verified figures")),
            ("edit_all_regions", _("Can write figures of every region (unless region grants narrow it)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "indicator", "as_of"],
                name="measurement_unique_region_indicator_date",
                violation_error_message=_("This region already has a figure for this indicator on this date."),
            ),
            models.CheckConstraint(
                name="measurement_value_range",
                condition=Q(value__gte=0, value__lt=1000),
                violation_error_message=_("A percentage must be at least 0 and below 1000."),
            ),
            models.CheckConstraint(
                name="measurement_as_of_since_1900",
                condition=Q(as_of__gte=EARLIEST_DATE),
                violation_error_message=_("A figure cannot describe a date before 1900."),
            ),
            models.CheckConstraint(
                name="measurement_denominator_positive",
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                violation_error_message=_("The denominator must be greater than 0."),
            ),
            models.CheckConstraint(
                name="measurement_counts_at_most_max_count",
                condition=(Q(numerator__isnull=True) | Q(numerator__lte=MAX_COUNT))
                & (Q(denominator__isnull=True) | Q(denominator__lte=MAX_COUNT)),
                violation_error_message=_("A count of people is at most 1,000,000,000 (10^9)."),
            ),
            models.CheckConstraint(
                # value = 100·n/d rounded to 2 places, i.e. |value·d − 100·n| ≤ 0.005·d: multiplication only.
                # The bound has a hair of slack (0.0050001) so that SQLite's floating point accepts exact half-way
                # cases (13/20000 → 0.07); clean() enforces the exact half-up rounding.
                name="measurement_value_matches_counts",
                condition=(
                    Q(numerator__isnull=True)
                    | Q(denominator__isnull=True)
                    | Q(
                        LessThanOrEqual(
                            Abs(F("value") * F("denominator") - F("numerator") * Value(Decimal(100))),
                            F("denominator") * Value(Decimal("0.0050001")),
                        )
                    )
                ),
                violation_error_message=_("The value does not match 100 × numerator / denominator."),
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at"], name="measurement_updated_at"),
            # Nearly every figure is published, and every public list and answer reads published figures only: by
            # indicator and date they are found, and counted by an index-only scan, without reading each row's
            # status (a page's count of 6,624 figures: 0.7 ms, not 1.7). The few drafts and verified figures (the
            # admin's and editors' lists) are found through the second index; an index of all statuses would only
            # slow writes down.
            models.Index(
                fields=["indicator", "as_of"], condition=Q(status="published"), name="measurement_published_by_date"
            ),
            models.Index(fields=["status"], condition=~Q(status="published"), name="measurement_unpublished"),
            models.Index(fields=["indicator", "region"], condition=Q(is_latest=True), name="measurement_latest"),
        ]

    def __str__(self):
        return f"{self.region.code} {self.indicator.code} {self.as_of}: {self.value}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The (region, indicator) the row had when read: if a write moves it, both series' latest change. And its
        # status: a write that withdraws a published figure changes the public data.
        instance._loaded_series = (instance.__dict__.get("region_id"), instance.__dict__.get("indicator_id"))
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def natural_key(self):
        return (*self.region.natural_key(), *self.indicator.natural_key(), self.as_of.isoformat())

    natural_key.dependencies = ["coverage.region", "coverage.indicator"]

    def clean(self):
        errors = {}
        if self.numerator is not None and self.denominator:
            expected = percentage(self.numerator, self.denominator)
            if expected > PERCENT_MAX:
                errors["value"] = ValidationError(
                    _(
                        "100 × %(numerator)s / %(denominator)s = %(expected)s is not a possible percentage "
                        "(it must be below 1000)."
                    ),
                    code="counts_out_of_range",
                    params={"numerator": self.numerator, "denominator": self.denominator, "expected": expected},
                )
            elif self.value is None:
                self.value = expected
            elif Decimal(self.value) != expected:
                errors["value"] = ValidationError(
                    _("%(value)s does not match the counts: 100 × %(numerator)s / %(denominator)s = %(expected)s."),
                    code="value_counts_mismatch",
                    params={
                        "value": self.value,
                        "numerator": self.numerator,
                        "denominator": self.denominator,
                        "expected": expected,
                    },
                )
        if self.value is None and "value" not in errors:
            errors["value"] = ValidationError(
                _("Give the value, or both numerator and denominator to derive it from."), code="required"
            )
        if self.as_of and self.as_of > timezone.localdate() + datetime.timedelta(days=1):
            errors["as_of"] = ValidationError(
                _("%(date)s is in the future; a figure describes a date that has passed."),
                code="future_date",
                params={"date": self.as_of.isoformat()},
            )
        elif self.as_of and self.as_of < EARLIEST_DATE:
            errors["as_of"] = ValidationError(_("A figure cannot describe a date before 1900."), code="date_too_early")
        if errors:
            raise ValidationError(errors)
