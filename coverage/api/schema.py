"""OpenAPI generation: error responses as they really are, examples from the article."""

import django_filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer
from drf_standardized_errors import openapi
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ServerErrorEnum,
    ValidationErrorEnum,
    ValidationErrorResponseSerializer,
)
from rest_framework import permissions, serializers

from ..figures.values import INDICATOR_CODE, ISO_DATE, MOMENT_AFTER_YEAR, MOMENT_YEARS, check_indicator_code
from ..models import BPS_CODE_RE
from ..regions.codes import KEMENDAGRI_CODE, check_region_code
from . import filterfields
from .permissions import ModelPermissionsWithPublicRead

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The shape of each kind of code, by the function that checks it.
CODE_PATTERNS = {check_region_code: KEMENDAGRI_CODE.pattern, check_indicator_code: INDICATOR_CODE.pattern}


def client_error_response(status_code, codes, types=ClientErrorEnum, *, name=""):
    """An error response component in the shape of drf-standardized-errors' own (type, errors[code, detail, attr]);
    ``name`` tells apart components of one status with other codes."""

    class Error(serializers.Serializer):
        code = serializers.ChoiceField(choices=[(code, code) for code in codes])
        detail = serializers.CharField()
        attr = serializers.CharField(allow_null=True)

        class Meta:
            ref_name = f"Error{status_code}{name}"

    class ErrorResponse(serializers.Serializer):
        type = serializers.ChoiceField(choices=types.choices)
        errors = Error(many=True)

        class Meta:
            ref_name = f"ErrorResponse{status_code}{name}"

    return ErrorResponse


# Errors only a write can meet.
WRITE_ERRORS = {
    "409": client_error_response(409, ["conflict", "protected"]),
    "413": client_error_response(413, ["request_too_large"]),
}


# A request refused before its fields are read.
CLIENT_ERROR_400 = client_error_response(400, ["parse_error", "bad_request"], name="Client")

# A write whose If-Match names an older version of the record.
PRECONDITION_ERROR = client_error_response(412, ["precondition_failed"])

# The library's own codes plus those of API keys and region scopes, and the database outage every operation
# can meet.
OWN_ERRORS = {
    "401": client_error_response(
        401,
        [
            "authentication_failed",
            "not_authenticated",
            "unsupported_scheme",
            "invalid_key",
            "key_expired",
            "inactive_account",
        ],
    ),
    "403": client_error_response(403, ["permission_denied", "read_only_key", "out_of_scope"]),
    "503": client_error_response(503, ["database_unavailable"], types=ServerErrorEnum),
}


class AutoSchema(openapi.AutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        # Reads are open data (API_PUBLIC_READ): a credential is optional there, and the schema says so.
        # Actions that need one whatever the setting are listed in the view's credential_required_actions.
        public_read = any(
            isinstance(permission, ModelPermissionsWithPublicRead) for permission in self.view.get_permissions()
        ) and getattr(self.view, "action", None) not in getattr(self.view, "credential_required_actions", ())
        if self.method in permissions.SAFE_METHODS and settings.API_PUBLIC_READ and public_read and {} not in auths:
            auths.append({})
        return auths

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(force_instance(serializer), serializers.ModelSerializer):
            # A record's representation always carries every field: a field a write may leave out (value, when the
            # counts are given) is still in every answer. (Answers built from plain serializers keep required=False
            # for what they may leave out.)
            result["required"] = sorted(result.get("properties", {}))
        return result

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._conditional_write():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description=str(
                        _(
                            'The ETag of the record as read (e.g. "3"): the write is refused with 412 if the record '
                            "changed since. Optional."
                        )
                    ),
                )
            )
        return parameters

    def _conditional_write(self):
        return self.method in ("PUT", "PATCH", "DELETE") and getattr(self.view, "conditional_writes", False)

    def _should_add_error_response(self, responses, status_code):
        if status_code == "412":
            return self._conditional_write() and status_code not in responses
        if status_code in WRITE_ERRORS:
            return self.method in WRITE_METHODS and status_code not in responses
        if status_code == "503":
            return status_code not in responses
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code):
        return (
            WRITE_ERRORS.get(status_code)
            or OWN_ERRORS.get(status_code)
            or (PRECONDITION_ERROR if status_code == "412" else None)
            or super()._get_error_response_serializer(status_code)
        )

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        if str(status_code)[0] in "45":
            media_types = ["application/json"]  # errors are JSON whatever format was asked for
        return super()._get_response_for_code(serializer, status_code, media_types, direction)

    def _should_add_validation_error_response(self):
        # Every operation validates its query string (an unknown parameter, or an unknown format, is a 400
        # validation_error), not only those with a body or filters.
        return True

    def _get_http400_serializer(self):
        # Every request can be refused before it is read as fields: a body that is not JSON (parse_error), or more
        # query parameters than the service reads, or a bad Host (bad_request).
        return PolymorphicProxySerializer(
            component_name=super()._get_http400_serializer().component_name,
            serializers={
                ValidationErrorEnum.VALIDATION_ERROR.value: self._get_serializer_for_validation_error_response(),
                ClientErrorEnum.CLIENT_ERROR.value: CLIENT_ERROR_400,
            },
            resource_type_field_name="type",
        )

    def _get_serializer_for_validation_error_response(self):
        # One open shape (attr: the field or query parameter, code: a stable machine-readable string) rather
        # than closed per-operation enums, which an unknown query parameter would contradict.
        return ValidationErrorResponseSerializer


