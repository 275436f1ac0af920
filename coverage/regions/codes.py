"""Region codes as clients send them: one check for every door (filters, writes, imports, the dashboard).

The service names regions by Kemendagri code (kode wilayah: 64, 64.71, 64.71.01, 64.71.01.1001). BPS codes look
alike without the dots (6471, 6471010) but name other regions: Kutai Barat is 64.07 at Kemendagri and 6402 at
BPS, while 64.02 is Kutai Kartanegara. A code of BPS shape is therefore refused with a code of its own, and never
turned into a dotted code by guessing.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import REGION_CODE_PATTERNS, REGION_CODE_RE, Region
from . import crosswalk

KEMENDAGRI_CODE = re.compile(REGION_CODE_RE)
UNKNOWN_REGION = _("Unknown region code: %(value)s.")
# A BPS kabupaten/kota, kecamatan or desa code: 4, 7 or 10 digits. Two digits stay Kemendagri province codes.
BPS_CODE = re.compile(r"[0-9]{4}(?:[0-9]{3}(?:[0-9]{3})?)?")


def check_region_code(code) -> str:
    """``code`` if it has the shape of a Kemendagri region code, else ValidationError (code ``bps_code`` for a BPS
    code, ``invalid_code`` for anything else). Whether the region exists is not asked here."""
    text = code if isinstance(code, str) else str(code)
    if KEMENDAGRI_CODE.fullmatch(text):
        return text
    if BPS_CODE.fullmatch(text):
        raise bps_code_given(text)
    raise ValidationError(
        _("%(value)s is not a Kemendagri region code (e.g. 64 or 64.71)."),
        code="invalid_code",
        params={"value": text[:50]},
    )


def bps_code_given(code: str, *, in_path: bool = False) -> ValidationError:
    """A BPS code where a Kemendagri code was expected: the error names the region the crosswalk says it stands for
    (never a code made by adding dots: 64.02 is another kabupaten than BPS 6402)."""
    regions = crosswalk.regions_of([code]).get(code, [])
    params = {"value": code}
    if len(regions) == 1:
        params |= {"name": Region.objects.filter(code=regions[0]).values_list("name", flat=True).first()}
        params |= {"code": regions[0]}
        if in_path:  # paths always take Kemendagri codes
            message = _("%(value)s is a BPS code: %(name)s is %(code)s; paths take Kemendagri codes.")
        else:
            message = _("%(value)s is a BPS code: %(name)s is %(code)s; send code_system=bps to use BPS codes.")
    elif in_path:
        message = _("%(value)s looks like a BPS code; paths take Kemendagri codes (kode wilayah), such as 64.71.")
    else:
        message = _(
            "%(value)s looks like a BPS code. This service names regions by Kemendagri code (kode wilayah), "
            "with dots, such as 64.71; send code_system=bps to use BPS codes (BPS and Kemendagri codes differ: never "
            "add dots to a BPS code)."
        )
    return ValidationError(message, code="bps_code", params=params)


def is_code_of_level(code: str, level: int) -> bool:
    """Whether ``code`` has the shape of a Kemendagri code of ``level`` (any of its kinds: 64.01 a kabupaten, 64.71 a
    kota), for the reference files load_regions reads."""
    kinds = [kind for kind, of_level in Region.LEVEL_OF_KIND.items() if of_level == level]
    return any(re.match(REGION_CODE_PATTERNS[kind], code) for kind in kinds)
