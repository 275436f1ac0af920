"""Regions, indicators, sources, national targets and the dated coverage figures.

Every rule that keeps a figure meaningful is a database constraint as well as a validation
in ``clean()``: the constraint guarantees it on every path (API, admin, import, shell), the
validation names the field and the problem for a person.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Abs, Left
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager
from simple_history.models import HistoricalRecords

# Kemendagri region codes (kode wilayah), per level and kind. Kabupaten use 01–69 in the second
# segment and kota 71–99; BPS statistical codes look alike but differ, so the shape alone cannot
# tell them apart — the region list can (see load_regions).
REGION_CODE_PATTERNS = {
    "province": r"^[0-9]{2}$",
    "regency": r"^[0-9]{2}\.(0[1-9]|[1-6][0-9])$",
    "city": r"^[0-9]{2}\.(7[1-9]|[89][0-9])$",
    "district": r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$",
    "village": r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$",
}
# Any region code, for validating codes in URLs and filters before they reach the database.
REGION_CODE_RE = r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?"
INDICATOR_CODE_RE = r"[a-z0-9]+(?:-[a-z0-9]+)*"

PERCENT_MAX = Decimal("999.99")
EARLIEST_DATE = datetime.date(1900, 1, 1)
# The largest count of people a figure may name: more than any population the counts describe (Indonesia's is under
# 3·10^8), and small enough that 100·n and value·d stay far inside the database's integers.
MAX_COUNT = 10**9
count_validators = [
    MaxValueValidator(MAX_COUNT, message=_("A count of people is at most 1,000,000,000 (10^9).")),
]
percent_validators = [
    MinValueValidator(Decimal("0"), message=_("A percentage cannot be negative.")),
    MaxValueValidator(PERCENT_MAX, message=_("A percentage must be below 1000.")),
]


def percentage(numerator: int, denominator: int) -> Decimal:
    """100·numerator/denominator rounded half-up to 2 places, the way coverage is published."""
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Door(models.TextChoices):
    """How a change came in, recorded with every historical row."""

    API = "api", _("API")
    ADMIN = "admin", _("admin")
    IMPORT = "import", _("import")
    COMMAND = "command", _("command")
    FIXTURE = "fixture", _("fixture")


class HistoryDoor(models.Model):
    """Extra columns of every historical table: the door a change came through and the API key it came with, if
    any (see coverage.history)."""

    history_door = models.CharField(_("door"), max_length=8, choices=Door.choices, default=Door.COMMAND)
    history_api_key = models.CharField(
        _("API key"),
        max_length=8,
        blank=True,
        default="",
        db_default="",  # history rows written in bulk (COPY) that leave it out
        help_text=_("Prefix of the API key the change came with."),
    )

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A version number that every save increments: the ETag of the API and the edit token of the admin."""

    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Increases with every change; the ETag of the row.")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


def history(**options):
    return HistoricalRecords(bases=[HistoryDoor], **options)


class CodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Region(Versioned):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        REGENCY_CITY = 2, _("regency/city")
        DISTRICT = 3, _("district")
        VILLAGE = 4, _("village")

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province (provinsi)")
        REGENCY = "regency", _("regency (kabupaten)")
        CITY = "city", _("city (kota)")
        DISTRICT = "district", _("district (kecamatan)")
        VILLAGE = "village", _("village (desa/kelurahan)")

    LEVEL_OF_KIND = {
        Kind.PROVINCE: Level.PROVINCE,
        Kind.REGENCY: Level.REGENCY_CITY,
        Kind.CITY: Level.REGENCY_CITY,
        Kind.DISTRICT: Level.DISTRICT,
        Kind.VILLAGE: Level.VILLAGE,
    }
    CODE_EXAMPLES = {
        Kind.PROVINCE: "64",
        Kind.REGENCY: "64.01",
        Kind.CITY: "64.71",
        Kind.DISTRICT: "64.71.01",
        Kind.VILLAGE: "64.71.01.1001",
    }
    # Length of the parent's code for each level: the code minus its last segment.
    PARENT_CODE_LENGTH = {Level.REGENCY_CITY: 2, Level.DISTRICT: 5, Level.VILLAGE: 8}

    code = models.CharField(
        _("code"),
        max_length=13,
        unique=True,
        validators=[RegexValidator(f"^{REGION_CODE_RE}$", _("Enter a Kemendagri region code such as 64 or 64.71."))],
        help_text=_("Kemendagri region code (kode wilayah): 64, 64.71, 64.71.01 or 64.71.01.1001. Not a BPS code."),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Official name, e.g. Kota Balikpapan."))
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=Level.choices,
        help_text=_("1 province, 2 regency/city, 3 district (kecamatan), 4 village (desa/kelurahan)."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        to_field="code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
        help_text=_("Code of the region one level up; empty for a province."),
    )
    population = models.PositiveBigIntegerField(
        _("population"), null=True, blank=True, help_text=_("Number of residents, for weighting.")
    )
    population_as_of = models.DateField(
        _("population as of"), null=True, blank=True, help_text=_("Reference date of the population figure.")
    )

    objects = CodeManager()
    history = history()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="region_kind_matches_level",
                condition=(
                    Q(level=1, kind="province")
                    | Q(level=2, kind__in=["regency", "city"])
                    | Q(level=3, kind="district")
                    | Q(level=4, kind="village")
                ),
                violation_error_message=_("The kind does not match the level."),
            ),
            models.CheckConstraint(
                name="region_code_matches_kind",
                condition=(
                    Q(kind="province", code__regex=REGION_CODE_PATTERNS["province"])
                    | Q(kind="regency", code__regex=REGION_CODE_PATTERNS["regency"])
                    | Q(kind="city", code__regex=REGION_CODE_PATTERNS["city"])
                    | Q(kind="district", code__regex=REGION_CODE_PATTERNS["district"])
                    | Q(kind="village", code__regex=REGION_CODE_PATTERNS["village"])
                ),
                violation_error_message=_("The code does not have the shape of its kind."),
            ),
            models.CheckConstraint(
                name="region_code_extends_parent",
                condition=(
                    Q(level=1, parent__isnull=True)
                    # parent__isnull=False: a NULL comparison would let the CHECK pass.
                    | Q(level=2, parent__isnull=False, parent=Left("code", 2))
                    | Q(level=3, parent__isnull=False, parent=Left("code", 5))
                    | Q(level=4, parent__isnull=False, parent=Left("code", 8))
                ),
                violation_error_message=_("The code must be the parent's code plus one segment."),
            ),
        ]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (self.code,)

    def clean(self):
        errors = {}
        if self.kind and self.level and self.LEVEL_OF_KIND.get(self.kind) != self.level:
            errors["kind"] = ValidationError(
                _("A %(kind)s is a level-%(level)s region."),
                code="kind_level_mismatch",
                params={"kind": self.get_kind_display(), "level": self.LEVEL_OF_KIND.get(self.kind)},
            )
        pattern = REGION_CODE_PATTERNS.get(self.kind)
        if self.code and pattern and not re.match(pattern, self.code):
            errors["code"] = ValidationError(
                _("%(code)s is not the code of a %(kind)s (e.g. %(example)s)."),
                code="code_kind_mismatch",
                params={"code": self.code, "kind": self.get_kind_display(), "example": self.CODE_EXAMPLES[self.kind]},
            )
        if self.level == self.Level.PROVINCE and self.parent_id:
            errors["parent"] = ValidationError(_("A province has no parent."), code="province_with_parent")
        elif self.level and self.level != self.Level.PROVINCE:
            expected_parent = self.code[: self.PARENT_CODE_LENGTH[self.level]] if self.code else None
            if not self.parent_id:
                errors["parent"] = ValidationError(
                    _("A region below a province needs a parent."), code="parent_required"
                )
            elif self.code and "code" not in errors and self.parent_id != expected_parent:
                errors["parent"] = ValidationError(
                    _("The parent of %(code)s is %(expected)s, not %(parent)s."),
                    code="wrong_parent",
                    params={"code": self.code, "expected": expected_parent, "parent": self.parent_id},
                )
        if errors:
            raise ValidationError(errors)


class Indicator(Versioned):
    class Unit(models.TextChoices):
        PERCENT = "percent", _("percent")

    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("Stable identifier used in URLs and filters, e.g. kia-ownership."),
    )
    name = models.CharField(_("name (Indonesian)"), max_length=200, help_text=_("Name in Bahasa Indonesia."))
    name_en = models.CharField(_("name (English)"), max_length=200, help_text=_("Name in English."))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.PERCENT)
    population = models.CharField(
        _("population base"),
        max_length=300,
        help_text=_("What the denominator counts, e.g. residents obliged to hold a KTP-el (wajib KTP)."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("What the indicator measures."))
    higher_is_better = models.BooleanField(
        _("higher is better"), default=True, help_text=_("Whether a higher value ranks better.")
    )

    objects = CodeManager()
    history = history()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="indicator_code_is_slug",
                condition=Q(code__regex=f"^{INDICATOR_CODE_RE}$"),
                violation_error_message=_("The code must be lowercase letters and digits joined by hyphens."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def clean(self):
        if self.code and not re.fullmatch(INDICATOR_CODE_RE, self.code):
            raise ValidationError(
                {
                    "code": ValidationError(
                        _("Use lowercase letters and digits joined by single hyphens, e.g. kia-ownership."),
                        code="invalid_code",
                    )
                }
            )


class SourceManager(models.Manager):
    def get_by_natural_key(self, title, publisher, published_on):
        return self.get(title=title, publisher=publisher, published_on=published_on)


class Source(Versioned):
    title = models.CharField(_("title"), max_length=300, help_text=_("Title of the publication."))
    publisher = models.CharField(
        _("publisher"), max_length=200, help_text=_("Who published it, e.g. DKP3A Provinsi Kalimantan Timur.")
    )
    url = models.URLField(_("URL"), max_length=500, blank=True, help_text=_("Where it can be read; may be blank."))
    published_on = models.DateField(_("published on"), help_text=_("Publication date."))
    note = models.TextField(
        _("note"), blank=True, help_text=_("Context: who said it, where, and what the figures refer to.")
    )

    objects = SourceManager()
    history = history()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["title", "publisher", "published_on"], name="source_unique_publication"),
        ]

    def __str__(self):
        return f"{self.title} ({self.publisher}, {self.published_on:%Y-%m-%d})"

    def natural_key(self):
        return (self.title, self.publisher, self.published_on.isoformat())


