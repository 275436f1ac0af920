"""One error shape for the whole API (drf-standardized-errors), plus the database's own refusals."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors import handler
from rest_framework import exceptions, serializers, status

from ..figures.access import AccessDenied
from .parsers import RequestTooLarge


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the data.")
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The database is unavailable; try again in a few seconds.")
    default_code = "database_unavailable"
    wait = 5  # seconds, sent as Retry-After


def database_unavailable(exc) -> bool:
    """The database cannot be reached (down, restarting, connection lost): a 503, not a 500."""
    return isinstance(exc, OperationalError | InterfaceError)


class ExceptionHandler(handler.ExceptionHandler):
    def convert_known_exceptions(self, exc):
        if isinstance(exc, AccessDenied):
            request = self.context.get("request")
            if request is not None and not request.user.is_authenticated:
                return exceptions.NotAuthenticated()  # as DRF answers its own permission checks
            return exceptions.PermissionDenied(str(exc), code=exc.code)
        if database_unavailable(exc):
            return DatabaseUnavailable()
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        if isinstance(exc, SuspiciousOperation):
            # e.g. more than DATA_UPLOAD_MAX_NUMBER_FIELDS query parameters: the client's fault, not ours.
            return exceptions.ParseError(_("The request was refused: %(reason)s") % {"reason": exc}, code="bad_request")
        if isinstance(exc, ProtectedError | RestrictedError):
            blocking = (
                sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
                if hasattr(exc, "protected_objects")
                else []
            )
            return Conflict(
                _("Cannot delete: %(objects)s still refer to it.") % {"objects": ", ".join(blocking)}, code="protected"
            )
        if isinstance(exc, IntegrityError):
            # Validation runs first, so this is a race with another writer (e.g. the same key created twice).
            return Conflict(_("The change conflicts with data written at the same time; reload and retry."))
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(serializers.as_serializer_error(exc))
        return super().convert_known_exceptions(exc)


def error_response(status, code, detail) -> JsonResponse:
    """The API's error shape, for errors answered outside DRF (URL resolution, middleware)."""
    return JsonResponse(
        {
            "type": "client_error" if status < 500 else "server_error",
            "errors": [{"code": code, "detail": str(detail), "attr": None}],
        },
        status=status,
    )


# The API's errors for the statuses Django answers by itself (URL resolution, middleware, its DEBUG pages).
STATUS_ERRORS = {
    400: ("bad_request", _("Bad request.")),
    403: ("permission_denied", _("You do not have permission to perform this action.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("Method not allowed.")),
    500: ("error", _("Server error.")),
}


def status_error_response(status) -> JsonResponse:
    code, detail = STATUS_ERRORS.get(status, ("error", _("Server error.")) if status >= 500 else ("client_error", ""))
    return error_response(status, code, detail or _("The request was refused."))
