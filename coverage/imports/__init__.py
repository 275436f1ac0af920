"""Bulk import of figures, one service behind three doors (the API, the admin, the command): files read with the
same limits (limits), rows checked column by column (checking), and all or nothing written by the ORM or, on
PostgreSQL, set-based (the writers)."""

from .files import read_table
from .limits import ImportFileError, ImportLimits, command_limits, web_limits
from .report import ImportReport
from .service import import_measurements

__all__ = [
    "ImportFileError",
    "ImportLimits",
    "ImportReport",
    "command_limits",
    "import_measurements",
    "read_table",
    "web_limits",
]
