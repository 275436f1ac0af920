"""Anonymous answers computed on PostgreSQL streaming replicas (DATABASE_REPLICA_URLS), never from older data than
their version says.

The response cache (coverage.middleware.cache) reads the data versions on the primary, then, for an anonymous
answer it has to compute, asks here for a replica that has replayed them: one query on the replica reads the same
version rows, and the replica serves the answer only if they are the primary's. Each row moves in the transaction
of the change it stands for (coverage.models.versions), so a replica that shows the version has replayed that
change and every earlier one; a replica behind is passed over for this request (the primary answers), one that
cannot be reached is left alone for REPLICA_RETRY_SECONDS. Writes, the reads of clients with credentials (who may
see their own drafts at once) and the admin stay on the primary: only reads made while answering an anonymous
request, of the service's own data, go to a replica (ReplicaRouter).
"""

import contextlib
import itertools
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connections
from django.utils.connection import ConnectionDoesNotExist

from ..models.versions import Versions, read_data_versions

logger = logging.getLogger(__name__)

PRIMARY = "default"
# The data answers show; never sessions, authentication, the database cache (rate-limit counters).
ROUTED_APPS = {"coverage"}

_reading_from: ContextVar[str | None] = ContextVar("adminduk_replica", default=None)
_turns = itertools.count()
_unreachable_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != PRIMARY]


class ReplicaRouter:
    """Reads go where the current request was given (read_on), else to the primary; writes and migrations always
    to the primary."""

    def db_for_read(self, model, **hints):
        return reading_on() if model._meta.app_label in ROUTED_APPS else None

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, wherever it was read

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


def replica_for(versions: Versions, provinces) -> str | None:
    """A replica (its alias) that has replayed ``versions`` (as read on the primary, for an answer reading
    ``provinces``), taken in turn; None: none has, answer from the primary."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_turns)
    for alias in (aliases[(start + i) % len(aliases)] for i in range(len(aliases))):
        if _unreachable_until.get(alias, 0) > time.monotonic():
            continue
        try:
            seen = read_data_versions(provinces, using=alias)
        except (DatabaseError, InterfaceError):
            set_aside(alias)
            continue
        if seen.answer == versions.answer:  # what this answer is keyed by: national, or its provinces'
            return alias
    return None


def set_aside(alias: str) -> None:
    """Leave a replica that failed alone for REPLICA_RETRY_SECONDS (its broken connection closed)."""
    _unreachable_until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    logger.warning("replica %s failed: reads go elsewhere for %s s", alias, settings.REPLICA_RETRY_SECONDS)
    with contextlib.suppress(DatabaseError, InterfaceError, ConnectionDoesNotExist):
        connections[alias].close()


def reading_on() -> str | None:
    """The replica the current request reads from (None: the primary)."""
    return _reading_from.get()


@contextlib.contextmanager
def read_on(alias: str | None):
    """The reads of the service's data inside the block go to ``alias`` (None: the primary)."""
    token = _reading_from.set(alias)
    try:
        yield
    finally:
        _reading_from.reset(token)
