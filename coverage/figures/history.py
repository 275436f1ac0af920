"""Figures through their change history: as known at a moment, tombstones for public copies, one figure's
changes."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from ..models import Measurement
from . import access
from .fields import IMPORTED


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
                for field in IMPORTED
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
