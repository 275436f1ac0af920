"""Region codes of BPS: which Kemendagri code a BPS code stands for, by the crosswalk load_regions loads
(coverage.models.BpsCode). One rule for every door that takes region codes with ``code_system=bps`` (filters of
lists and answers, CSV exports, imports through the API, the admin and the command): an unknown BPS code, or one
standing for several Kemendagri codes, is refused by name, never guessed."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import BPS_CODE_RE, BpsCode

KEMENDAGRI = "kemendagri"
BPS = "bps"
CODE_SYSTEMS = (KEMENDAGRI, BPS)
BPS_CODE = re.compile(BPS_CODE_RE)


def regions_of(bps_codes) -> dict[str, list[str]]:
    """The Kemendagri codes each of ``bps_codes`` stands for (none for an unknown one), in one query."""
    wanted = {code for code in bps_codes if BPS_CODE.fullmatch(code)}
    found = {code: [] for code in wanted}
    for code, region in (
        BpsCode.objects.filter(code__in=wanted).order_by("code", "region").values_list("code", "region")
    ):
        found[code].append(region)
    return found


def from_bps(bps_codes, *, found=None) -> list[str]:
    """The Kemendagri code of each of ``bps_codes``, in order; ValidationError (``unknown_bps_code``,
    ``ambiguous_bps_code``) naming the first that stands for none or for several. ``found``: regions_of() of them,
    if already asked."""
    found = regions_of(bps_codes) if found is None else found
    codes = []
    for code in bps_codes:
        regions = found.get(code, [])
        if not regions:
            raise ValidationError(unknown_bps_code(code))
        if len(regions) > 1:
            raise ValidationError(ambiguous_bps_code(code, regions))
        codes.append(regions[0])
    return codes


def unknown_bps_code(code) -> ValidationError:
    return ValidationError(
        _("%(value)s is not a BPS code the crosswalk knows (BPS codes are digits without dots, such as 6402)."),
        code="unknown_bps_code",
        params={"value": str(code)[:50]},
    )


def ambiguous_bps_code(code, regions) -> ValidationError:
    return ValidationError(
        _("BPS code %(value)s stands for several Kemendagri regions (%(regions)s): name one by its Kemendagri code."),
        code="ambiguous_bps_code",
        params={"value": code, "regions": ", ".join(regions)},
    )
