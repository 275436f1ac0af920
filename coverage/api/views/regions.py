"""/api/v1/regions/: the region list and a region's summary."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ...answers.summary import region_summary
from ...models import Region
from ...regions import lineage
from .. import examples
from ..filtersets import RegionFilterSet, SummaryFilterSet
from ..serializers.answers import RegionSummarySerializer
from ..serializers.records import LineageSerializer, RegionSerializer
from .base import AnswerMixin, ConditionalWriteMixin, ExportMixin, StrictQueryMixin, today


class RegionViewSet(ExportMixin, AnswerMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """Regions by Kemendagri code: provinces, kabupaten/kota, kecamatan, desa/kelurahan."""

    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[0-9][0-9.]*"  # digits and dots only (never a NUL byte); the shape is checked on lookup

    @extend_schema(
        filters=True,
        responses={200: RegionSummarySerializer},
        examples=[examples.SUMMARY],
        summary="The region at a glance: latest figures, targets, rank, best and worst child",
    )
    @action(
        detail=True, pagination_class=None, filterset_class=SummaryFilterSet, serializer_class=RegionSummarySerializer
    )
    def summary(self, request, code=None):
        """For each indicator: the region's latest figure on or before `as_of`, the national target of its year
        with gap and met, its rank among its siblings, and the highest and lowest of its children; with
        `rollup=true` also the figure computed from the children's counts (Σnumerator / Σdenominator)."""
        region = self.get_object()
        _filterset, params = self.answer_parameters(Region.objects.all())
        summary = region_summary(region=region, as_of=params["as_of"] or today(), with_rollup=bool(params["rollup"]))
        return Response(self.get_serializer(summary).data)

    @extend_schema(responses={200: LineageSerializer}, summary="The codes a region had before and after a change")
    @action(detail=True, pagination_class=None, filter_backends=[], serializer_class=LineageSerializer)
    def lineage(self, request, code=None):
        """The codes that named this region's place before a change (`predecessors`) and after (`successors`): the
        2022 Papua splits. A `recode` is the same place under a new code (`lineage=true` on measurement lists follows
        it); a `split` made a new province from part of an old one. Any code, current or retired."""
        region = self.get_object()
        return Response(self.get_serializer(lineage.lineage_of(region.code)).data)