class NationalTargetManager(models.Manager):
    def get_by_natural_key(self, indicator_code, year):
        return self.get(indicator__code=indicator_code, year=year)


class NationalTarget(Versioned):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=_("Target year.")
    )
    value = models.DecimalField(
        _("value"), max_digits=5, decimal_places=2, validators=percent_validators, help_text=_("Target, in percent.")
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("source"),
        help_text=_("Id of the source that sets the target."),
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the target was recorded."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, help_text=_("When the target last changed."))

    objects = NationalTargetManager()
    history = history()

    class Meta:
        verbose_name = _("national target")
        verbose_name_plural = _("national targets")
        ordering = ["indicator__code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="target_unique_indicator_year",
                violation_error_message=_("This indicator already has a target for this year."),
            ),
            models.CheckConstraint(
                name="target_value_range",
                condition=Q(value__gte=0, value__lt=1000),
                violation_error_message=_("A target must be at least 0 and below 1000."),
            ),
            models.CheckConstraint(
                name="target_year_range",
                condition=Q(year__gte=2000, year__lte=2100),
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.year}: {self.value}"

    def natural_key(self):
        return (*self.indicator.natural_key(), self.year)

    natural_key.dependencies = ["coverage.indicator"]


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
            models.Index(fields=["indicator", "as_of"], name="measurement_indicator_as_of"),
            models.Index(fields=["updated_at"], name="measurement_updated_at"),
            # Nearly every figure is published: an index of all statuses would only slow imports down; the few
            # drafts and verified figures (the admin's and editors' lists) are found through this one.
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


class PartnershipManager(models.Manager):
    def get_by_natural_key(self, name, indicator_code):
        return self.get(name=name, indicator__code=indicator_code)


class Partnership(models.Model):
    """A programme that gives an indicator's card holders something in return, e.g. KIA discounts at businesses."""

    name = models.CharField(_("programme name"), max_length=200, help_text=_("Name of the programme."))
    description = models.TextField(_("description"), help_text=_("What card holders get, and from whom."))
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("indicator"),
        help_text=_("Code of the indicator the programme supports."),
    )
    regions = models.ManyToManyField(
        Region,
        related_name="partnerships",
        verbose_name=_("regions"),
        help_text=_("Codes of the regions where the programme runs."),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("source"),
        help_text=_("Id of the source that reports the programme."),
    )

    objects = PartnershipManager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "indicator"], name="partnership_unique_name")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name, *self.indicator.natural_key())

    natural_key.dependencies = ["coverage.indicator"]


class DataVersion(models.Model):
    """One row whose number every write increments, inside the write's own transaction: readers never see a new
    number before the data it stands for. The ETag of every list and answer, and the key of the response cache."""

    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return str(self.version)


class RegionGrant(models.Model):
    """A region (and everything below it) a user acts in: writes figures of, and sees the drafts of (given the
    permissions). A user with no grant acts nationally with coverage.edit_all_regions, and nowhere without it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_grants", verbose_name=_("user")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"), to_field="code"
    )

    class Meta:
        verbose_name = _("region grant")
        verbose_name_plural = _("region grants")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="region_grant_unique")]

    def __str__(self):
        return f"{self.user} → {self.region_id}"


class ClientKeyManager(APIKeyManager):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("user")


class ClientKey(AbstractAPIKey):
    """The API key of one client app (djangorestframework-api-key: only a hash is stored; the key is shown once,
    when it is made). The key acts for an account and can do at most what that account may: read only, or read
    and write, and only within its own regions if it names any."""

    class Scope(models.TextChoices):
        READ = "read", _("read")
        READ_WRITE = "read-write", _("read and write")

    objects = ClientKeyManager()

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("account"),
        help_text=_("The account the app acts as: its permissions and region grants bound what the key can do."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name=_("regions"),
        help_text=_("Write only figures of these regions and below. Empty: every region the account may write."),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [models.CheckConstraint(condition=Q(scope__in=["read", "read-write"]), name="client_key_scope")]
