"""The other resources: sources, national targets, availability and partnerships."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from ...answers.availability import availability
from ...figures import access
from ...models import Measurement, NationalTarget, Partnership, Source
from ..filtersets import AvailabilityFilterSet, DeletedFilterSet, NationalTargetFilterSet, PartnershipFilterSet
from ..serializers.answers import AvailabilitySerializer
from ..serializers.changes import DeletedTargetSerializer
from ..serializers.records import NationalTargetSerializer, PartnershipSerializer, SourceSerializer
from .base import ConditionalWriteMixin, DeletedMixin, ExportMixin, NamedLookupMixin, StrictQueryMixin, tombstones


class SourceViewSet(ExportMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """Where figures and targets come from: every figure points to one."""

    queryset = Source.objects.order_by("-published_on", "id")
    serializer_class = SourceSerializer
    lookup_value_regex = r"[0-9]+"

    def check_write(self, actor, obj):
        if obj is not None:
            access.check_may_change_source(actor, obj)


class NationalTargetViewSet(DeletedMixin, ExportMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """National targets per indicator and year (e.g. KIA ownership 60 % in 2024)."""

    queryset = NationalTarget.objects.select_related("indicator").order_by("indicator__code", "year")
    serializer_class = NationalTargetSerializer
    filterset_class = NationalTargetFilterSet
    lookup_value_regex = r"[0-9]+"

    @extend_schema(responses={200: DeletedTargetSerializer(many=True)})
    @action(
        detail=False,
        filterset_class=DeletedFilterSet,
        queryset=tombstones(NationalTarget, "indicator"),
        serializer_class=DeletedTargetSerializer,
    )
    def deleted(self, request):
        """Targets deleted (after `deleted_after`), oldest first."""
        return self.deleted_list()


class AvailabilityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Which (indicator, region level, date) combinations have figures, and for how many regions."""

    queryset = Measurement.objects.all()
    serializer_class = AvailabilitySerializer
    filterset_class = AvailabilityFilterSet

    def list(self, request, *args, **kwargs):
        queryset = availability(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PartnershipViewSet(NamedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Programmes that reward card holders, e.g. KIA discounts at partner businesses."""

    queryset = Partnership.objects.select_related("indicator").prefetch_related("regions").order_by("name", "id")
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilterSet
    lookup_value_regex = r"[0-9]+"
