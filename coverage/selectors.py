"""Read logic beyond CRUD: latest figures, ranking, target attainment, region summary, roll-up.

One place for every answer the service computes, used by the API, the dashboard and the admin, so
that "the highest", "the gap to target" and "the province from its kabupaten/kota" are computed the
same way everywhere. Every function takes a bounded number of queries, whatever the number of regions.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, reduce
from operator import or_
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .figures import access
from .models import Indicator, Measurement, NationalTarget, Region, Source, percentage


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


def latest_figures(*, regions: QuerySet[Region], as_of: datetime.date, indicators=None) -> list[Measurement]:
    """Each region's latest published figure per indicator on or before ``as_of`` (two queries)."""
    # Answers show values, dates, counts and sources, never a figure's own timestamps: left unread, they cost
    # nothing (parsing three timestamps a row was 40 % of ranking the 7,285 kecamatan).
    figures = _latest_figures(regions=regions, as_of=as_of, indicators=indicators)
    return list(figures.select_related("region", "indicator").defer(*MOMENT_COLUMNS))


class RegionName(NamedTuple):
    code: str
    name: str


@dataclass(slots=True)
class Figure:
    """A figure as a ranking shows it. For thousands of regions (the 7,285 kecamatan) a Measurement and its
    Region, built by the ORM for each, took most of the time the answer took."""

    region: RegionName
    value: Decimal
    as_of: datetime.date
    source_id: int
    rank: int | None = None


def latest_figures_of(indicator: Indicator, *, regions: QuerySet[Region], as_of: datetime.date) -> list[Figure]:
    """As latest_figures() for one indicator, as Figures (two queries)."""
    figures = _latest_figures(regions=regions, as_of=as_of, indicators=[indicator])
    rows = figures.values_list("region__code", "region__name", "value", "as_of", "source_id")
    return [Figure(RegionName(code, name), value, day, source) for code, name, value, day, source in rows]


def _latest_figures(*, regions, as_of, indicators) -> QuerySet[Measurement]:
    latest = Measurement.objects.filter(is_latest=True, region__in=regions)
    if indicators is not None:
        latest = latest.filter(indicator__in=indicators)
    if as_of >= timezone.localdate() and not latest.filter(as_of__gt=as_of).exists():
        # Every series' latest figure is on or before as_of (the usual case: as_of is today): precomputed.
        figures = latest
    else:
        figures = latest_measurements(access.public_figures().filter(region__in=regions, as_of__lte=as_of))
    if indicators is not None:
        figures = figures.filter(indicator__in=indicators)
    return figures


def better_first(figures: list[Measurement | Figure], *, higher_is_better: bool) -> list[Measurement | Figure]:
    """Sort best first by the indicator's direction and give each figure its ``rank`` (ties share a rank)."""
    ordered = sorted(figures, key=lambda f: (-f.value if higher_is_better else f.value, f.region.code))
    for position, figure in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        figure.rank = previous.rank if previous is not None and previous.value == figure.value else position
    return ordered


def extremes(figures: list[Measurement | Figure]) -> tuple[Measurement | Figure | None, Measurement | Figure | None]:
    """The highest and the lowest figure by value (ties: the lower region code)."""
    if not figures:
        return None, None
    highest = min(figures, key=lambda f: (-f.value, f.region.code))
    lowest = min(figures, key=lambda f: (f.value, f.region.code))
    return highest, lowest


@dataclass
class Ranking:
    indicator: Indicator
    as_of: datetime.date
    results: list[Figure]
    highest: Figure | None
    lowest: Figure | None

    @property
    def count(self):
        return len(self.results)


def ranking(*, indicator: Indicator, regions: QuerySet[Region], as_of: datetime.date) -> Ranking:
    """The latest figure of each region on or before ``as_of``, best first, ranked."""
    figures = better_first(
        latest_figures_of(indicator, regions=regions, as_of=as_of), higher_is_better=indicator.higher_is_better
    )
    return Ranking(indicator, as_of, figures, *extremes(figures))


class NoTarget(LookupError):
    """No national target is set for this indicator and year."""


