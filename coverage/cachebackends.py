"""Django's database cache with an increment that holds under concurrency, for the throttle counters.

Django's DatabaseCache.incr() reads, adds and writes back: two gunicorn workers counting the same client at
the same moment can both read 7 and both write 8, and a client spreading requests over workers gets past its
rate. Here the increment locks the row first (SELECT … FOR UPDATE on PostgreSQL; SQLite serializes writers by
itself), so every request is counted.
"""

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class LockingDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {connection.ops.quote_name(self._table)} WHERE cache_key = %s "
                        "FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)
