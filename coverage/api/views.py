import itertools
import sys

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ..answers.attainment import NoTarget, attainment
from ..answers.availability import availability
from ..answers.ranking import ranking
from ..answers.summary import region_summary
from ..figures import access
from ..figures import history as figure_history
from ..figures.values import UNKNOWN_INDICATOR, parse_moment
from ..models import (
    INDICATOR_CODE_RE,
    Indicator,
    Measurement,
    NationalTarget,
    Partnership,
    Region,
    Source,
)
from ..regions.codes import UNKNOWN_REGION, check_region_code
from . import examples, representation, schema
from .exceptions import DatabaseUnavailable, database_unavailable, error_response, status_error_response
from .filtering import StrictFilterBackend, check_query_parameters
from .filtersets import (
    AttainmentFilterSet,
    AvailabilityFilterSet,
    DeletedFilterSet,
    MeasurementFilterSet,
    NationalTargetFilterSet,
    PartnershipFilterSet,
    RankingFilterSet,
    RegionFilterSet,
    SummaryFilterSet,
)
from .import_action import ImportMixin
from .pagination import CountedBy
from .permissions import actor_of
from .renderers import copy_csv_chunks, csv_chunks
from .serializers import (
    AttainmentSerializer,
    AvailabilitySerializer,
    DeletedMeasurementSerializer,
    DeletedTargetSerializer,
    HistoryEntrySerializer,
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


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = _("The record changed since you read it (If-Match does not match its ETag); read it again.")
    default_code = "precondition_failed"


def etag(obj) -> str:
    return f'"{obj.version}"'


UNKNOWN_CODE = {Region: UNKNOWN_REGION, Indicator: UNKNOWN_INDICATOR}


def by_code(model, code):
    """The region or indicator a path names, or a 404 that names the unknown code, as the filters do."""
    try:
        return model.objects.get(code=code)
    except model.DoesNotExist:
        raise exceptions.NotFound(UNKNOWN_CODE[model] % {"value": code}) from None


class NamedLookupMixin:
    """A path naming a record that does not exist is a 404 that says which, as filters name unknown codes."""

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            model = self.get_queryset().model
            message = UNKNOWN_CODE.get(model) or _("No %(model)s with id %(value)s.")
            message = message % {"model": model._meta.verbose_name, "value": value}
            if model is Region:
                try:
                    check_region_code(value)
                except ValidationError as exc:
                    message = exc.messages[0] if exc.code == "bps_code" else message  # says it is a BPS code
            raise exceptions.NotFound(message) from None


class StrictQueryMixin(NamedLookupMixin):
    """The query string of a create, and of an action without filters, is checked too: only ``format`` and the
    action's own ``query_parameters``, each with a value (``POST …?dry_run=true`` must not quietly create)."""

    query_parameters = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "create" or not self.filter_backends:
            check_query_parameters(request, {api_settings.URL_FORMAT_OVERRIDE, *self.query_parameters})


class ConditionalWriteMixin:
    """No lost updates. Every write locks its row for the length of the request, so concurrent writes of
    different fields apply one after the other to the current row; a write that names the version it read
    (If-Match: the ETag of a GET) is refused with 412 if the row has changed since."""

    conditional_writes = True  # documents If-Match and the 412 (coverage.schema)

    def check_write(self, actor, obj) -> None:
        """Raise coverage.figures.access's refusal unless ``actor`` may write ``obj`` (None: create); asked before the
        request's data is validated, so that a refusal never depends on, or tells about, other rows."""
        access.check_may_change_reference(actor)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            self.check_write(actor_of(self.request), obj)
            wanted = self.request.headers.get("If-Match")
            if wanted is not None and wanted.strip() != "*":
                tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
                if etag(obj) not in tags:
                    raise PreconditionFailed()
        return obj

    @staticmethod
    def with_etag(response):
        response["ETag"] = f'"{response.data["version"]}"'  # the same tag as etag(obj), from the answer itself
        return response

    def retrieve(self, request, *args, **kwargs):
        return self.with_etag(super().retrieve(request, *args, **kwargs))

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        self.check_write(actor_of(request), None)
        return super().create(request, *args, **kwargs)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        return self.with_etag(super().update(request, *args, **kwargs))

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)


