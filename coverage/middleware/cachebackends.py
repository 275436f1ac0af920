"""Cache backends: Django's, where the service needs a little more of them.

LockingDatabaseCache, Django's database cache with an increment that holds under concurrency, for the throttle
counters:

Django's DatabaseCache.incr() reads, adds and writes back with the cache's default timeout: two gunicorn
workers counting the same client at the same moment can both read 7 and both write 8, and every increment
moves the counter's expiry to 5 minutes from now, so an hourly counter would restart within the hour. Here
the increment locks the row (SELECT … FOR UPDATE on PostgreSQL; SQLite serializes writers by itself) and
keeps the expiry the counter was created with.

BoundedLocMemCache, Django's per-process cache bounded in bytes as well as in entries, for the response cache.
"""

import base64
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class LockingDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {quote(self._table)} "
                f"WHERE {quote('cache_key')} = %s{lock}",
                [self.make_and_validate_key(key, version=version)],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value, expires = row
            expression = models.Expression(output_field=models.DateTimeField())
            for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
                expires = converter(expires, expression, connection)
            remaining = (expires - timezone.now()).total_seconds()
            if remaining <= 0:
                raise ValueError(f"Key '{key}' not found")
            new_value = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode())) + delta
            self.set(key, new_value, remaining, version=version)
            return new_value


class _Held:
    """Bytes held by one named BoundedLocMemCache, shared like Django's per-name store (and under its lock)."""

    def __init__(self):
        self.sizes = {}
        self.total = 0


_held: dict[str, _Held] = {}


class BoundedLocMemCache(LocMemCache):
    """Django's per-process cache, bounded in bytes (OPTIONS MAX_BYTES) as well as in entries (MAX_ENTRIES).

    The response cache keeps answers of up to RESPONSE_CACHE_MAX_BYTES each under keys the clients choose (any
    query, any Accept): counted in entries alone, 5,000 answers of 2 MB would be 10 GB in every worker. Here,
    once the stored bytes pass MAX_BYTES, the least recently used entries go first. Counters (incr) keep the size
    they were stored with; this cache is for answers, which are set, not incremented.
    """

    def __init__(self, name, params):
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))
        self._held = _held.setdefault(name, _Held())

    # Django's LocMemCache calls these with its lock held.
    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        super()._set(key, value, timeout)  # may cull, which recounts
        held = self._held
        held.total += len(value) - held.sizes.get(key, 0)
        held.sizes[key] = len(value)
        while held.total > self._max_bytes:  # an answer larger than the whole budget is not kept either
            self._delete(next(reversed(self._cache)))  # the least recently used: Django keeps the newest first

    def _delete(self, key):
        deleted = super()._delete(key)
        if deleted:
            self._held.total -= self._held.sizes.pop(key, 0)
        return deleted

    def _cull(self):
        super()._cull()
        held = self._held
        held.sizes = {key: held.sizes[key] for key in self._cache if key in held.sizes}
        held.total = sum(held.sizes.values())

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._held.sizes.clear()
            self._held.total = 0
