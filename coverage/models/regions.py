"""Regions: provinces, kabupaten/kota, kecamatan, desa/kelurahan, by Kemendagri code."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.utils.translation import gettext_lazy as _

from .base import BPS_CODE_RE, REGION_CODE_PATTERNS, REGION_CODE_RE, CodeManager, Versioned, history


def valid_on_q(day, prefix: str = "", *, until=None) -> Q:
    """The regions whose code named them on ``day`` (a date or an expression such as OuterRef("as_of")), or on some
    day from ``day`` to ``until``: ``valid_from`` on or before it, ``valid_until`` after it (exclusive).
    Region.valid_on is the same rule in Python."""
    last = day if until is None else until
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": last})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


VALID_FROM_HELP = _("First day the code names this region (a code made when a province was split); empty: always.")
VALID_UNTIL_HELP = _(
    "The day the code stopped naming this region (exclusive: its region took another code that day, see its lineage); "
    "empty: current."
)


class RegionQuerySet(models.QuerySet):
    def valid_on(self, day):
        """The regions whose code named them on ``day``: today's regions for today (answers rank and count these)."""
        return self.filter(valid_on_q(day))


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
    bps_code = models.CharField(  # noqa: DJ001 (null: BPS has none, as the API says it)
        _("BPS code"),
        max_length=10,
        null=True,
        blank=True,
        validators=[RegexValidator(f"^{BPS_CODE_RE}$", _("Enter a BPS code: 2, 4, 7 or 10 digits, no dots."))],
        help_text=_(
            "The region's code at BPS (kode BPS, e.g. 6402 for Kabupaten Kutai Barat, 64.07 here), from the BPS "
            "crosswalk that load_regions loads; empty where BPS has none. Not a Kemendagri code."
        ),
    )
    # The days the code named this region (coverage.regions.lineage): empty bounds are open.
    valid_from = models.DateField(_("valid from"), null=True, blank=True, help_text=VALID_FROM_HELP)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=VALID_UNTIL_HELP)

    objects = CodeManager.from_queryset(RegionQuerySet)()
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

    def valid_on(self, day) -> bool:
        """Whether the code named this region on ``day`` (valid_on_q in Python)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )

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


class BpsCode(models.Model):
    """One pair of the BPS ↔ Kemendagri crosswalk (fixtures/bps-crosswalk, loaded by load_regions): the BPS code
    ``code`` stands for ``region``. A region may have two (BPS counts two kecamatan where Kemendagri counts one);
    a BPS code with pairs to two regions is ambiguous, and answered as such, never guessed. ``Region.bps_code`` is
    the region's own one."""

    code = models.CharField(
        _("BPS code"),
        max_length=10,
        validators=[RegexValidator(f"^{BPS_CODE_RE}$", _("Enter a BPS code: 2, 4, 7 or 10 digits, no dots."))],
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="bps_codes", verbose_name=_("region"), to_field="code"
    )
    name = models.CharField(_("name at BPS"), max_length=100)

    class Meta:
        verbose_name = _("BPS code")
        verbose_name_plural = _("BPS codes")
        ordering = ["code", "region"]
        # Its index also serves lookups by BPS code.
        constraints = [models.UniqueConstraint(fields=["code", "region"], name="bps_code_region_unique")]

    def __str__(self):
        return f"{self.code} → {self.region_id}"


class RegionChange(models.Model):
    """A change of Kemendagri codes (fixtures/lineage, loaded by load_regions): ``split``, part of the old province
    became the new one (the old continues under its code); ``recode``, the same kabupaten/kota under a new code from
    ``effective`` (its kecamatan and desa recoded with it by prefix: coverage.regions.lineage)."""

    class Kind(models.TextChoices):
        SPLIT = "split", _("split")
        RECODE = "recode", _("recode")

    old = models.ForeignKey(
        Region, on_delete=models.CASCADE, to_field="code", related_name="+", verbose_name=_("old code")
    )
    new = models.ForeignKey(
        Region, on_delete=models.CASCADE, to_field="code", related_name="+", verbose_name=_("new code")
    )
    kind = models.CharField(_("change"), max_length=6, choices=Kind.choices)
    effective = models.DateField(_("effective"), help_text=_("The day the law took effect."))
    legal_basis = models.CharField(_("legal basis"), max_length=200)

    class Meta:
        verbose_name = _("region code change")
        verbose_name_plural = _("region code changes")
        ordering = ["effective", "old", "new"]
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="region_change_unique")]

    def __str__(self):
        return f"{self.old_id} → {self.new_id} ({self.kind}, {self.effective})"
