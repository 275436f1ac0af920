"""The data versions: numbers that move on, inside a write's own transaction, whenever what an answer shows changes.

Two of them, because answers differ by who reads:

- ``PUBLIC`` moves when published figures, or the reference data shown with them (regions, indicators, sources,
  targets, partnerships, the names of verifiers), change. Anonymous answers are keyed by it (their ETag and the
  response cache): work on drafts tells outsiders nothing, and leaves their cached answers in place.
- ``ALL`` moves on every change, drafts, region grants and permissions included: the ETag of readers with
  credentials, who may see drafts.

Readers never see a number before the data it stands for (it moves in the writing transaction). Each is kept with
the moment it was reached: a database restored from a backup reaches the same number again, with other data.

With the models: every layer that writes moves them, region loading too.
"""

from typing import NamedTuple

from django.db import connection, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PUBLIC, ALL = 1, 2


class DataVersion(models.Model):
    """One row whose number every write increments, inside the write's own transaction: readers never see a new
    number before the data it stands for. The ETag of every list and answer, and the key of the response cache."""

    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return str(self.version)


class Stamp(NamedTuple):
    version: int
    changed_at: int | None  # microseconds since the epoch; None: never moved

    def __str__(self):
        return f"{self.version}-{self.changed_at or 0}"


class Versions(NamedTuple):
    public: Stamp
    all: Stamp


def bump_data_version(*, public: bool) -> None:
    """Call in the transaction of every write that changes what an answer shows; ``public``: whether anonymous
    readers could see the change (see the module's docstring)."""
    # One row at a time, always ALL before PUBLIC: two writers lock the rows in the same order, never each other.
    now = timezone.now()
    for pk in (ALL, PUBLIC) if public else (ALL,):
        if not DataVersion.objects.filter(pk=pk).update(version=F("version") + 1, changed_at=now):
            DataVersion.objects.get_or_create(pk=pk)


def read_data_versions() -> Versions:
    """Both versions, in one query. Plain SQL on PostgreSQL: the ORM took longer to build this query than PostgreSQL
    takes to run it, and the moment as a number (all that ETags and Last-Modified need) is cheaper to read."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, version, (extract(epoch FROM changed_at) * 1000000)::bigint"
                f" FROM {DataVersion._meta.db_table} WHERE id IN ({PUBLIC}, {ALL})"
            )
            rows = {pk: Stamp(version, moment) for pk, version, moment in cursor.fetchall()}
    else:
        rows = {
            pk: Stamp(version, None if moment is None else round(moment.timestamp() * 1_000_000))
            for pk, version, moment in DataVersion.objects.filter(pk__in=[PUBLIC, ALL]).values_list(
                "pk", "version", "changed_at"
            )
        }
    never = Stamp(0, None)
    return Versions(rows.get(PUBLIC, never), rows.get(ALL, never))
