"""A figure's fields, in one table: every list of them elsewhere (the API's representation and its CSV columns, the
import's columns and what it writes, the history's fields, what makes a verified figure a new one) derives from it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureField:
    name: str  # in the API, in import files, in the history and in CSV exports
    column: str  # the model's attribute (region_id for region): what imports stage and write
    value: str  # the values() path of the list representation (region__code)
    imported: bool = False  # a column import files name, and that a change of records (history)
    written: bool = False  # written by an import to a figure it names by (region, indicator, as_of)
    content: bool = False  # what a figure says: changing it makes a verified or published figure a new, unreviewed one
    text: bool = False  # text in CSV exports (written spreadsheet-safe)
    moment: bool = False  # a timestamp


FIELDS = (
    FigureField("id", "id", "id"),
    FigureField("region", "region_id", "region__code", imported=True, content=True, text=True),
    FigureField("region_name", "region_id", "region__name", text=True),
    FigureField("region_bps_code", "region_id", "region__bps_code", text=True),
    FigureField("indicator", "indicator_id", "indicator__code", imported=True, content=True, text=True),
    FigureField("as_of", "as_of", "as_of", imported=True, content=True),
    FigureField("value", "value", "value", imported=True, written=True, content=True),
    FigureField("numerator", "numerator", "numerator", imported=True, written=True, content=True),
    FigureField("denominator", "denominator", "denominator", imported=True, written=True, content=True),
    FigureField("source", "source_id", "source_id", imported=True, written=True, content=True),
    FigureField("status", "status", "status", imported=True, written=True, text=True),
    FigureField("verified_by", "verified_by_id", "verified_by__username", text=True),
    FigureField("verified_at", "verified_at", "verified_at", moment=True),
    FigureField("version", "version", "version"),
    FigureField("created_at", "created_at", "created_at", moment=True),
    FigureField("updated_at", "updated_at", "updated_at", moment=True),
)

NAMES = tuple(field.name for field in FIELDS)  # the representation, in order
IMPORTED = tuple(field.name for field in FIELDS if field.imported)
EXPORT_ONLY = tuple(name for name in NAMES if name not in IMPORTED)  # ignored when an export is imported back
STAGED = tuple(field.column for field in FIELDS if field.imported)  # what a checked import row holds
WRITTEN = tuple(field.column for field in FIELDS if field.written)
CONTENT = tuple(field.name for field in FIELDS if field.content)
TEXT = tuple(field.name for field in FIELDS if field.text)
MOMENTS = tuple(field.name for field in FIELDS if field.moment)
