"""Probes for the orchestrator (django-health-check): /healthz says the process answers and touches nothing
else; /readyz says the service can serve: the database answers, every migration is applied, and the cache
that holds the throttle counters works. Both answer JSON, 200 or 503, never cached."""

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    alias: str = "default"
    _all_applied = False  # once true it stays true: a running process never loses a migration

    def run(self):
        if MigrationsApplied._all_applied:
            return
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable("Database unreachable") from exc
        finally:
            connection.close()  # checks run in a worker thread: don't leave its connection behind
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) not applied")
        MigrationsApplied._all_applied = True


class ProbeView(HealthCheckView):
    def get_executor(self):
        # Threads of their own, gone after each probe with the database connections they opened: a connection
        # broken by a database restart is never reused by the next probe.
        return ThreadPoolExecutor(max_workers=3, thread_name_prefix="probe")

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = [result for result in self.results if result.error]
        return JsonResponse(
            {
                "status": "unavailable" if failed else "ok",
                "checks": {
                    type(result.check).__name__: "ok" if not result.error else str(result.error)
                    for result in self.results
                },
            },
            status=503 if failed else 200,
        )


class LivenessView(ProbeView):
    checks = ()


class ReadinessView(ProbeView):
    checks = (Database, MigrationsApplied, (Cache, {"alias": "throttle"}))
