"""Read logic beyond CRUD."""

from django.db import connection
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from .models import Measurement


def latest_measurements(queryset: QuerySet[Measurement]) -> QuerySet[Measurement]:
    """The most recent row per (region, indicator) among the rows of ``queryset``.

    One query either way: ``DISTINCT ON`` on PostgreSQL, a ``ROW_NUMBER()`` window elsewhere.
    The result keeps the ordering and joins of ``queryset``.
    """
    candidates = queryset.order_by()
    if connection.vendor == "postgresql":
        latest_ids = candidates.order_by("region_id", "indicator_id", "-as_of").distinct("region_id", "indicator_id")
    else:
        latest_ids = candidates.annotate(
            recency=Window(RowNumber(), partition_by=[F("region_id"), F("indicator_id")], order_by=F("as_of").desc())
        ).filter(recency=1)
    return queryset.filter(pk__in=latest_ids.values("pk"))
