"""Request bodies: JSON bounded in size, and the import's JSON array or file, refused before they are read when too
large."""

import io

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status

from .. import imports


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser, bounded: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (DRF reads a JSON
    parser's body through ``request.body``, which Django refuses past that size; a stream given otherwise is held to
    it here), and JSON nested too deeply for Python is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge()
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None


def _content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _too_large(exc) -> RequestTooLarge:
    return RequestTooLarge(str(exc), code=exc.code)


class ImportBody(bytes):
    """The import's JSON body as sent, for imports.read_table to decode row by row."""


class ImportJSONParser(parsers.BaseParser):
    """A JSON array of figures to import: as large as a file (IMPORT_MAX_BYTES, refused before it is read when its
    Content-Length says more), handed on undecoded so that imports.read_table counts its rows as it decodes them.

    Not a subclass of DRF's JSONParser: DRF gives such a parser the body through ``request.body``, which Django
    refuses past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), the limit of every other JSON endpoint."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):

        limits = imports.web_limits()
        try:
            limits.check_request(_content_length(parser_context["request"]), form=False)
            body = stream.read(limits.max_bytes + 1) if stream is not None else b""
            limits.check_bytes(len(body))
        except imports.ImportFileError as exc:
            raise _too_large(exc) from None
        return ImportBody(body)


class ImportMultiPartParser(parsers.MultiPartParser):
    """The import's file upload, refused before its body is read when its Content-Length is over the byte limit."""

    def parse(self, stream, media_type=None, parser_context=None):

        try:
            imports.web_limits().check_request(_content_length(parser_context["request"]), form=True)
        except imports.ImportFileError as exc:
            raise _too_large(exc) from None
        return super().parse(stream, media_type, parser_context)


class ImportSizeUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a form whose Content-Length is over the import's byte limit keeps its fields
    but not its file, which is read past and never stored (the admin's import form then says why). The other
    fields come first in the form, the CSRF token among them, so the refusal is shown, not a CSRF failure."""

    too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):

        try:
            imports.web_limits().check_request(content_length, form=True)
        except imports.ImportFileError:
            self.too_large = True

    def new_file(self, *args, **kwargs):
        if self.too_large:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
