"""Plans: the SQL of a question asked before, kept, so that its answer is computed again without building it again.

Computing the answer to ``/api/v1/measurements/?indicator=kia-ownership&as_of=2024-06-30&parent=64`` spent about
half of its CPU building the query (validating the parameters, looking up their codes, turning them into ORM
conditions, compiling the SQL) and less than that running it and writing the JSON (docs/performance.md). Asked
again, that work gives the same SQL and parameters, as long as what it is built from is the same:

- the path and the query string, exactly as given;
- who asks: plans are kept for anonymous readers, who all see the published figures and nothing else (a client
  with credentials sees the drafts its grants allow: its query is built for each request);
- reference data (regions, their codes and parents, BPS codes, recodes, indicators): a plan is kept under the
  version of reference data the request read (coverage.models.versions.REFERENCE), which any change of them moves
  on, in the writing transaction;
- the day (no filter of these lists reads it today; a plan never outlives one that would);
- the configuration (coverage.api.configuration: QUALITY_JUMP's threshold is in the SQL of ``flag=jump``).

Figures are not among them: a plan holds SQL, not rows, and each use runs it on the database the request reads from
(a replica, coverage.middleware.replicas), so an answer computed from a plan is the answer computed from scratch;
tests/api/test_plans.py holds the two equal under random writes through every door. A change of reference data
made around the models (SQL, ``QuerySet.update()``), which moves no version, is seen once the plans older than
RESPONSE_CACHE_SECONDS are built again, as kept answers expire then too. A question that fails
validation gets its 400 each time and no plan. Plans are kept per thread, as Django keeps its connections: the
``MAX_PLANS`` used last.
"""

import threading
import time
from collections import OrderedDict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import ValuesListIterable
from django.utils import timezone

from ..figures.access import ANONYMOUS
from .clients import actor_of
from .configuration import configuration

MAX_PLANS = 256  # per thread (a gunicorn sync worker has one): 30–100 KB each


def literal_statement(connection, sql, params):
    """A kept statement, for PostgreSQL with its parameters written into it as literals (Django's compose_sql:
    psycopg's client-side quoting), to be run with no parameters.

    psycopg prepares a statement run often (DB_PREPARED_STATEMENTS). Prepared with parameters, PostgreSQL plans it
    without their values (a generic plan) only when that plan looks no costlier than one made for the values; for
    these lists it never did (a page of LIMIT 101 over an estimate of a few hundred rows, or a partial index that
    only the value 'published' can use), so each run was planned again: 0.25 ms of PostgreSQL's CPU for q2's page,
    more than running it. A kept question runs with the same values every time: with them written in, the prepared
    statement has no parameters, and its plan, made once per connection, is the plan for those values. psycopg keeps
    100 prepared statements a connection: beyond about 50 questions kept a worker, the statements used least lately
    are dropped and prepared again later.

    Bound as they are: statements with a float (a literal is numeric, not float8) or a negative number (written
    `` -1``, which a cast after it would bind first); no filter gives either today."""
    if connection.vendor != "postgresql" or not params or any(_typed_apart(value) for value in params):
        return sql, params
    return connection.ops.compose_sql(sql, params), None


def _typed_apart(value) -> bool:
    return isinstance(value, float) or (isinstance(value, int | Decimal) and value < 0)


