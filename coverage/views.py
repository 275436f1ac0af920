from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import examples, selectors
from .filters import (
    AttainmentFilterSet,
    AvailabilityFilterSet,
    DeletedFilterSet,
    MeasurementFilterSet,
    NationalTargetFilterSet,
    PartnershipFilterSet,
    RankingFilterSet,
    RegionFilterSet,
    StrictFilterBackend,
    SummaryFilterSet,
)
from .models import (
    INDICATOR_CODE_RE,
    REGION_CODE_RE,
    Indicator,
    Measurement,
    NationalTarget,
    Partnership,
    Region,
    Source,
)
from .renderers import csv_line
from .serializers import (
    AttainmentSerializer,
    AvailabilitySerializer,
    DeletedMeasurementSerializer,
    DeletedTargetSerializer,
    IndicatorSerializer,
    MeasurementSerializer,
    NationalTargetSerializer,
    PartnershipSerializer,
    RankingSerializer,
    RegionSerializer,
    RegionSummarySerializer,
    SourceSerializer,
)


class NoTargetError(exceptions.NotFound):
    default_code = "no_target"


class ExportMixin:
    """``?page_size=all`` with CSV streams every matching row, in constant memory, instead of one page."""

    def list(self, request, *args, **kwargs):
        if request.query_params.get("page_size") == "all":
            return self.export(request)
        return super().list(request, *args, **kwargs)

    def export(self, request):
        if request.accepted_renderer.format != "csv":
            raise exceptions.ValidationError(
                {"page_size": [_("page_size=all streams every row and needs format=csv (or Accept: text/csv).")]},
                code="csv_only",
            )
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()

        def rows():
            yield csv_line(serializer.fields)
            for obj in queryset.iterator(chunk_size=2000):
                yield csv_line(serializer.to_representation(obj).values())

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}.csv"'
        return response


class AnswerMixin:
    """Answers whose query parameters are declared as a FilterSet (validated and documented like filters)."""

    def answer_parameters(self, queryset):
        filterset = StrictFilterBackend().validated_filterset(self.request, queryset, self)
        return filterset, filterset.form.cleaned_data


def today():
    return timezone.localdate()


class RegionViewSet(ExportMixin, AnswerMixin, viewsets.ModelViewSet):
    """Regions by Kemendagri code: provinces, kabupaten/kota, kecamatan, desa/kelurahan."""

    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"
    lookup_value_regex = REGION_CODE_RE

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
        summary = selectors.region_summary(
            region=region, as_of=params["as_of"] or today(), with_rollup=bool(params["rollup"])
        )
        return Response(self.get_serializer(summary).data)


class IndicatorViewSet(AnswerMixin, viewsets.ModelViewSet):
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
        indicator = get_object_or_404(Indicator, code=code)
        filterset, params = self.answer_parameters(self.get_queryset())
        result = selectors.ranking(indicator=indicator, regions=filterset.qs, as_of=params["as_of"] or today())
        return Response(self.get_serializer(result).data)

    @extend_schema(
        filters=True,
        responses={
            200: AttainmentSerializer,
            404: OpenApiResponse(description=_("Unknown indicator, or no national target for that year (no_target).")),
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
        indicator = get_object_or_404(Indicator, code=code)
        _filterset, params = self.answer_parameters(self.get_queryset())
        if len(params["region"]) != 1:
            raise exceptions.ValidationError({"region": [_("Give exactly one region code.")]}, code="one_region")
        try:
            result = selectors.attainment(
                indicator=indicator, region=params["region"][0], year=params["year"], children=bool(params["children"])
            )
        except selectors.NoTarget:
            raise NoTargetError(
                _("No national target for %(indicator)s in %(year)s.")
                % {"indicator": indicator.code, "year": params["year"]}
            ) from None
        return Response(self.get_serializer(result).data)

    def csv_rows(self, data):
        if self.action == "attainment":
            return [data["region"], *(data["children"] or [])]
        return data.get("results", data)


class SourceViewSet(ExportMixin, viewsets.ModelViewSet):
    """Where figures and targets come from: every figure points to one."""

    queryset = Source.objects.order_by("-published_on", "id")
    serializer_class = SourceSerializer
    lookup_value_regex = r"[0-9]+"


def tombstones(model, *related):
    """Deleted rows of ``model``, oldest first, from its change history."""
    return model.history.filter(history_type="-").select_related(*related).order_by("history_date", "history_id")


class DeletedMixin:
    """``deleted/``: what was deleted, for incremental sync."""

    def deleted_list(self):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class NationalTargetViewSet(DeletedMixin, ExportMixin, viewsets.ModelViewSet):
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


class MeasurementViewSet(DeletedMixin, ExportMixin, viewsets.ModelViewSet):
    """Coverage figures: one per region, indicator and date."""

    queryset = Measurement.objects.select_related("region", "indicator").order_by(
        "region__code", "indicator__code", "as_of", "id"
    )
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    lookup_value_regex = r"[0-9]+"

    @extend_schema(responses={200: DeletedMeasurementSerializer(many=True)})
    @action(
        detail=False,
        filterset_class=DeletedFilterSet,
        queryset=tombstones(Measurement, "region", "indicator"),
        serializer_class=DeletedMeasurementSerializer,
    )
    def deleted(self, request):
        """Figures deleted (after `deleted_after`), oldest first: apply these, then `?updated_after=`, to sync."""
        return self.deleted_list()


class AvailabilityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Which (indicator, region level, date) combinations have figures, and for how many regions."""

    queryset = Measurement.objects.all()
    serializer_class = AvailabilitySerializer
    filterset_class = AvailabilityFilterSet

    def list(self, request, *args, **kwargs):
        queryset = selectors.availability(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PartnershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Programmes that reward card holders, e.g. KIA discounts at partner businesses."""

    queryset = Partnership.objects.select_related("indicator").prefetch_related("regions").order_by("name", "id")
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilterSet
    lookup_value_regex = r"[0-9]+"


# The docs pages may load nothing from another host (the service runs on closed networks, and ReDoc's
# bundle hard-codes a logo on cdn.redoc.ly): the browser enforces it.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
    ]
)


class OfflineDocsMixin:
    schema = None  # the docs pages are not part of the API they document

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class SwaggerView(OfflineDocsMixin, SpectacularSwaggerView):
    pass


class RedocView(OfflineDocsMixin, SpectacularRedocView):
    pass


def _api_error(status, code, detail):
    return JsonResponse(
        {
            "type": "client_error" if status < 500 else "server_error",
            "errors": [{"code": code, "detail": detail, "attr": None}],
        },
        status=status,
    )


# Errors raised outside the API views (URL resolution, middleware): JSON under /api/ like every other API error,
# Django's pages elsewhere.


def bad_request(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(400, "bad_request", _("Bad request."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(403, "permission_denied", _("You do not have permission to perform this action."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error(500, "error", _("Server error."))
    return defaults.server_error(request)
