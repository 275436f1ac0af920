"""/api/v1/indicators/: what is measured, and the answers about one indicator (ranking, attainment)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ...answers.attainment import NoTarget, attainment
from ...answers.ranking import ranking
from ...models import INDICATOR_CODE_RE, Indicator, Region
from .. import examples, schema
from ..filtersets import AttainmentFilterSet, RankingFilterSet
from ..serializers.answers import AttainmentSerializer, RankingSerializer
from ..serializers.records import IndicatorSerializer
from .base import AnswerMixin, ConditionalWriteMixin, StrictQueryMixin, by_code, today


class NoTargetError(exceptions.NotFound):
    default_code = "no_target"


class IndicatorViewSet(AnswerMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """What is measured (KTP-el recording, KIA ownership, …), by code."""

    queryset = Indicator.objects.order_by("code")
    serializer_class = IndicatorSerializer
    filterset_class = None
    lookup_field = "code"
    lookup_value_regex = INDICATOR_CODE_RE

    @extend_schema(
        filters=True,
        responses={200: RankingSerializer},
        examples=[examples.RANKING],
        summary="Regions ranked by their latest figure",
    )
    # The query parameters of the answers below select regions: their queryset is the regions'.
    @action(
        detail=True,
        pagination_class=None,
        filterset_class=RankingFilterSet,
        queryset=Region.objects.order_by("code"),
        serializer_class=RankingSerializer,
    )
    def ranking(self, request, code=None):
        """The latest figure of each matching region on or before `as_of` (default today), best first by the
        indicator's direction; equal figures share a rank. Regions without a figure are left out."""
        indicator = by_code(Indicator, code)
        filterset, params = self.answer_parameters(self.get_queryset())
        result = ranking(indicator=indicator, regions=filterset.qs, as_of=params["as_of"] or today())
        return Response(self.get_serializer(result).data)

    @extend_schema(
        filters=True,
        responses={
            200: AttainmentSerializer,
            404: OpenApiResponse(
                response=schema.client_error_response(404, ["not_found", "no_target"], name="Attainment"),
                description=_("Unknown indicator, or no national target for that year (no_target)."),
            ),
        },
        examples=[examples.ATTAINMENT],
        summary="A region's figure against the national target of a year",
    )
    @action(
        detail=True,
        pagination_class=None,
        filterset_class=AttainmentFilterSet,
        queryset=Region.objects.all(),
        serializer_class=AttainmentSerializer,
    )
    def attainment(self, request, code=None):
        """The region's latest figure in `year` against the national target of that year: `gap` in percentage
        points and `met`; with `children=true` the same for each direct child with a figure in the year."""
        indicator = by_code(Indicator, code)
        _filterset, params = self.answer_parameters(self.get_queryset())
        if len(params["region"]) != 1:
            raise exceptions.ValidationError({"region": [_("Give exactly one region code.")]}, code="one_region")
        try:
            result = attainment(
                indicator=indicator, region=params["region"][0], year=params["year"], children=bool(params["children"])
            )
        except NoTarget:
            raise NoTargetError(
                _("No national target for %(indicator)s in %(year)s.")
                % {"indicator": indicator.code, "year": params["year"]}
            ) from None
        return Response(self.get_serializer(result).data)

    def csv_rows(self, data):
        if not isinstance(data, dict):
            return data  # nothing (a deletion) or an error
        if self.action == "attainment":
            return [data["region"], *(data["children"] or [])]
        return data.get("results", data)
