"""Each series' latest figure: chosen in one query, and kept precomputed (``is_latest``) for published figures."""

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from ..models import Measurement


def latest_measurements(queryset: QuerySet[Measurement], *, series=None) -> QuerySet[Measurement]:
    """The most recent row per (region, indicator) among the rows of ``queryset`` (per (``series``, indicator) given
    an expression naming each row's series: coverage.regions.lineage.series_code).

    One query either way: ``DISTINCT ON`` on PostgreSQL, a ``ROW_NUMBER()`` window elsewhere.
    The result keeps the ordering and joins of ``queryset``.
    """
    candidates = queryset.order_by()
    if connection.vendor == "postgresql" and series is None:
        latest_ids = candidates.order_by("region_id", "indicator_id", "-as_of").distinct("region_id", "indicator_id")
    else:  # DISTINCT ON takes fields, not expressions
        partition = [F("region_id") if series is None else series, F("indicator_id")]
        latest_ids = candidates.annotate(
            recency=Window(RowNumber(), partition_by=partition, order_by=F("as_of").desc())
        ).filter(recency=1)
    return queryset.filter(pk__in=latest_ids.values("pk"))


LATEST_LOCK = 640_001  # advisory lock key of refresh_latest


def refresh_latest(series) -> None:
    """Recompute ``is_latest`` for these (region_id, indicator_id) series: two UPDATEs, whatever their number."""
    series = {pair for pair in series if None not in pair}
    if not series:
        return
    if len(series) > 200:
        scope = Measurement.objects.filter(
            region_id__any_of={r for r, _ in series}, indicator_id__any_of={i for _, i in series}
        )
    else:
        scope = Measurement.objects.filter(reduce(or_, (Q(region_id=r, indicator_id=i) for r, i in series)))
    if connection.vendor == "postgresql":
        # One recomputation at a time: two transactions publishing in the same series must not both crown
        # their own figure (SQLite serializes writers by itself).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LATEST_LOCK])
    winners = latest_measurements(scope.filter(status=Measurement.Status.PUBLISHED)).values("pk")
    scope.filter(is_latest=True).exclude(pk__in=winners).update(is_latest=False)
    scope.filter(pk__in=winners, is_latest=False).update(is_latest=True)
