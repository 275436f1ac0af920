"""gunicorn's settings for the service (``gunicorn -c python:adminduk.gunicorn adminduk.wsgi:application``).

Worker model, chosen by measurement (docs/performance.md, "Worker model"): sync workers, two per CPU core. On the 2-core
benchmark machine sync workers had the best p99 on every question. gthread workers (2 × 4 threads, 3 × 2)
were within the run-to-run noise on throughput and two to three times worse at p99 when requests were computed:
threads share one interpreter lock, and the work is Python, not waiting. A second sync worker per core keeps
the CPU busy while another waits on PostgreSQL (the heavier answers, a full export).
"""

import gc
import os

import environ
from gunicorn.glogging import Logger

from adminduk.logs import JSON_FORMATTER, log_format

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "sync"
# The CPUs this process may run on (a container's cpuset, not the host's count), at most 8 workers by default:
# each keeps one PostgreSQL connection, and PostgreSQL allows 100 unless told otherwise.
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * len(os.sched_getaffinity(0)), 8))
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)  # a full export of the district set takes ~15 s
# The longest request line gunicorn takes (its maximum): URLs of up to 8 KB reach Django, which answers in JSON (a
# request line of 1,000 short filter values fits). A longer one is gunicorn's own 414 page (the API guide says so).
limit_request_line = 8190
accesslog = None  # the service writes one JSON line per request itself (coverage.middleware.requestlog)


class ServiceLogger(Logger):
    """gunicorn's logger without an access log. With logconfig_dict set (below), gunicorn would build each request's
    access-log fields, headers and all, and hand them to a logger that drops them: about 3 % of a worker's CPU
    for a computed answer, more of a kept one's. So gunicorn writes no access log even if asked (--access-logfile),
    and its statsd logger is not used: the service's request log (coverage.middleware.requestlog) is the one."""

    def access(self, resp, req, environ, request_time):
        return None


logger_class = ServiceLogger

if log_format(environ.Env()) == "json":  # as the service's own lines (adminduk.settings.LOGGING)
    # gunicorn's own lines (start, workers booted and killed, timeouts) in the service's JSON, on stderr with it.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": JSON_FORMATTER},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            # The service writes one JSON line per request itself (coverage.middleware.requestlog).
            "gunicorn.access": {"level": "CRITICAL", "propagate": False},
        },
    }


def post_worker_init(worker):
    """What the worker has loaded (Django, the service, most of their modules) lives as long as it does: moved out of
    the garbage collector's generations, so that its collections no longer walk it each time; the garbage of loading
    collected first, not kept for the worker's life."""
    gc.collect()
    gc.freeze()
