"""Each series' latest figure: chosen in one query, and kept precomputed (``is_latest``) for published figures."""

from functools import reduce
from operator import or_

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from ..models import Measurement, Region
from ..models.base import PROVINCE_OF_SQL


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


# Advisory locks of is_latest upkeep: (LATEST_LOCKS, indicator id × 100 + province number), one per indicator and
# province. Two transactions that publish in the same series take the same lock; writers in other provinces, or of
# other indicators, never wait for each other.
LATEST_LOCKS = 640_001


def lock_series(regions=(), indicators=(), *, plan_sql=None, params=()) -> None:
    """Hold (until commit) the is_latest locks of every series of these regions and indicators (primary keys), or of
    the (region_id, indicator_id) series a SQL query gives (``plan_sql``), taken in ascending order so that two
    writers never deadlock on them. Writers call this before they change a figure that is or was published, and
    refresh_latest again (a lock held is taken at once): no writer waits for one while holding rows that another
    recomputation needs. One statement; nothing on SQLite, which serializes writers by itself."""
    if connection.vendor != "postgresql":
        return
    if plan_sql is None:
        regions, indicators = sorted(set(regions) - {None}), sorted(set(indicators) - {None})
        if not regions or not indicators:
            return
        plan_sql = "SELECT * FROM unnest(%s::integer[]) AS r(region_id), unnest(%s::integer[]) AS i(indicator_id)"
        params = (regions, indicators)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(pg_advisory_xact_lock({LATEST_LOCKS}, k)) FROM (
                SELECT DISTINCT (s.indicator_id * 100 + {PROVINCE_OF_SQL.format("r.code")}::integer)::integer AS k
                FROM ({plan_sql}) AS s JOIN {Region._meta.db_table} r ON r.id = s.region_id
                ORDER BY k
            ) AS keys
            """,
            params,
        )


def lock_series_of(figures: QuerySet[Measurement]) -> None:
    """The is_latest locks of the series these stored figures are in, all at once and in order: taken before a
    write locks their rows (a change or a deletion through the API or the admin, a bulk deletion)."""
    try:
        sql, params = figures.order_by().values("region_id", "indicator_id").query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets (an id beyond any column's range): no figure, no lock
        return
    lock_series(plan_sql=sql, params=params)


def refresh_latest(series, *, locked=False) -> None:
    """Recompute ``is_latest`` for these (region_id, indicator_id) series: two UPDATEs, whatever their number.
    ``locked``: the caller took their locks already (lock_series, before it wrote)."""
    series = {pair for pair in series if None not in pair}
    if not series:
        return
    if len(series) > 200:
        scope = Measurement.objects.filter(
            region_id__any_of={r for r, _ in series}, indicator_id__any_of={i for _, i in series}
        )
    else:
        scope = Measurement.objects.filter(reduce(or_, (Q(region_id=r, indicator_id=i) for r, i in series)))
    # One recomputation per series at a time: two transactions publishing in the same series must not both crown
    # their own figure. Every series of these regions and indicators: the scope above may hold more than those asked.
    if not locked:
        lock_series({r for r, _ in series}, {i for _, i in series})
    winners = latest_measurements(scope.filter(status=Measurement.Status.PUBLISHED)).values("pk")
    scope.filter(is_latest=True).exclude(pk__in=winners).update(is_latest=False)
    scope.filter(pk__in=winners, is_latest=False).update(is_latest=True)
