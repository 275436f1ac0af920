"""Django's database cache with an increment that holds under concurrency, for the throttle counters.

Django's DatabaseCache.incr() reads, adds and writes back with the cache's default timeout: two gunicorn
workers counting the same client at the same moment can both read 7 and both write 8, and every increment
moves the counter's expiry to 5 minutes from now, so an hourly counter would restart within the hour. Here
the increment locks the row (SELECT … FOR UPDATE on PostgreSQL; SQLite serializes writers by itself) and
keeps the expiry the counter was created with.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
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
