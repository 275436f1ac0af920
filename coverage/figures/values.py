"""The shapes of the values clients send for a figure, checked the same way at every door (filters, writes, imports)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import INDICATOR_CODE_RE

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A moment as RFC 3339 writes it (ISO 8601 with its offset): 2024-06-21T00:00:00Z, 2024-06-21T08:00:00.5+08:00.
MOMENT_AFTER_YEAR = r"-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
MOMENT = re.compile(r"[0-9]{4}" + MOMENT_AFTER_YEAR)
# Moments a client may name: beyond these years, time zone arithmetic overflows.
MOMENT_YEARS = (1900, 2100)
INDICATOR_CODE = re.compile(INDICATOR_CODE_RE)
UNKNOWN_INDICATOR = _("Unknown indicator code: %(value)s.")


def parse_iso_date(text: str) -> datetime.date | None:
    """The date ``text`` names as YYYY-MM-DD, exactly (``2024-6-13`` is not one), or None."""
    if not isinstance(text, str) or not ISO_DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_moment(text: str) -> datetime.datetime | None:
    """The moment ``text`` names as RFC 3339 (with its offset: a moment without one would mean another instant in
    every time zone), or None."""
    if not isinstance(text, str) or not MOMENT.fullmatch(text):
        return None
    try:
        return datetime.datetime.fromisoformat(text.upper())
    except ValueError:
        return None


def check_indicator_code(code) -> str:
    """``code`` if it has the shape of an indicator code, else ValidationError ``invalid_code``."""
    text = code if isinstance(code, str) else str(code)
    if INDICATOR_CODE.fullmatch(text):
        return text
    raise ValidationError(
        _("%(value)s is not an indicator code (e.g. kia-ownership)."), code="invalid_code", params={"value": text[:50]}
    )
