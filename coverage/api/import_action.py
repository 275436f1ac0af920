"""The API's import door: ``POST /api/v1/measurements/import/`` (a file or a JSON array), all or nothing."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import imports
from ..figures import access
from ..regions import crosswalk
from .clients import actor_of
from .parsers import ImportBody, ImportJSONParser, ImportMultiPartParser, RequestTooLarge
from .schema import client_error_response
from .serializers.imports import (
    ImportErrorResponseSerializer,
    ImportParametersSerializer,
    ImportReportSerializer,
)


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
                    "code_system": {
                        "type": "string",
                        "enum": list(crosswalk.CODE_SYSTEMS),
                        "description": "How the file's region codes are read: kemendagri (default) or bps.",
                    },
                },
                "required": ["file"],
            },
            "application/json": {"type": "array", "items": {"type": "object"}},
        },
        parameters=[
            OpenApiParameter("dry_run", bool, description=_("true: check and count, write nothing (default false).")),
            OpenApiParameter("source", int, description=_("Source id for rows that do not name one.")),
            OpenApiParameter(
                "code_system",
                str,
                enum=list(crosswalk.CODE_SYSTEMS),
                description=_(
                    "How the file's region codes are read: kemendagri (64.07, the default) or bps (6402, by the BPS "
                    "crosswalk). The figures keep Kemendagri codes."
                ),
            ),
        ],
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                response=ImportErrorResponseSerializer,
                description=_(
                    "Bad rows (the first 1,000 errors listed with line, column and reason; error_count says how "
                    "many there are in all), or a file that cannot be read; nothing written."
                ),
            ),
            413: OpenApiResponse(
                response=client_error_response(413, ["request_too_large", "too_many_rows"], name="Import"),
                description=_(
                    "A file or JSON body over IMPORT_MAX_BYTES (request_too_large), or more rows than "
                    "IMPORT_MAX_WEB_ROWS (too_many_rows); nothing written."
                ),
            ),
        },
        summary="Import figures from CSV, XLSX or JSON, all or nothing",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[ImportJSONParser, ImportMultiPartParser],
        filter_backends=[],
        query_parameters=("dry_run", "source", "code_system"),
        pagination_class=None,
        serializer_class=ImportReportSerializer,
    )
    def import_file(self, request):
        """Create, update or leave unchanged each figure of the file, keyed on (region, indicator, as_of). Columns
        are the API's field names, so a `?format=csv` export imports back unchanged. One transaction: a single bad
        row means nothing is written, and the answer names the bad rows (the first 1,000 errors, and how many in
        all). A file or JSON array takes at most IMPORT_MAX_BYTES and IMPORT_MAX_WEB_ROWS rows (413 beyond; the
        command takes more rows). Needs the add and change permissions; without the permission to publish, figures
        land as drafts."""
        actor = actor_of(request)
        access.check_may_import(actor)
        form = self._form_fields(request)
        twice = sorted(name for name, value in form.items() if request.query_params.get(name, value) != value)
        if twice:  # which one was meant? (?dry_run=true with a form's dry_run=false would write)
            raise exceptions.ValidationError(
                {
                    name: [
                        exceptions.ErrorDetail(
                            _("Given differently in the query string and in the form: give it once."), code="conflict"
                        )
                    ]
                    for name in twice
                }
            )
        params = ImportParametersSerializer(data={**request.query_params.dict(), **form})
        params.is_valid(raise_exception=True)
        try:
            rows = self._uploaded_rows(request, imports.web_limits())
            report = imports.import_measurements(
                rows,
                actor=actor,
                dry_run=params.validated_data["dry_run"],
                default_source=params.validated_data.get("source"),
                code_system=params.validated_data["code_system"],
            )
        except imports.ImportFileError as exc:
            if exc.status == 413:
                raise RequestTooLarge(str(exc), code=exc.code) from None
            raise exceptions.ValidationError({"file": [exceptions.ErrorDetail(str(exc), code=exc.code)]}) from None
        data = self.get_serializer(report).data
        if report.error_count:
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
        # A multipart form's fields; a JSON body (ImportBody) has none.
        fields = request.data.items() if hasattr(request.data, "items") else ()
        return {k: v for k, v in fields if k in ("dry_run", "source", "code_system")}

    @staticmethod
    def _uploaded_rows(request, limits):
        if isinstance(request.data, ImportBody):
            return imports.read_table(request.data, limits=limits, content_type="application/json")
        upload = request.FILES.get("file")
        if upload is None:
            raise imports.ImportFileError(
                _("Send the file as the multipart field file, or a JSON array."), code="required"
            )
        return imports.read_table(upload, limits=limits, filename=upload.name, content_type=upload.content_type or "")
