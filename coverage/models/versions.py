"""The data versions: numbers that move on, inside a write's own transaction, whenever what an answer shows changes.

They differ by who reads, and by what an answer reads:

- ``PUBLIC`` moves when published figures, or the reference data shown with them (regions, indicators, sources,
  targets, partnerships, the names of verifiers), change anywhere. Anonymous answers about the whole country are
  keyed by it (their ETag and the response cache): work on drafts tells outsiders nothing, and leaves their cached
  answers in place.
- ``REFERENCE`` moves with PUBLIC for every public change that is not a figure's (regions, indicators, sources,
  targets, partnerships, users), and one version per province moves with PUBLIC when a published figure of a region
  in it changes. An anonymous answer that reads the figures of some provinces only (coverage.api.scope) is keyed by
  REFERENCE and those provinces' versions: a question about Kalimantan Timur keeps its cached answer while Papua
  publishes. REFERENCE alone keys what is built from reference data only: the codes filters have looked up, and
  the SQL of a question (coverage.api.plans), which figures do not change.
- ``ALL`` moves on every change, drafts, region grants and permissions included: the ETag of readers with
  credentials, who may see drafts.

Readers never see a number before the data it stands for (it moves in the writing transaction). Each is kept with
the moment it was reached: a database restored from a backup reaches the same number again, with other data.

With the models: every layer that writes moves them, region loading too.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, connections, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import province_of
from .regions import Region

PUBLIC, ALL, REFERENCE = 1, 2, 3
PROVINCE_BASE = 1000  # the version of province 64 is the row 1064


def province_row(province: str) -> int:
    """The row of a province's version, from its two-digit code."""
    return PROVINCE_BASE + int(province)


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
    version: int | str  # str: the versions an answer reads, joined (Versions.answer)
    changed_at: int | None  # microseconds since the epoch; None: never moved

    def __str__(self):
        return f"{self.version}-{self.changed_at or 0}"


NEVER = Stamp(0, None)


class Versions(NamedTuple):
    public: Stamp
    all: Stamp
    answer: Stamp  # what an anonymous answer is keyed by: PUBLIC, or REFERENCE and the provinces it reads
    reference: Stamp  # REFERENCE: what the SQL of a question is built from (coverage.api.plans), code lookups too


def bump_data_version(*, public: bool, provinces: Iterable[str] | None = None) -> None:
    """Call in the transaction of every write that changes what an answer shows; ``public``: whether anonymous
    readers could see the change (see the module's docstring); ``provinces``: the two-digit codes of the provinces
    whose published figures changed, when the change is to figures only (None: reference data, every answer)."""
    rows = [ALL]
    if public:
        rows.append(PUBLIC)
        rows += [REFERENCE] if provinces is None else map(province_row, set(provinces))
    now = timezone.now()
    table = DataVersion._meta.db_table
    if connection.vendor == "postgresql":
        # One statement, the rows locked in ascending order: two writers lock them in the same order, never each
        # other. (SQLite serializes writers by itself.)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH locked AS (SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE) "
                f"UPDATE {table} v SET version = v.version + 1, changed_at = %s FROM locked WHERE v.id = locked.id "
                "RETURNING v.id",
                [sorted(rows), now],
            )
            moved = {pk for (pk,) in cursor.fetchall()}
    else:
        moved = {
            pk for pk in rows if DataVersion.objects.filter(pk=pk).update(version=F("version") + 1, changed_at=now)
        }
    for pk in sorted(set(rows) - moved):  # a row never moved before (a province's first published figure)
        _, created = DataVersion.objects.get_or_create(pk=pk, defaults={"changed_at": now})
        if not created:  # another writer made the row meanwhile (and committed): move it on from there
            DataVersion.objects.filter(pk=pk).update(version=F("version") + 1, changed_at=now)


def provinces_of(region_ids: Iterable[int]) -> set[str]:
    """The two-digit codes of the provinces these regions (primary keys) lie in: one query."""
    ids = {pk for pk in region_ids if pk is not None}
    if not ids:
        return set()
    return {province_of(code) for code in Region.objects.filter(pk__in=ids).values_list("code", flat=True)}


def read_data_versions(provinces: Iterable[str] | None = None, *, using: str = "default") -> Versions:
    """The versions, in one query: PUBLIC, ALL and REFERENCE, and, given ``provinces`` (what an answer reads),
    theirs; from the database ``using`` (a replica's, to see whether it has replayed them). Plain SQL on
    PostgreSQL: the ORM took longer to build this query than PostgreSQL takes to run it, and the moment as a
    number (all that ETags and Last-Modified need) is cheaper to read."""
    scoped = None if provinces is None else sorted(set(provinces))
    wanted = [PUBLIC, ALL, REFERENCE, *map(province_row, scoped or ())]
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT id, version, (extract(epoch FROM changed_at) * 1000000)::bigint"
                f" FROM {DataVersion._meta.db_table} WHERE id IN ({', '.join(map(str, wanted))})"
            )
            rows = {pk: Stamp(version, moment) for pk, version, moment in cursor.fetchall()}
    else:
        rows = {
            pk: Stamp(version, None if moment is None else round(moment.timestamp() * 1_000_000))
            for pk, version, moment in DataVersion.objects.using(using)
            .filter(pk__in=wanted)
            .values_list("pk", "version", "changed_at")
        }
    public, reference = rows.get(PUBLIC, NEVER), rows.get(REFERENCE, NEVER)
    if scoped is None:
        return Versions(public, rows.get(ALL, NEVER), public, reference)
    parts = [(f"r{REFERENCE}", reference)]
    parts += [(province, rows.get(province_row(province), NEVER)) for province in scoped]
    moments = [stamp.changed_at for _, stamp in parts if stamp.changed_at is not None]
    answer = Stamp("+".join(f"{name}.{stamp.version}" for name, stamp in parts), max(moments, default=None))
    return Versions(public, rows.get(ALL, NEVER), answer, reference)
