"""The API's views: one module per resource, the docs pages, and the error handlers for /api/."""

from .indicators import IndicatorViewSet
from .measurements import MeasurementViewSet
from .records import AvailabilityViewSet, NationalTargetViewSet, PartnershipViewSet, SourceViewSet
from .regions import RegionViewSet

__all__ = [
    "AvailabilityViewSet",
    "IndicatorViewSet",
    "MeasurementViewSet",
    "NationalTargetViewSet",
    "PartnershipViewSet",
    "RegionViewSet",
    "SourceViewSet",
]
