"""Which (indicator, region level, date) combinations have figures, and for how many regions."""

from django.db.models import (
    Count,
    F,
    QuerySet,
)

from ..models import Measurement


def availability(queryset: QuerySet[Measurement]) -> QuerySet:
    """How many figures exist per (indicator, region level, date) among ``queryset``."""
    return (
        queryset.order_by()
        .values("as_of", indicator_code=F("indicator__code"), level=F("region__level"))
        .annotate(regions=Count("id"))
        .order_by("indicator_code", "level", "as_of")
    )