def target_met(value: Decimal, target: Decimal, *, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


@dataclass
class Attained:
    region: Region
    figure: Measurement | None
    gap: Decimal | None
    met: bool | None


@dataclass
class Attainment:
    indicator: Indicator
    year: int
    target: NationalTarget
    region: Attained
    children: list[Attained] | None

    @property
    def results(self):
        return [self.region, *(self.children or [])]


def attained(region: Region, figure: Measurement | None, target: NationalTarget) -> Attained:
    if figure is None:
        return Attained(region, None, None, None)
    return Attained(
        region,
        figure,
        figure.value - target.value,
        target_met(figure.value, target.value, higher_is_better=target.indicator.higher_is_better),
    )


def attainment(*, indicator: Indicator, region: Region, year: int, children: bool) -> Attainment:
    """The region's latest figure in ``year`` against the national target of that year (and its children's)."""
    target = NationalTarget.objects.select_related("indicator", "source").filter(indicator=indicator, year=year).first()
    if target is None:
        raise NoTarget(indicator, year)
    scope = (
        Region.objects.filter(Q(pk=region.pk) | Q(parent=region.code))
        if children
        else Region.objects.filter(pk=region.pk)
    )
    figures = latest_measurements(
        access.public_figures().filter(indicator=indicator, region__in=scope, as_of__year=year).select_related("region")
    )
    by_region = {figure.region_id: figure for figure in figures}
    child_rows = None
    if children:
        child_figures = [f for f in by_region.values() if f.region_id != region.pk]
        child_rows = [
            attained(f.region, f, target)
            for f in better_first(child_figures, higher_is_better=indicator.higher_is_better)
        ]
    return Attainment(indicator, year, target, attained(region, by_region.get(region.pk), target), child_rows)


@dataclass
class Rollup:
    """The parent's figure computed from its children's counts: Σnumerator / Σdenominator."""

    as_of: datetime.date
    value: Decimal | None
    numerator: int
    denominator: int
    children_with_counts: int
    children_without_counts: list[str]
    children_missing: list[str]
    stored_value: Decimal | None
    difference: Decimal | None
    disagrees: bool | None

    @property
    def complete(self):
        return not self.children_without_counts and not self.children_missing


def rollup(*, parent_figure: Measurement | None, as_of: datetime.date, child_codes: list[str], child_figures) -> Rollup:
    """Combine the children's figures of one date (the parent's own figure's date, if it has one)."""
    with_counts = [f for f in child_figures if f.numerator is not None and f.denominator]
    numerator = sum(f.numerator for f in with_counts)
    denominator = sum(f.denominator for f in with_counts)
    value = percentage(numerator, denominator) if denominator else None
    reported = {f.region.code for f in child_figures}
    result = Rollup(
        as_of=as_of,
        value=value,
        numerator=numerator,
        denominator=denominator,
        children_with_counts=len(with_counts),
        children_without_counts=sorted(f.region.code for f in child_figures if f not in with_counts),
        children_missing=sorted(code for code in child_codes if code not in reported),
        stored_value=parent_figure.value if parent_figure else None,
        difference=None,
        disagrees=None,
    )
    if parent_figure is not None and value is not None and result.complete:
        result.difference = parent_figure.value - value
        result.disagrees = abs(result.difference) > Decimal(str(settings.ROLLUP_TOLERANCE))
    return result


@dataclass
class IndicatorSummary:
    indicator: Indicator
    figure: Measurement | None
    target: NationalTarget | None
    gap: Decimal | None
    met: bool | None
    rank: int | None
    ranked: int
    highest: Measurement | None
    lowest: Measurement | None
    children: int
    rollup: Rollup | None = None


@dataclass
class RegionSummary:
    region: Region
    as_of: datetime.date
    results: list[IndicatorSummary] = field(default_factory=list)


def siblings_of(region: Region) -> QuerySet[Region]:
    """The regions ranked against this one: same parent, or every province for a province."""
    if region.parent_id is None:
        return Region.objects.filter(level=Region.Level.PROVINCE)
    return Region.objects.filter(parent=region.parent_id)


def region_summary(*, region: Region, as_of: datetime.date, with_rollup: bool = False) -> RegionSummary:
    """For each indicator: the region's latest figure, its target, its rank among its siblings and
    the highest and lowest of its children. Eight queries (nine with the roll-up), whatever the number of regions."""
    indicators = list(Indicator.objects.order_by("code"))
    siblings = latest_figures(regions=siblings_of(region), as_of=as_of)
    children = latest_figures(regions=Region.objects.filter(parent=region.code), as_of=as_of)
    own = {f.indicator_id: f for f in siblings if f.region_id == region.pk}
    years = {f.as_of.year for f in own.values()} | {as_of.year}
    targets = {
        (t.indicator_id, t.year): t
        for t in NationalTarget.objects.filter(year__in=years).select_related("indicator", "source")
    }
    siblings_by_indicator, children_by_indicator = defaultdict(list), defaultdict(list)
    for figure in siblings:
        siblings_by_indicator[figure.indicator_id].append(figure)
    for figure in children:
        children_by_indicator[figure.indicator_id].append(figure)

    rollup_figures = defaultdict(list)
    child_codes = []
    if with_rollup:
        child_codes = list(Region.objects.filter(parent=region.code).values_list("code", flat=True))
        dates = {
            indicator.pk: own[indicator.pk].as_of
            if indicator.pk in own
            else max((f.as_of for f in children_by_indicator[indicator.pk]), default=None)
            for indicator in indicators
        }
        wanted = Q(pk__in=[])
        for indicator_id, date in dates.items():
            if date is not None:
                wanted |= Q(indicator_id=indicator_id, as_of=date)
        for figure in access.public_figures().filter(wanted, region__parent=region.code).select_related("region"):
            rollup_figures[figure.indicator_id].append(figure)

    summary = RegionSummary(region, as_of)
    for indicator in indicators:
        figure = own.get(indicator.pk)
        target = targets.get((indicator.pk, figure.as_of.year if figure else as_of.year))
        gap = met = None
        if figure is not None and target is not None:
            gap = figure.value - target.value
            met = target_met(figure.value, target.value, higher_is_better=indicator.higher_is_better)
        ranked = better_first(siblings_by_indicator[indicator.pk], higher_is_better=indicator.higher_is_better)
        item = IndicatorSummary(
            indicator=indicator,
            figure=figure,
            target=target,
            gap=gap,
            met=met,
            rank=figure.rank if figure is not None else None,
            ranked=len(ranked),
            highest=None,
            lowest=None,
            children=len(children_by_indicator[indicator.pk]),
        )
        item.highest, item.lowest = extremes(children_by_indicator[indicator.pk])
        if with_rollup and dates[indicator.pk] is not None:
            item.rollup = rollup(
                parent_figure=figure,
                as_of=dates[indicator.pk],
                child_codes=child_codes,
                child_figures=rollup_figures[indicator.pk],
            )
        summary.results.append(item)
    return summary


def availability(queryset: QuerySet[Measurement]) -> QuerySet:
    """How many figures exist per (indicator, region level, date) among ``queryset``."""
    return (
        queryset.order_by()
        .values("as_of", indicator_code=F("indicator__code"), level=F("region__level"))
        .annotate(regions=Count("id"))
        .order_by("indicator_code", "level", "as_of")
    )


@dataclass
class Chart:
    indicator: Indicator
    figures: list[Measurement]
    highest: Measurement | None
    lowest: Measurement | None
    own: Measurement | None
    target: NationalTarget | None
    sources: list


def default_dashboard_region() -> Region | None:
    """The province with the most recent figure, or None when no province has one."""
    latest = (
        access.public_figures()
        .filter(region__level=Region.Level.PROVINCE)
        .order_by("-as_of", "region__code")
        .select_related("region")
        .first()
    )
    return latest.region if latest else None


def dashboard(*, region: Region | None, as_of: datetime.date) -> list[Chart]:
    """Per indicator: the latest figures of the region's children (of every province when ``region`` is
    None), best first, with the region's own figure and the national target. Five queries."""
    indicators = list(Indicator.objects.order_by("code"))
    scope = Region.objects.filter(parent=region.code) if region else Region.objects.filter(level=Region.Level.PROVINCE)
    figures = latest_figures(regions=scope, as_of=as_of)
    own = (
        {f.indicator_id: f for f in latest_figures(regions=Region.objects.filter(pk=region.pk), as_of=as_of)}
        if region
        else {}
    )
    by_indicator = defaultdict(list)
    for figure in figures:
        by_indicator[figure.indicator_id].append(figure)
    years = {as_of.year} | {f.as_of.year for f in figures} | {f.as_of.year for f in own.values()}
    targets = defaultdict(dict)
    for target in NationalTarget.objects.filter(year__in=years):
        targets[target.indicator_id][target.year] = target
    sources = Source.objects.in_bulk({f.source_id for f in figures} | {f.source_id for f in own.values()})
    charts = []
    for indicator in indicators:
        ranked = better_first(by_indicator[indicator.pk], higher_is_better=indicator.higher_is_better)
        latest_year = max((f.as_of.year for f in ranked), default=as_of.year)
        shown = ranked + ([own[indicator.pk]] if indicator.pk in own else [])
        charts.append(
            Chart(
                indicator=indicator,
                figures=ranked,
                highest=extremes(ranked)[0],
                lowest=extremes(ranked)[1],
                own=own.get(indicator.pk),
                target=targets[indicator.pk].get(latest_year),
                sources=[sources[pk] for pk in sorted({f.source_id for f in shown})],
            )
        )
    return charts


def measurements_known_at(moment: datetime.datetime) -> QuerySet:
    """The figures as the service held them at ``moment``: per figure, its latest historical state on or
    before then, unless that state is its deletion. Rows of the historical table, with the same fields."""
    return Measurement.history.filter(
        history_id__in=last_states(Measurement.history.filter(history_date__lte=moment))
    ).exclude(history_type="-")


def last_states(history: QuerySet) -> QuerySet:
    """history_id of the last recorded state of each record among ``history`` (a subquery)."""
    if connection.vendor == "postgresql":
        states = history.order_by("id", "-history_date", "-history_id").distinct("id")
    else:
        states = history.annotate(
            recency=Window(
                RowNumber(), partition_by=[F("id")], order_by=[F("history_date").desc(), F("history_id").desc()]
            )
        ).filter(recency=1)
    return states.values("history_id")


def withdrawn_figures() -> QuerySet:
    """Tombstones for a public copy: for each figure that was published and no longer is (deleted, or set back to
    draft or verified), its last published state, which is what a public copy holds, with ``deleted_at``: when it
    left the public data (the first change after that state). Whatever happened to it afterwards (a draft edited,
    moved to another region, deleted) is unpublished and shows here neither in the row nor in its date."""
    after = Q(history_date__gt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")
    )
    left = Measurement.history.filter(after, id=OuterRef("id")).order_by("history_date", "history_id")
    public_states = access.public_figures_history().exclude(history_type="-")
    return (
        Measurement.history.filter(history_id__in=last_states(public_states))
        .annotate(deleted_at=Subquery(left.values("history_date")[:1]))
        .filter(deleted_at__isnull=False)
    )


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_FIELDS = ("region", "indicator", "as_of", "value", "numerator", "denominator", "source", "status")


def _history_value(record, field):
    if field in ("region", "indicator"):
        related = getattr(record, field, None)
        return related.code if related is not None else getattr(record, f"{field}_id")
    if field == "source":
        return record.source_id
    return getattr(record, field)


@dataclass
class HistoryEntry:
    history_id: int
    at: datetime.datetime
    type: str
    door: str
    user: str | None
    changes: list[dict]


def figure_history(figure_id: int) -> list[HistoryEntry]:
    """Every recorded state of one figure, newest first, each with what changed from the state before."""
    records = list(
        Measurement.history.filter(id=figure_id)
        .select_related("history_user", "region", "indicator")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], None
    for record in records:
        if record.history_type == "-":
            changes = []
        else:
            changes = [
                {
                    "field": field,
                    "old": _history_value(previous, field) if previous else None,
                    "new": _history_value(record, field),
                }
                for field in HISTORY_FIELDS
                if previous is None or _history_value(previous, field) != _history_value(record, field)
            ]
        entries.append(
            HistoryEntry(
                history_id=record.history_id,
                at=record.history_date,
                type=HISTORY_TYPES[record.history_type],
                door=record.history_door,
                user=record.history_user.get_username() if record.history_user else None,
                changes=changes,
            )
        )
        previous = record
    return entries[::-1]


# Data-quality flags: computed from the data, never stored by hand.
FLAGS = {
    "above_100": _("above 100 %"),
    "jump": _("jump from the previous figure"),
    "rollup_mismatch": _("disagrees with the roll-up of its children"),
}


def with_quality(queryset: QuerySet[Measurement]) -> QuerySet[Measurement]:
    """Annotate what the flags need: the region's previous figure, and its children's counts on the same date."""
    previous = (
        access.public_figures()
        .filter(region=OuterRef("region"), indicator=OuterRef("indicator"), as_of__lt=OuterRef("as_of"))
        .order_by("-as_of")
    )
    children = access.public_figures().filter(
        region__parent=OuterRef("region__code"), indicator=OuterRef("indicator"), as_of=OuterRef("as_of")
    )
    counted = children.filter(numerator__isnull=False, denominator__isnull=False).values("indicator")
    return queryset.annotate(
        previous_value=Subquery(previous.values("value")[:1]),
        children_total=Subquery(
            Region.objects.filter(parent=OuterRef("region__code")).values("parent").annotate(n=Count("id")).values("n")
        ),
        children_counted=Subquery(counted.annotate(n=Count("id")).values("n")),
        children_numerator=Subquery(counted.annotate(n=Sum("numerator")).values("n")),
        children_denominator=Subquery(counted.annotate(n=Sum("denominator")).values("n")),
    ).annotate(
        # value·Σd, compared with 100·Σn ± tolerance·Σd: no division, exact on PostgreSQL, no integer division on SQLite
        value_times_denominator=ExpressionWrapper(
            F("value") * F("children_denominator"), output_field=DecimalField(max_digits=40, decimal_places=2)
        )
    )


def flag_condition(flags) -> Q:
    """Rows (annotated by with_quality) that carry any of ``flags``."""
    jump = Decimal(str(settings.QUALITY_JUMP))
    tolerance = Decimal(str(settings.ROLLUP_TOLERANCE))
    conditions = {
        "above_100": Q(value__gt=100),
        "jump": Q(previous_value__isnull=False)
        & (Q(value__gt=F("previous_value") + jump) | Q(value__lt=F("previous_value") - jump)),
        # complete roll-up (every child counted) and |value − 100·Σn/Σd| > tolerance, without dividing
        "rollup_mismatch": Q(children_total__gt=0, children_counted=F("children_total"))
        & (
            Q(value_times_denominator__gt=F("children_numerator") * 100 + F("children_denominator") * tolerance)
            | Q(value_times_denominator__lt=F("children_numerator") * 100 - F("children_denominator") * tolerance)
        ),
    }
    return reduce(or_, (conditions[name] for name in flags))


def flags_of(figure) -> list[str]:
    """The flags of one figure annotated by with_quality, computed in Python for display."""
    found = []
    if figure.value > 100:
        found.append("above_100")
    if figure.previous_value is not None and abs(figure.value - figure.previous_value) > Decimal(
        str(settings.QUALITY_JUMP)
    ):
        found.append("jump")
    if figure.children_total and figure.children_counted == figure.children_total and figure.children_denominator:
        rolled = Decimal(100) * figure.children_numerator / figure.children_denominator
        if abs(figure.value - rolled) > Decimal(str(settings.ROLLUP_TOLERANCE)):
            found.append("rollup_mismatch")
    return found


# The list representation of a figure, built from one values() row instead of a serializer per object:
# the same JSON (tests compare the two), several times cheaper at 1,000 rows a page. Timestamps come as text
# and are converted once per distinct value: rows written together share them, and parsing timestamps in
# Python was most of the cost of a full export.
FIGURE_VALUES = (
    "id",
    "region__code",
    "region__name",
    "indicator__code",
    "as_of",
    "value",
    "numerator",
    "denominator",
    "source_id",
    "status",
    "verified_by__username",
    "verified_at_text",
    "version",
    "created_at_text",
    "updated_at_text",
)


def figure_values(queryset):
    """``queryset`` as the tuples figure_row() reads."""
    return queryset.annotate(
        verified_at_text=Cast("verified_at", TextField()),
        created_at_text=Cast("created_at", TextField()),
        updated_at_text=Cast("updated_at", TextField()),
    ).values_list(*FIGURE_VALUES)


@lru_cache(maxsize=4096)
def _local_moment(text, zone):
    moment = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(moment):  # SQLite stores UTC without an offset
        moment = moment.replace(tzinfo=datetime.UTC)
    local = timezone.localtime(moment, zone).isoformat()
    return local[:-6] + "Z" if local.endswith("+00:00") else local


def figure_rows(queryset, *, chunk_size=None):
    """Dicts in the API's representation of a figure, in its field order (streamed with ``chunk_size``)."""
    values = figure_values(queryset)
    return figure_dicts(values.iterator(chunk_size=chunk_size) if chunk_size else values)


# The same rows as text written by PostgreSQL itself (COPY … TO STDOUT, see renderers.copy_csv_chunks): each value
# as figure_row() and the csv module write it (text spreadsheet_safe(), as csv_chunks() writes it). Run with TimeZone
# set to the current time zone and DateStyle ISO.
FIGURE_CSV_COLUMNS = (
    ("id", "id"),
    ("region__code", "region"),
    ("region__name", "region_name"),
    ("indicator__code", "indicator"),
    ("as_of", "as_of"),
    ("value", "value"),
    ("numerator", "numerator"),
    ("denominator", "denominator"),
    ("source_id", "source"),
    ("status", "status"),
    ("verified_by__username", "verified_by"),
    ("verified_at", "verified_at"),
    ("version", "version"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)
TEXT_COLUMNS = ("region", "region_name", "indicator", "status", "verified_by")
MOMENT_COLUMNS = ("verified_at", "created_at", "updated_at")


def _iso_moment_sql(column):
    """SQL for a timestamptz as datetime.isoformat() writes it in the session's time zone: microseconds only when
    there are any, the offset as ±HH:MM (with :SS when it has seconds, as some zones had before 1973), Z for +00:00."""
    offset = f"extract(timezone FROM {column})::integer"
    exact_offset = (
        f"CASE WHEN {offset} = 0 THEN 'Z' ELSE CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || lpad((abs({offset}) / 3600)::text, 2, '0') || ':' || lpad((mod(abs({offset}), 3600) / 60)::text, 2, '0')"
        f" || CASE WHEN mod({offset}, 60) <> 0 THEN ':' || lpad(mod(abs({offset}), 60)::text, 2, '0') ELSE '' END END"
    )
    whole = f"date_trunc('second', {column}) = {column}"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL"
        f" WHEN {column} < '1973-01-01T00:00:00Z' THEN to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN {whole} THEN '' ELSE to_char({column}, '.US') END || {exact_offset}"
        f" ELSE replace(to_char({column}, CASE WHEN {whole} THEN 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'"
        f" ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM' END), '+00:00', 'Z') END"
    )


def figure_csv_query(queryset) -> tuple[str, tuple] | None:
    """SQL and parameters of ``queryset``'s figures as rows of text, in its order (for COPY … TO STDOUT), or None
    if its order is not one of the API's."""
    from .renderers import spreadsheet_safe_sql  # the CSV rule lives with the CSV writers

    fields = dict(FIGURE_CSV_COLUMNS)
    ordering = []
    for key in queryset.query.order_by:
        name = fields.get(key.lstrip("-")) if isinstance(key, str) else None
        if name is None:
            return None
        ordering.append(f"f.{name} DESC" if key.startswith("-") else f"f.{name}")
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    names = list(fields.values())
    # Text goes through the CSV writers' own rule against formulas (spreadsheet_safe_sql), and empty text is written
    # as nothing, as the csv module does (COPY would write ""). The timestamps are formatted in a LATERAL subquery
    # that PostgreSQL memoizes on the three of them (each named once, so that they are the whole cache key): once
    # per distinct triple, rows written together share one, not once per row.
    values = [
        f"m.{name}"
        if name in MOMENT_COLUMNS
        else f"nullif({spreadsheet_safe_sql(f'f.{name}')}, '')"
        if name in TEXT_COLUMNS
        else f"f.{name}"
        for name in names
    ]
    formatted = ", ".join(f"{_iso_moment_sql(f't.{name}')} AS {name}" for name in MOMENT_COLUMNS)
    moments = (
        f" LEFT JOIN LATERAL (SELECT {formatted} FROM (SELECT {', '.join(f'f.{name}' for name in MOMENT_COLUMNS)}"
        " OFFSET 0) AS t) AS m ON true"
    )
    # The outer ORDER BY is the inner one: PostgreSQL sorts once, and the order is guaranteed, not incidental.
    order = f" ORDER BY {', '.join(ordering)}" if ordering else ""
    return f"SELECT {', '.join(values)} FROM ({sql}) AS f ({', '.join(names)}){moments}{order}", params


def figure_dicts(values):
    """figure_values() tuples as the API's figures. The time zone is looked up once, not three times a row: with
    hundreds of rows a page, that lookup was most of the time the page took."""
    zone = timezone.get_current_timezone()

    def moment(text):
        return None if text is None else _local_moment(text, zone)

    for v in values:
        yield {
            "id": v[0],
            "region": v[1],
            "region_name": v[2],
            "indicator": v[3],
            "as_of": v[4].isoformat(),
            "value": v[5],
            "numerator": v[6],
            "denominator": v[7],
            "source": v[8],
            "status": v[9],
            "verified_by": v[10],
            "verified_at": moment(v[11]),
            "version": v[12],
            "created_at": moment(v[13]),
            "updated_at": moment(v[14]),
        }