class ClosedBodyExtension(OpenApiSerializerExtension):
    """A record's request body is closed (``additionalProperties: false``): the serializers refuse a field they do
    not know with a 400 (ModelCleanSerializer.to_internal_value), so the schema says so. A record's read-only
    fields, sent back as a GET gave them, are accepted and ignored; a generated client need not send them."""

    target_class = "coverage.api.serializers.records.ModelCleanSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class StrictFilterExtension(DjangoFilterExtension):
    """django-filter's schema, keeping each filter's help_text as its description even where the
    parameter type is given with @extend_schema_field."""

    target_class = "coverage.api.filtering.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
            parameter["schema"] = {**parameter["schema"], **parameter_bounds(filter_field)}
            if isinstance(filter_field, django_filters.OrderingFilter):
                parameter.update(style="form", explode=False)  # one parameter, comma-separated
            if parameter.get("explode"):
                parameter["description"] = (
                    f"{parameter.get('description', '')} Several values: comma-separated "
                    f"(`?{parameter['name']}=a,b`) or repeated (`?{parameter['name']}=a&{parameter['name']}=b`)."
                ).strip()
        return parameters


def parameter_bounds(filter_field) -> dict:
    """What the service enforces of a query parameter, as JSON Schema: a generated client refuses what the service
    would refuse (tests/api/test_schema_bounds.py checks each bound against the service)."""

    field_class = getattr(filter_field, "field_class", None)
    if isinstance(filter_field, filterfields.BpsCodeFilter):
        item = {"type": "string", "pattern": f"^ *(?:{BPS_CODE_RE}) *(?:, *(?:{BPS_CODE_RE}) *)*$"}
        return {"type": "array", "items": item, "minItems": 1, "maxItems": 1000}
    if isinstance(filter_field, filterfields.CodeListFilter):
        code = CODE_PATTERNS[filter_field.extra["check_code"]]
        if filterfields.takes_region_codes(filter_field):  # BPS codes too, with code_system=bps
            code = f"{code}|{BPS_CODE_RE}"
        # One or more codes per occurrence, comma-separated, spaces around them allowed; no empty value.
        item = {"type": "string", "pattern": f"^ *(?:{code}) *(?:, *(?:{code}) *)*$"}
        return {"type": "array", "items": item, "minItems": 1, "maxItems": filter_field.extra.get("max_values", 1000)}
    if isinstance(filter_field, filterfields.ChoiceListFilter):
        return {"minItems": 1, "maxItems": 1000}
    if isinstance(filter_field, django_filters.OrderingFilter):
        return {"minItems": 1}
    if field_class is not None and issubclass(field_class, filterfields.IsoDateField):
        return {"type": "string", "format": "date", "pattern": f"^{ISO_DATE.pattern}$"}
    if field_class is not None and issubclass(field_class, filterfields.MomentField):
        first, last = MOMENT_YEARS
        years = "|".join(f"{century}[0-9]{{2}}" for century in range(first // 100, last // 100)) + f"|{last}"
        return {"type": "string", "format": "date-time", "pattern": f"^(?:{years}){MOMENT_AFTER_YEAR}$"}
    if isinstance(filter_field, filterfields.YearFilter):
        return {"type": "integer", "minimum": 1900, "maximum": 2100}
    if isinstance(filter_field, django_filters.CharFilter):
        return {"type": "string", "minLength": 1, "maxLength": filter_field.extra.get("max_length", 100)}
    return {}


# The article's own values (DKP3A Kaltim, figures as of 2024-06-13), keyed by parameter name.
QUERY_EXAMPLES = {
    "code_system": "kemendagri",
    "lineage": True,
    "retired": False,
    "bps_code": "6402",
    "region": "64.71",
    "indicator": "kia-ownership",
    "parent": "64",
    "within": "64",
    "level": 2,
    "kind": "city",
    "as_of": "2024-06-13",
    "as_of_from": "2024-01-01",
    "as_of_to": "2024-06-30",
    "year": 2024,
    "latest": True,
    "ordering": "-value",
    "search": "Balikpapan",
    "page": 1,
    "page_size": 50,
    "format": "json",
    "status": "published",
    "known_at": "2024-07-01T00:00:00Z",
    "updated_after": "2024-06-21T00:00:00Z",
    "deleted_after": "2024-06-21T00:00:00Z",
    "rollup": True,
    "dry_run": True,
    "flag": "rollup_mismatch",
    "source": 1,
    "children": True,
}
# Path parameters by resource (the segment after /api/v1/).
PATH_PARAMETERS = {
    "regions": ("64", _("Kemendagri region code, e.g. 64 for Kalimantan Timur or 64.71 for Kota Balikpapan.")),
    "indicators": ("kia-ownership", _("Indicator code.")),
    "sources": (1, _("Id of the source.")),
    "targets": (1, _("Id of the target.")),
    "measurements": (1, _("Id of the figure.")),
    "partnerships": (1, _("Id of the programme.")),
}
FORMAT_DESCRIPTION = _(
    "json (the default) or csv: a header row, ISO dates, . decimals, UTF-8 (Accept: text/csv works too). "
    "On lists, page_size=all with csv streams every matching row."
)
# Properties of the shared envelopes (pagination, errors) that come from libraries without descriptions.
COMMON_PROPERTIES = {
    "count": _("Number of rows that match the filters, over all pages."),
    "next": _("URL of the next page; null on the last page."),
    "previous": _("URL of the previous page; null on the first page."),
    "results": _("The rows of this page."),
    "type": _("validation_error, client_error or server_error."),
    "errors": _("One entry per problem."),
    "code": _("Stable machine-readable error code, e.g. unknown_parameter, invalid_choice, required."),
    "detail": _("Human-readable message (Bahasa Indonesia, or English with Accept-Language: en)."),
    "attr": _("The field or query parameter at fault; null when the error concerns the whole request."),
}


def add_parameter_examples(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "query" and name in QUERY_EXAMPLES:
                    example = QUERY_EXAMPLES[name]
                    if parameter.get("schema", {}).get("type") == "array":
                        example = [example]
                    parameter.setdefault("example", example)
                    if name == "format":
                        parameter["description"] = str(FORMAT_DESCRIPTION)
                elif parameter["in"] == "header" and name == "If-Match":
                    parameter.setdefault("example", '"1"')
                elif parameter["in"] == "path" and path.split("/")[3] in PATH_PARAMETERS:
                    example, description = PATH_PARAMETERS[path.split("/")[3]]
                    parameter.setdefault("example", example)
                    parameter.setdefault("description", str(description))
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.startswith(("Paginated", "Error", "ValidationError", "ParseError")):
            for prop, schema in component.get("properties", {}).items():
                if prop in COMMON_PROPERTIES and "description" not in schema:
                    schema["description"] = str(COMMON_PROPERTIES[prop])
    return result


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "coverage.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _(
                    "The key of a client app, as `Api-Key <key>` (keys are made in the admin or with "
                    "`manage.py api_key create`). Read-only or read-write, and possibly limited to regions."
                )
            ),
        }


LONG_URL = _(
    "The request line is longer than the server takes (8,190 bytes): answered by the WSGI server before the service "
    "sees the request, as an HTML page. Send fewer or shorter parameters."
)


def document_server_limits(result, generator, request, public):
    """Every operation may meet the WSGI server's own refusal of a request line that is too long (414)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation["responses"].setdefault(
                "414", {"description": str(LONG_URL), "content": {"text/html": {"schema": {"type": "string"}}}}
            )
    return result
