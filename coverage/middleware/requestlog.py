"""One log line per request: method, path, status, duration, client and who made it.

The request id (django-guid) is added to this and every other line by the logging filter in settings.
"""

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

from ..api.throttling import client_address

logger = logging.getLogger("adminduk.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
            user = None  # never looked up by the request: don't query the session store just to log
        log_request(request, response.status_code, started, user, getattr(request, "client_key", None))
        return response


def log_request(request, status, started, user=None, key=None):
    """The request's line; also written for answers replayed before Django's handler (coverage.middleware.cache)."""
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
    if not logger.isEnabledFor(level):
        return
    logger.log(
        level,
        "%s %s %s",
        request.method,
        request.path,
        status,
        extra={
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "client_ip": client_address(request),  # behind TRUSTED_PROXIES, the address the proxy saw
            "user": user.get_username() if user is not None and user.is_authenticated else None,
            "api_key": key.prefix if key is not None else None,
            "replica": getattr(request, "read_from", None),  # the replica that answered (coverage.middleware.replicas)
        },
    )
