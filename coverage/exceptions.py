"""One error shape for the whole API (drf-standardized-errors), plus the database's own refusals."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors import handler
from rest_framework import exceptions, serializers, status

from .parsers import RequestTooLarge


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the data.")
    default_code = "conflict"


class ExceptionHandler(handler.ExceptionHandler):
    def convert_known_exceptions(self, exc):
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
