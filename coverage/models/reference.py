"""What figures are about and where they come from: indicators, sources, national targets, partnerships."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import INDICATOR_CODE_RE, CodeManager, Versioned, history, percent_validators
from .regions import Region


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
