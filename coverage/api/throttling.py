"""Rate limits that hold across gunicorn workers: anonymous clients, authenticated clients (API keys and
users) and writes each have their own rate (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), and so do
failed authentications per client address ("failed_auth", applied by coverage.api.authentication).

Counters live in the "throttle" cache, shared by every worker: a database table by default, Redis when
REDIS_URL is set. Each counts requests in fixed windows (one increment per request, atomic on Redis) rather
than DRF's list of timestamps, whose size grows with the rate. The client's address is client_address(): the
one rule for the throttles, the failed-authentication counter, the request log and the admin login's lockout.
"""

import ipaddress
import logging

from django.core.cache import caches
from django.db import DatabaseError
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .clients import client_key_of

logger = logging.getLogger(__name__)
CACHE_ERRORS = (DatabaseError, RedisError, OSError)
_DRF = BaseThrottle()


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXIES=n (DRF's NUM_PROXIES, set from it) the address
    the n-th proxy from us appended to X-Forwarded-For. What a client writes in that header itself can never
    choose its address; nor can anything that is not an IP address (the connecting address is taken instead).

    For a Django or a DRF request; the admin login's lockout (django-axes, AXES_CLIENT_IP_CALLABLE) calls it too.
    """
    address = _DRF.get_ident(request)  # DRF's rule for X-Forwarded-For behind NUM_PROXIES proxies
    try:
        return str(ipaddress.ip_address(address))  # one spelling per address (IPv6 has several)
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class WindowThrottle(SimpleRateThrottle):
    wait_seconds = None

    @property
    def cache(self):
        return caches["throttle"]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)

    def identity(self, request) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request, view):
        identity = self.identity(request)
        return None if identity is None else f"throttle:{self.scope}:{identity}"

    def window(self, request) -> tuple[str | None, float]:
        """The key of this request's counter in the current window (None: not counted), and the seconds left
        until the next window."""
        key = None if self.rate is None else self.get_cache_key(request, None)
        if key is None:
            return None, 0
        now = self.timer()
        window = int(now // self.duration)
        return f"{key}:{window}", (window + 1) * self.duration - now

    def count(self, key) -> int | None:
        """Add one to the counter; its new value, or None if the counters' store is down."""
        try:
            self.cache.add(key, 0, self.duration + 1)
            try:
                return self.cache.incr(key)
            except ValueError:  # the window's counter expired between add() and incr()
                self.cache.set(key, 1, self.duration + 1)
                return 1
        except CACHE_ERRORS:
            # The counters' store is down: serve rather than refuse everyone (the database, if that is what is
            # down, answers 503 itself).
            logger.warning("throttle cache unavailable; request not counted", exc_info=True)
            return None

    def allow_request(self, request, view):
        key, left = self.window(request)
        if key is None:
            return True
        count = self.count(key)
        if count is None or count <= self.num_requests:
            return True
        self.wait_seconds = left
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


class FailedAuthThrottle(WindowThrottle):
    """Failed authentications per client address: a wrong, revoked or expired key or token, an unknown scheme or a
    malformed Authorization header. Over the rate, the address may not try again until the window ends, even
    with a right credential (its answer would tell a guesser when it guessed right). Requests without an
    Authorization header are never counted nor refused here. coverage.api.authentication asks allow_request()
    before it looks at a credential, and calls failed() when one does not authenticate."""

    scope = "failed_auth"

    def identity(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        """Whether the address is under its rate of failures in this window; counts nothing."""
        key, left = self.window(request)
        if key is None:
            return True
        try:
            failures = self.cache.get(key, 0)
        except CACHE_ERRORS:
            logger.warning("throttle cache unavailable; failed authentications not checked", exc_info=True)
            return True
        if failures < self.num_requests:
            return True
        self.wait_seconds = left
        return False

    def failed(self, request) -> None:
        key, _ = self.window(request)
        if key is not None:
            self.count(key)