class CompiledRows:
    """A values_list() queryset compiled once: each call runs its SQL again and gives its rows as iterating the
    queryset would (as SQLCompiler.execute_sql and results_iter do: the columns selected, the converters of the
    database and of the fields applied; the converters are found once)."""

    def __init__(self, queryset):
        if queryset._iterable_class is not ValuesListIterable:
            raise TypeError("CompiledRows compiles values_list() querysets")
        self.model = queryset.model
        self.compiler = queryset.query.get_compiler(queryset.db)
        try:
            self.sql, self.params = literal_statement(self.compiler.connection, *self.compiler.as_sql())
        except EmptyResultSet:  # a condition nothing meets (an empty list of codes): no rows, no query
            self.sql, self.params = "", ()
            return
        columns = [selected[0] for selected in self.compiler.select[: self.compiler.col_count]]
        if self.compiler.has_composite_fields(columns):
            raise TypeError("CompiledRows does not select composite primary keys")
        self.converters = self.compiler.get_converters(columns)
        self.columns = self.compiler.col_count if self.compiler.has_extra_select else None

    def __call__(self) -> list[tuple]:
        if not self.sql:
            return []
        with connections[router.db_for_read(self.model)].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            fetched = cursor.fetchall()
        if self.columns is not None:
            fetched = [row[: self.columns] for row in fetched]
        if not self.converters:
            return fetched  # tuples, from both drivers
        return list(map(tuple, self.compiler.apply_converters(fetched, self.converters)))


class CompiledCount:
    """A queryset's count(), compiled once: the first call runs it, recording the statement Django sends (through
    execute_wrapper, Django's hook for instrumenting queries); each later call runs that statement again."""

    def __init__(self, queryset):
        self.queryset, self.model, self.sql, self.params = queryset, queryset.model, None, ()

    def __call__(self) -> int:
        alias = router.db_for_read(self.model)
        if self.sql is None:
            sent = []

            def record(execute, sql, params, many, context):
                sent.append((sql, params))
                return execute(sql, params, many, context)

            with connections[alias].execute_wrapper(record):
                count = self.queryset.using(alias).count()
            # The statement as the driver got it (the recorder is the innermost wrapper).
            if len(sent) == 1:
                self.sql, self.params = literal_statement(connections[alias], *sent[0])
            elif not sent and count == 0:  # a condition nothing meets: counted without a query, as it always will be
                self.sql = ""
            if self.sql is not None:
                self.queryset = None  # recorded: the queryset is not needed again
            return count
        if not self.sql:
            return 0
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            return cursor.fetchone()[0]


class Plan:
    """The rows of a question, a page at a time, and their number: what the API's paginator reads.

    ``rows`` is a values_list() queryset; ``counted`` selects the same rows more cheaply (without the joins that
    only add columns), for the count. Neither is ever evaluated itself: each page is a slice compiled once.
    """

    def __init__(self, rows, counted):
        self.rows, self.counting = rows, CompiledCount(counted)
        self.pages = {}
        self.made = time.monotonic()

    def count(self) -> int:
        return self.counting()

    def __getitem__(self, key: slice) -> list[tuple]:
        page = self.pages.get((key.start, key.stop))
        if page is None:
            page = self.pages[key.start, key.stop] = CompiledRows(self.rows[key])
        return page()


_kept = threading.local()


def plan(request, build) -> Plan | None:
    """The Plan of this request's question: the one kept for it, or ``build()``'s ((rows, counted), or None where
    there is nothing to plan), kept if the question may be."""
    key = _key(request)
    kept = _plans()
    found = kept.get(key) if key is not None else None
    if found is not None and time.monotonic() - found.made <= settings.RESPONSE_CACHE_SECONDS:
        kept.move_to_end(key)
        return found
    built = build()
    if built is None:
        return None
    made = Plan(*built)
    if key is not None:
        kept[key] = made
        kept.move_to_end(key)  # in place of an expired one, which kept its place
        if len(kept) > MAX_PLANS:
            kept.popitem(last=False)
    return made


def forget() -> None:
    """Drop this thread's plans (a test starts as a fresh worker would)."""
    _plans().clear()


def _plans() -> OrderedDict:
    if not hasattr(_kept, "plans"):
        _kept.plans = OrderedDict()
    return _kept.plans


def _key(request):
    """What the SQL of an anonymous question is built from (see the module's docstring); None: not kept."""
    reference = getattr(request, "reference_version", None)  # read by coverage.middleware.cache
    if reference is None or actor_of(request) != ANONYMOUS:
        return None
    return request.path, request.META.get("QUERY_STRING", ""), reference, timezone.localdate(), configuration()
