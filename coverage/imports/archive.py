"""An XLSX file's archive, checked before anything is unpacked: how many parts, how large each unpacks, how much it
packs. Python's zipfile never unpacks a part past the size its directory declares, so these bound what reading
the workbook can cost."""

import struct
import zipfile

from django.utils.translation import gettext as _

from .limits import ImportFileError

XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_DIRECTORY = 1024 * 1024  # bytes of the central directory (each member's entry), parsed whole by zipfile
XLSX_MAX_RATIO = 100  # unpacked / packed size of a member over 1 MiB; sheets measure 10–20, bombs 300–1,000
XLSX_RATIO_FROM = 1024 * 1024
XLSX_MAX_PART = 4 * 1024 * 1024  # a part read whole: any but the sheets and shared strings (styles, workbook…)
# Budgets per row the door takes (rows + 1, so that one row too many is seen and refused as such): bytes the
# archive may unpack to (the widest row, an export's 15 columns written as text, takes ~720; the sheet is read as it
# streams, so this bounds the time to read it, not memory: empty cells are read though no row counts them), and the
# entries of the shared-strings table and their characters (held whole while the sheet is read; counted as it
# streams).
XLSX_BYTES_PER_ROW = 4096
XLSX_STRINGS_PER_ROW = 16
XLSX_CHARACTERS_PER_ROW = 256
XLSX_LAST_ROW = 1_048_576  # Excel's last row
XLSX_MAX_CELL = 32_767  # characters of a cell (Excel's own limit), and of a shared text


def too_large(message, **params):
    return ImportFileError(message % params, code="xlsx_too_large")


def check_archive(file, size, limits) -> None:
    """The XLSX (ZIP) archive's directory, before anything is unpacked: members, their declared sizes and ratios,
    within the limits of a file the door may take (``XLSX_*`` above)."""
    entries, directory = _zip_directory(file, size)
    if entries > XLSX_MAX_MEMBERS or directory > XLSX_MAX_DIRECTORY:
        raise too_large(
            _("The archive holds %(entries)s parts; a workbook holds a few dozen (at most %(max)s)."),
            entries=f"{entries:,}",
            max=f"{XLSX_MAX_MEMBERS:,}",
        )
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # a directory that lies about itself
        raise ImportFileError(_("Not a readable XLSX file: %(error)s") % {"error": str(exc)[:200]}) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise too_large(
            _("The archive holds %(entries)s parts; a workbook holds a few dozen (at most %(max)s)."),
            entries=f"{len(members):,}",
            max=f"{XLSX_MAX_MEMBERS:,}",
        )
    rows = limits.max_rows + 1
    total, most = 0, rows * XLSX_BYTES_PER_ROW + XLSX_MAX_PART
    for member in members:
        mb = f"{member.file_size / 1024 / 1024:,.1f}"
        if member.file_size > XLSX_RATIO_FROM and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
            raise too_large(
                _(
                    "%(name)s unpacks to %(mb)s MB, %(ratio)s times its packed size: a spreadsheet packs at most "
                    "%(max)s times. The file is refused unread."
                ),
                name=member.filename[:100],
                mb=mb,
                ratio=f"{member.file_size // max(member.compress_size, 1):,}",
                max=XLSX_MAX_RATIO,
            )
        # Parts read whole; not the sheets and the shared strings, which are read as they stream.
        name = member.filename.lower()
        whole = not name.startswith("xl/worksheets/") and not name.endswith("sharedstrings.xml")
        if whole and member.file_size > XLSX_MAX_PART:
            raise too_large(
                _(
                    "%(name)s unpacks to %(mb)s MB; an import reads at most %(max)s MB of it. Copy the figures alone "
                    "into a new workbook."
                ),
                name=member.filename[:100],
                mb=mb,
                max=XLSX_MAX_PART // 1024 // 1024,
            )
        total += member.file_size
    if total > most:
        raise too_large(
            _(
                "The workbook unpacks to %(mb)s MB, more than %(max)s MB: the size of %(rows)s rows, the most one "
                "import takes. Split it, or copy the figures alone into a new workbook."
            ),
            mb=f"{total / 1024 / 1024:,.1f}",
            max=f"{most / 1024 / 1024:,.0f}",
            rows=f"{limits.max_rows:,}",
        )


def _zip_directory(file, size) -> tuple[int, int]:
    """(entries, bytes) of a ZIP archive's central directory as its end record says, found the way zipfile finds
    it (the last record, ZIP64's if there is one), before zipfile reads the directory whole."""
    tail_size = min(size, 22 + 65_535 + 20 + 56)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    if tail[-22:-18] == b"PK\x05\x06" and tail[-2:] == b"\0\0":
        end = len(tail) - 22
    else:
        end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        raise ImportFileError(_("Not a readable XLSX file: not a ZIP archive."))
    *_ignored, entries, directory, _offset, _comment = struct.unpack("<4s4H2LH", tail[end : end + 22])
    if end >= 76 and tail[end - 20 : end - 16] == b"PK\x06\x07" and tail[end - 76 : end - 72] == b"PK\x06\x06":
        entries, directory = struct.unpack("<QQ", tail[end - 76 + 32 : end - 76 + 48])
    return entries, directory
