"""The columns a file names: the API's field names (coverage.figures.fields), so that an export imports back
unchanged; an export's other columns say nothing new about a figure, and are ignored."""

from django.utils.translation import gettext as _

from ..figures.fields import EXPORT_ONLY, IMPORTED
from .limits import ImportFileError


def named_cells(header, cells, line):
    """A row as {column: text}; a value in a column without a name (or beyond the header) is refused."""
    if any(str(cell).strip() for name, cell in zip(header, cells, strict=False) if not name) or any(
        str(cell).strip() for cell in cells[len(header) :]
    ):
        raise ImportFileError(
            _("Line %(line)s has a value in a column without a name.") % {"line": line}, code="unnamed_column"
        )
    return {name: cell for name, cell in zip(header, cells, strict=False) if name}


def check_header(columns):
    """The header's column names, checked: known, none twice, the key columns present."""
    columns = [str(c).strip() for c in columns]
    named = [c for c in columns if c]
    unknown = [c for c in named if c not in IMPORTED and c not in EXPORT_ONLY]
    if unknown:
        raise ImportFileError(
            _("Unknown column(s): %(columns)s. Columns are the API's field names: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(IMPORTED)},
            code="unknown_column",
        )
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise ImportFileError(
            _("Column(s) named twice: %(columns)s.") % {"columns": ", ".join(twice)}, code="duplicate_column"
        )
    missing = [c for c in ("region", "indicator", "as_of") if c not in named]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}, code="missing_column"
        )
    return columns
