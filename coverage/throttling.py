"""Rate limits that hold across gunicorn workers: anonymous clients, authenticated clients (API keys and
users) and writes each have their own rate (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

Counters live in the "throttle" cache, shared by every worker: a database table by default, Redis when
REDIS_URL is set. Each counts requests in fixed windows (one increment per request, atomic on Redis) rather
than DRF's list of timestamps, whose size grows with the rate. The client's address is REMOTE_ADDR, or with
TRUSTED_PROXIES=n the address the n-th proxy from us appended to X-Forwarded-For: what a client writes in
that header itself can never choose its bucket.
"""

import logging

from django.core.cache import caches
from django.db import DatabaseError
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import client_key_of

logger = logging.getLogger(__name__)
CACHE_ERRORS = (DatabaseError, RedisError, OSError)


class WindowThrottle(SimpleRateThrottle):
    wait_seconds = None

    @property
    def cache(self):
        return caches["throttle"]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def identity(self, request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view):
        identity = self.identity(request)
        return None if identity is None else f"throttle:{self.scope}:{identity}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{key}:{window}"
        try:
            self.cache.add(key, 0, self.duration + 1)
            try:
                count = self.cache.incr(key)
            except ValueError:  # the window's counter expired between add() and incr()
                self.cache.set(key, 1, self.duration + 1)
                count = 1
        except CACHE_ERRORS:
            # The counters' store is down: serve rather than refuse everyone (the database, if that is what is
            # down, answers 503 itself).
            logger.warning("throttle cache unavailable; request not counted", exc_info=True)
            return True
        if count <= self.num_requests:
            return True
        self.wait_seconds = (window + 1) * self.duration - now
        return False

    def wait(self):
        return self.wait_seconds


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _client(request) -> str:
    """An authenticated client's bucket: its API key (each app has its own budget), else its user."""
    key = client_key_of(request)
    return f"key:{key.prefix}" if key is not None else f"user:{request.user.pk}"


class AnonymousThrottle(WindowThrottle):
    scope = "anon"

    def identity(self, request):
        return None if _authenticated(request) else self.get_ident(request)


class ClientThrottle(WindowThrottle):
    """Per API key (each app has its own budget), else per user."""

    scope = "client"

    def identity(self, request):
        return _client(request) if _authenticated(request) else None


class WriteThrottle(WindowThrottle):
    scope = "write"

    def identity(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        return _client(request) if _authenticated(request) else f"ip:{self.get_ident(request)}"


def anonymous_wait(request) -> float | None:
    """For responses served before DRF runs (the response cache): seconds to wait if this anonymous client is
    over its rate, else None. Counts the request like any other."""
    throttle = AnonymousThrottle()
    return None if throttle.allow_request(request, None) else throttle.wait()
