"""The app's models, one module per subject: base (codes, bounds, the version every save moves), regions,
reference (indicators, sources, targets, partnerships), figures (the dated measurements), access (grants, keys),
versions (the data versions) and history (the door of every change). The rest of the code imports from
``coverage.models``."""

from . import lookups  # noqa: F401  (registers the any_of lookup)
from .access import ClientKey, RegionGrant
from .base import (
    BPS_CODE_RE,
    EARLIEST_DATE,
    INDICATOR_CODE_RE,
    MAX_COUNT,
    PERCENT_MAX,
    REGION_CODE_PATTERNS,
    REGION_CODE_RE,
    Door,
    HistoryDoor,
    Versioned,
    percent_validators,
    percentage,
)
from .figures import Measurement
from .reference import Indicator, NationalTarget, Partnership, Source
from .regions import BpsCode, Region, RegionChange, valid_on_q
from .versions import DataVersion

__all__ = [
    "BPS_CODE_RE",
    "EARLIEST_DATE",
    "INDICATOR_CODE_RE",
    "MAX_COUNT",
    "PERCENT_MAX",
    "REGION_CODE_PATTERNS",
    "REGION_CODE_RE",
    "BpsCode",
    "ClientKey",
    "DataVersion",
    "Door",
    "HistoryDoor",
    "Indicator",
    "Measurement",
    "NationalTarget",
    "Partnership",
    "Region",
    "RegionChange",
    "RegionGrant",
    "Source",
    "Versioned",
    "percent_validators",
    "percentage",
    "valid_on_q",
]
