"""What every model of the app shares: the shapes of codes, the bounds of figures, the version every save
increments and the change history with its door."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
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
def province_of(code: str) -> str:
    """The two-digit code of the province a region lies in: its code's first two digits (a child's code extends its
    parent's: coverage.models.regions checks it). In SQL: PROVINCE_OF_SQL.format(column)."""
    return code[:2]


PROVINCE_OF_SQL = "left({}, 2)"
REGION_CODE_RE = r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?"
# A BPS region code: 2 digits (province), 4 (kabupaten/kota), 7 (kecamatan) or 10 (desa), no dots.
BPS_CODE_RE = r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{3}(?:[0-9]{3})?)?)?"
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
    any (see coverage.models.history)."""

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
