"""Probes for the orchestrator: /healthz says the process answers and touches nothing else; /readyz says the
service can serve: the database answers, every migration is applied, and the cache that holds the throttle
counters works. Both answer JSON, 200 or 503, never cached.

The checks are django-health-check's (Database, Cache) plus MigrationsApplied below. They run one after the
other in the request's own thread, so that nothing outlives the request, and each is bounded by the database's
connect timeout: when the database is down the checks that need it are skipped rather than each waiting.
"""

import dataclasses
import inspect
import logging

from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import View
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import HealthCheckException, ServiceUnavailable

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    alias: str = "default"
    _all_applied = False  # once true it stays true: a running process never loses a migration

    def run(self):
        if MigrationsApplied._all_applied:
            return
        try:
            executor = MigrationExecutor(connections[self.alias])
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable("Database unreachable") from exc
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) not applied")
        MigrationsApplied._all_applied = True


def _needs_database(check) -> bool:
    if isinstance(check, Cache):
        return isinstance(caches[check.alias], BaseDatabaseCache)
    return isinstance(check, MigrationsApplied)


class ProbeView(View):
    checks = ()

    def get(self, request):
        results, database_down = {}, False
        for check in self.checks:
            name = type(check).__name__
            if database_down and _needs_database(check):
                results[name] = "skipped: the database is unavailable"
                continue
            try:
                async_to_sync(check.run)() if inspect.iscoroutinefunction(check.run) else check.run()
            except HealthCheckException as exc:
                results[name] = str(exc)
            except Exception:
                logger.exception("health check %s failed unexpectedly", name)
                results[name] = "unknown error"
            else:
                results[name] = "ok"
            database_down = database_down or (isinstance(check, Database) and results[name] != "ok")
        healthy = all(result == "ok" for result in results.values())
        response = JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
        )
        add_never_cache_headers(response)
        return response


class LivenessView(ProbeView):
    checks = ()


class ReadinessView(ProbeView):
    checks = (Database(), MigrationsApplied(), Cache(alias="throttle"))


class ProbeMiddleware:
    """First in MIDDLEWARE: the probes are answered before the host check (an orchestrator asks by pod address,
    Docker by 127.0.0.1, neither in ALLOWED_HOSTS), the HTTPS redirect and everything else."""

    views = {"/healthz": LivenessView.as_view(), "/readyz": ReadinessView.as_view()}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.views.get(request.path_info)
        return view(request) if view is not None else self.get_response(request)
