"""Data-quality flags, computed from the data, never stored by hand: above 100 %, a jump from the region's
previous figure, a disagreement with the roll-up of its children."""

from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
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
)
from django.utils.translation import gettext_lazy as _

from ..models import Measurement, Region, valid_on_q
from . import access

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
            Region.objects.filter(valid_on_q(OuterRef("as_of")), parent=OuterRef("region__code"))
            .values("parent")
            .annotate(n=Count("id"))
            .values("n")
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
