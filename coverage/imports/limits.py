"""How much one import may take, the same on every door: one byte limit, and the rows of the web doors (inside a
worker's timeout) and of the command. Files beyond them, or not readable at all, are ImportFileErrors."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# The most a multipart form adds to the file it carries (boundaries, headers, the other fields).
FORM_OVERHEAD = 64 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX/JSON, no header, wrong columns, too large)."""

    def __init__(self, message, *, code="invalid_file", status=400):
        super().__init__(message)
        self.code, self.status = code, status


@dataclass(frozen=True)
class ImportLimits:
    """What one import may hold, checked by ``read_table`` (and, for a request, before its body is read) for every
    door: one byte limit for all, and the rows of a door. The API and the admin run inside a worker's timeout and
    take ``web_limits()``; the command runs without one and takes ``command_limits()``."""

    max_bytes: int
    max_rows: int
    web: bool

    def check_bytes(self, size: int | None) -> None:
        """413 ``request_too_large`` for a file (or JSON body) of more than ``max_bytes``."""
        if size is not None and size > self.max_bytes:
            raise ImportFileError(
                _("The file has %(size)s bytes; one import takes at most %(max)s (%(mb)s MB). Split it.")
                % {"size": f"{size:,}", "max": f"{self.max_bytes:,}", "mb": f"{self.max_bytes / 1024 / 1024:g}"},
                code="request_too_large",
                status=413,
            )

    def check_request(self, content_length: int | None, *, form: bool) -> None:
        """The byte limit on a request's declared length, before its body is read (a form may carry its file with
        FORM_OVERHEAD bytes more)."""
        if content_length is not None and content_length > self.max_bytes + (FORM_OVERHEAD if form else 0):
            raise ImportFileError(
                _("The request has %(size)s bytes; one import takes at most %(max)s (%(mb)s MB). Split the file.")
                % {
                    "size": f"{content_length:,}",
                    "max": f"{self.max_bytes:,}",
                    "mb": f"{self.max_bytes / 1024 / 1024:g}",
                },
                code="request_too_large",
                status=413,
            )

    def check_rows(self, rows: int) -> None:
        """413 ``too_many_rows`` once a file is seen to hold more than ``max_rows`` rows (reading stops there)."""
        if rows <= self.max_rows:
            return
        if self.web:
            message = _(
                "More than %(max)s rows: the API and the admin take at most %(max)s rows per import. Split the "
                "file, or import it with the command (manage.py import_measurements, up to %(command)s rows)."
            ) % {"max": f"{self.max_rows:,}", "command": f"{settings.IMPORT_MAX_ROWS:,}"}
        else:
            message = _("More than %(max)s rows; one import takes at most %(max)s. Split the file.") % {
                "max": f"{self.max_rows:,}"
            }
        raise ImportFileError(message, code="too_many_rows", status=413)


def web_limits() -> ImportLimits:
    """The API's and the admin's limits: IMPORT_MAX_BYTES and IMPORT_MAX_WEB_ROWS."""
    return ImportLimits(settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_WEB_ROWS, web=True)


def command_limits() -> ImportLimits:
    """The command's limits: IMPORT_MAX_BYTES and IMPORT_MAX_ROWS."""
    return ImportLimits(settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS, web=False)