class ExportMixin:
    """``?page_size=all`` with CSV streams every matching row, in constant memory, instead of one page."""

    def list(self, request, *args, **kwargs):
        if request.query_params.get("page_size") == "all":
            return self.export(request)
        return super().list(request, *args, **kwargs)

    def export(self, request):
        self.paginator.get_page_number(request, None)  # checked like any page number, though a stream has no pages
        if request.accepted_renderer.format != "csv":
            raise exceptions.ValidationError(
                {"page_size": [_("page_size=all streams every row and needs format=csv (or Accept: text/csv).")]},
                code="csv_only",
            )
        queryset = self.filter_queryset(self.get_queryset())
        header = list(self.get_serializer().fields)
        response = StreamingHttpResponse(self.export_chunks(queryset, header), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}.csv"'
        return response

    def export_chunks(self, queryset, header):
        return csv_chunks(itertools.chain([header], (row.values() for row in self.export_rows(queryset))))

    def export_rows(self, queryset):
        serializer = self.get_serializer()
        return (serializer.to_representation(obj) for obj in queryset.iterator(chunk_size=2000))


class AnswerMixin:
    """Answers whose query parameters are declared as a FilterSet (validated and documented like filters)."""

    def answer_parameters(self, queryset):
        filterset = StrictFilterBackend().validated_filterset(self.request, queryset, self)
        return filterset, filterset.form.cleaned_data


def today():
    return timezone.localdate()


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


class SourceViewSet(ExportMixin, StrictQueryMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """Where figures and targets come from: every figure points to one."""

    queryset = Source.objects.order_by("-published_on", "id")
    serializer_class = SourceSerializer
    lookup_value_regex = r"[0-9]+"

    def check_write(self, actor, obj):
        if obj is not None:
            access.check_may_change_source(actor, obj)


def tombstones(model, *related):
    """Deleted rows of ``model``, oldest first, from its change history."""
    deleted = model.history.filter(history_type="-").annotate(deleted_at=F("history_date"))
    return deleted.select_related(*related).order_by("deleted_at", "history_id")


class DeletedMixin:
    """``deleted/``: what was deleted, for incremental sync."""

    def deleted_list(self):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


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
        queryset = self.filter_queryset(self.get_queryset()) if request.query_params.get("page_size") != "all" else None
        if queryset is None or queryset.model is not Measurement:
            return super().list(request, *args, **kwargs)  # full export, or known_at's historical rows
        page = self.paginate_queryset(CountedBy(representation.figure_values(queryset), queryset))
        return self.get_paginated_response(list(representation.figure_dicts(page)))

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


class SchemaView(SpectacularAPIView):
    """The OpenAPI document: in English, whatever the request's language (a document in one language; the API's
    error messages follow Accept-Language)."""

    language = "en"

    def dispatch(self, request, *args, **kwargs):
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # lazy texts are translated now, in this language
        response["Content-Language"] = self.language
        return response


class SwaggerView(OfflineDocsMixin, SpectacularSwaggerView):
    pass


class RedocView(OfflineDocsMixin, SpectacularRedocView):
    pass


# Errors raised outside the API views (URL resolution, middleware): JSON under /api/ like every other API error,
# Django's pages elsewhere.


def bad_request(request, exception):
    if request.path.startswith("/api/"):
        return status_error_response(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return status_error_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return status_error_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls this inside its except block: a database outage raised outside the API views (e.g. by the
    # response cache's version read) is told apart from a bug here.
    if database_unavailable(sys.exc_info()[1]):
        response = (
            error_response(503, DatabaseUnavailable.default_code, str(DatabaseUnavailable.default_detail))
            if request.path.startswith("/api/")
            else HttpResponse(DatabaseUnavailable.default_detail, status=503, content_type="text/plain; charset=utf-8")
        )
        response["Retry-After"] = str(DatabaseUnavailable.wait)
        return response
    if request.path.startswith("/api/"):
        return status_error_response(500)
    return defaults.server_error(request)
