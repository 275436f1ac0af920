"""/api/v1/measurements/: the figures, their export, history, deletions and import."""

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ...figures import access
from ...figures import history as figure_history
from ...figures.latest import lock_series_of
from ...figures.values import parse_moment
from ...models import Measurement
from .. import plans, representation
from ..clients import actor_of
from ..filtersets import DeletedFilterSet, MeasurementFilterSet
from ..import_action import ImportMixin
from ..renderers import copy_csv_chunks
from ..serializers.changes import DeletedMeasurementSerializer, HistoryEntrySerializer
from ..serializers.records import MeasurementSerializer
from .base import ConditionalWriteMixin, DeletedMixin, ExportMixin, StrictQueryMixin


class MeasurementViewSet(
    ImportMixin, DeletedMixin, ExportMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet
):
    """Coverage figures: one per region, indicator and date."""

    queryset = Measurement.objects.select_related("region", "indicator", "verified_by").order_by(
        "region__code", "indicator__code", "as_of", "id"
    )
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    lookup_value_regex = r"[0-9]+"
    credential_required_actions = ("history",)  # a read, but only for clients allowed to see unpublished figures

    def list(self, request, *args, **kwargs):
        figures = plans.plan(request, self.figures) if request.query_params.get("page_size") != "all" else None
        if figures is None:
            return super().list(request, *args, **kwargs)  # full export, or known_at's historical rows
        page = self.paginate_queryset(figures)
        return self.get_paginated_response(list(representation.figure_dicts(page)))

    def figures(self):
        """The current figures the request asks for, as the tuples figure_dicts() reads, and the same rows without
        the joins that only add columns, to count them; None: known_at's historical rows (the serializer's)."""
        queryset = self.filter_queryset(self.get_queryset())
        if queryset.model is not Measurement:
            return None
        return representation.figure_values(queryset), queryset

    def export_chunks(self, queryset, header):
        query = representation.figure_csv_query(queryset) if queryset.model is Measurement else None
        if query is not None and connection.vendor == "postgresql":
            return copy_csv_chunks(header, *query)  # PostgreSQL writes the CSV
        return super().export_chunks(queryset, header)

    def export_rows(self, queryset):
        if queryset.model is not Measurement:
            return super().export_rows(queryset)
        return representation.figure_rows(queryset, chunk_size=5000)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("known_at"):
            # Validated by the FilterSet, which runs next; the historical rows have the same fields.
            moment = parse_moment(self.request.query_params["known_at"])
            if moment is not None:
                queryset = (
                    figure_history.measurements_known_at(moment)
                    .select_related("region", "indicator", "verified_by")
                    .order_by("region__code", "indicator__code", "as_of", "id")
                )
        if self.action not in ("list", "deleted", "history"):
            queryset = access.visible_figures(queryset, actor_of(self.request))  # lists: MeasurementFilterSet
        return queryset

    def get_object(self):
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Its series' is_latest locks before its row's (coverage.figures.latest.lock_series): never the other way.
            lock_series_of(Measurement.objects.filter(pk=self.kwargs[self.lookup_field]))
        return super().get_object()

    def check_write(self, actor, obj):
        # A new figure's region, and the region a change moves it to, are checked by the serializer.
        if self.request.method == "DELETE":
            access.check_may_delete_figures(actor, Measurement.objects.filter(pk=obj.pk))
        elif obj is not None:
            access.check_may_write_figure(actor, figure=obj)

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)}, filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[], serializer_class=HistoryEntrySerializer)
    def history(self, request, pk=None):
        """Every change of the figure, newest first: when, who, through which door, and each field's old and
        new value. A deleted figure keeps its history. Needs the permission to see unpublished figures."""
        regions = Measurement.history.filter(id=int(pk)).values_list("region__code", flat=True).distinct()
        try:
            access.check_may_read_history(actor_of(request), regions)
        except access.NotVisible:
            raise exceptions.NotFound() from None
        entries = figure_history.figure_history(int(pk))
        return Response(self.get_serializer(entries, many=True).data)

    @extend_schema(responses={200: DeletedMeasurementSerializer(many=True)})
    @action(
        detail=False,
        filterset_class=DeletedFilterSet,
        queryset=figure_history.withdrawn_figures()
        .select_related("region", "indicator")
        .order_by("deleted_at", "history_id"),
        serializer_class=DeletedMeasurementSerializer,
    )
    def deleted(self, request):
        """Figures that left the public data (after `deleted_after`), oldest first: deleted, or withdrawn to draft or
        verified. Remove these, then apply `?updated_after=`, to keep a public copy in sync."""
        return self.deleted_list()
