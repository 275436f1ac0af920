"""The API's import door: ``POST /api/v1/measurements/import/`` (a file or a JSON array), all or nothing."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from . import services
from .parsers import ImportJSONParser, RequestTooLarge
from .scopes import request_scope
from .serializers import ImportErrorResponseSerializer, ImportParametersSerializer, ImportReportSerializer


class ImportMixin:
    """The ``import`` action of the figures' viewset."""

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "CSV, XLSX or JSON file."},
                    "dry_run": {"type": "boolean", "description": "true: check and count, write nothing."},
                    "source": {"type": "integer", "description": "Source id for rows that do not name one."},
                },
                "required": ["file"],
            },
            "application/json": {"type": "array", "items": {"type": "object"}},
        },
        parameters=[
            OpenApiParameter("dry_run", bool, description=_("true: check and count, write nothing (default false).")),
            OpenApiParameter("source", int, description=_("Source id for rows that do not name one.")),
        ],
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                response=ImportErrorResponseSerializer,
                description=_("Bad rows (every one listed with line, column and reason); nothing written."),
            ),
        },
        summary="Import figures from CSV, XLSX or JSON, all or nothing",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[ImportJSONParser, MultiPartParser],
        filter_backends=[],
        query_parameters=("dry_run", "source"),
        pagination_class=None,
        serializer_class=ImportReportSerializer,
    )
    def import_file(self, request):
        """Create, update or leave unchanged each figure of the file, keyed on (region, indicator, as_of). Columns
        are the API's field names, so a `?format=csv` export imports back unchanged. One transaction: a single bad
        row means nothing is written, and the answer names every bad row. Needs the add and change permissions;
        without the permission to publish, figures land as drafts."""
        if not request.user.has_perms(["coverage.add_measurement", "coverage.change_measurement"]):
            raise exceptions.PermissionDenied()
        params = ImportParametersSerializer(data={**request.query_params.dict(), **self._form_fields(request)})
        params.is_valid(raise_exception=True)
        try:
            rows = self._uploaded_rows(request)
            report = services.import_measurements(
                rows,
                user=request.user,
                dry_run=params.validated_data["dry_run"],
                default_source=params.validated_data.get("source"),
                max_rows=settings.IMPORT_MAX_ROWS,
                scope=request_scope(request),
            )
        except services.ImportFileError as exc:
            if exc.status == 413:
                raise RequestTooLarge(str(exc), code=exc.code) from None
            raise exceptions.ValidationError({"file": [exceptions.ErrorDetail(str(exc), code=exc.code)]}) from None
        data = self.get_serializer(report).data
        if report.errors:
            return Response(
                {
                    "type": "validation_error",
                    "errors": [{**error, "attr": error["attr"]} for error in data["errors"]],
                    "summary": {k: v for k, v in data.items() if k != "errors"},
                },
                status=400,
            )
        return Response(data)

    @staticmethod
    def _form_fields(request):
        return (
            {k: v for k, v in request.data.items() if k in ("dry_run", "source")}
            if hasattr(request.data, "items") and not isinstance(request.data, list)
            else {}
        )

    @staticmethod
    def _uploaded_rows(request):
        if isinstance(request.data, list):
            return services.rows_from_objects(request.data)
        upload = request.FILES.get("file")
        if upload is None:
            raise services.ImportFileError(
                _("Send the file as the multipart field file, or a JSON array."), code="required"
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise services.ImportFileError(
                _("The file is larger than %(max)s bytes.") % {"max": settings.IMPORT_MAX_BYTES},
                code="request_too_large",
                status=413,
            )
        return services.read_table(upload.read(), filename=upload.name, content_type=upload.content_type or "")
