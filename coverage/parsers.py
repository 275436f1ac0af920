import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser, bounded: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (Django applies
    that limit to forms only), and JSON nested too deeply for Python is a 400, not a 500."""

    def body_limit(self):
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.body_limit()
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge()
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None


class ImportJSONParser(JSONParser):
    """A JSON array of figures to import may be as large as an uploaded file."""

    def body_limit(self):
        return settings.IMPORT_MAX_BYTES
