"""HTTP caching that cannot serve a stale answer.

Every write moves the data versions on in its own transaction (coverage.models.versions): the public one only
when published or public reference data changes, the version of all data on every write. Reads of lists, answers and
the dashboard carry one of them in a weak ETag (so If-None-Match gets a 304 without any work): anonymous readers the
public one, clients with credentials (who may see drafts) the other. Anonymous responses are kept in a cache under a
key that holds the public version: after any change they could see, no earlier response can ever match again, and a
draft saved anywhere leaves them in place. The versions are read from the database on every request (one indexed
SELECT), so the cache may be per process (the default) or shared (RESPONSE_CACHE_URL, e.g. Redis).

ReplayAnswers, in front of Django's handler (adminduk.wsgi), answers the commonest request, an anonymous GET
of an answer already given, by replaying the whole response Django gave, without running the handler and the
middleware (0.3 ms of CPU instead of 0.8 ms). It asks the middleware below what may be kept, so the rules live in one
place; the data version is read as for any other request.
"""

import hashlib
import logging
import math
import pickle
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags
from django_guid.context import guid
from django_guid.utils import generate_guid, validate_guid
from rest_framework.exceptions import Throttled

from ..api.exceptions import error_response
from ..api.scope import answer_scope
from ..api.throttling import CACHE_ERRORS, anonymous_wait
from ..models.versions import Stamp, Versions, read_data_versions
from . import replicas
from .cachekey import answer_key
from .requestlog import log_request

logger = logging.getLogger(__name__)

CACHED_PATHS = ("/api/v1/",)
CACHED_EXACT = ("/",)
STORED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Vary", "Allow", "ETag", "X-Frame-Options")


# Between ReplayAnswers and ResponseCacheMiddleware, in the WSGI environ (request.META) of one request:
NOTED = "adminduk.answer"  # from ReplayAnswers: (data versions, cache key) read for this request
OVER_RATE = "adminduk.over_rate"  # from ReplayAnswers: it counted this request; seconds to wait
KEEP = "adminduk.keep"  # from the middleware: ReplayAnswers may keep this response under the noted key


def current_data_version(provinces=None) -> Versions:
    """The data versions (coverage.models.versions) and when each last moved on; with ``provinces``, those an answer
    about them reads (coverage.api.scope)."""
    if connection.vendor != "postgresql":
        return read_data_versions(provinces)
    # This runs first on every request under /api/v1/, so it also stands in for the health check of a kept
    # connection (CONN_HEALTH_CHECKS), which would cost a round trip of its own: if the connection turns out
    # to be broken (PostgreSQL restarted), it is closed and the read is tried once more on a new one.
    if connection.connection is not None and connection.health_check_enabled and not connection.health_check_done:
        connection.health_check_done = True
        try:
            return read_data_versions(provinces)
        except (InterfaceError, OperationalError):
            if connection.in_atomic_block:
                raise
            connection.close()
    return read_data_versions(provinces)


def _scope(environ):
    """The provinces an anonymous answer reads (coverage.api.scope); None: all of them."""
    return answer_scope(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))


def public_etag(stamp: Stamp) -> str:
    return f'W/"data-{stamp}"'


def reader_etag(stamp: Stamp, request) -> str:
    """The ETag of an answer to a client with credentials: the version of all data (drafts included), and who asked
    (a client that changes credentials never gets a 304 for what another identity was shown)."""
    user = getattr(request, "user", None)
    key = getattr(request, "client_key", None)
    who = f"{getattr(user, 'pk', None)}:{getattr(key, 'prefix', '')}"
    return f'W/"data-all-{stamp}-{hashlib.sha256(who.encode()).hexdigest()[:8]}"'


def _matches(etag, wanted) -> bool:
    return etag in wanted or etag.removeprefix("W/") in wanted


def _cacheable(request) -> bool:
    path = request.path
    return request.method in ("GET", "HEAD") and (path.startswith(CACHED_PATHS) or path in CACHED_EXACT)


def _anonymous(request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES


class ResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable(request):
            return self.get_response(request)
        noted = request.META.get(NOTED)
        scope = _scope(request.META)
        versions, noted_key = noted if noted is not None else (current_data_version(scope), None)
        # What the codes filters look up, and the SQL of a question, are built from (coverage.api.plans).
        request.reference_version = versions.reference
        anonymous = _anonymous(request)
        wanted = parse_etags(request.headers.get("If-None-Match", ""))
        # The shortcut is for anonymous readers of public data only: a client with credentials has them checked
        # by DRF first, and with API_PUBLIC_READ=false nobody learns the data version without logging in.
        public = anonymous and settings.API_PUBLIC_READ
        if public and _matches(public_etag(versions.answer), wanted):
            throttled = self._throttled(request)
            if throttled is not None:
                return throttled
            response = HttpResponse()
            self._cache_headers(response, public_etag(versions.answer), versions.answer, anonymous)
            return self._not_modified(response)
        if OVER_RATE in request.META:
            return self._too_many(request.META[OVER_RATE])
        key = (noted_key or self._key(request, versions.answer)) if public and settings.RESPONSE_CACHE else None
        # A noted request's answer was just looked for under its key (ReplayAnswers), and was not there.
        if key is not None and noted_key is None:
            stored = self._cache_get(key)
            if stored is not None:
                # Served without reaching DRF, so the anonymous rate is applied here.
                throttled = self._throttled(request)
                if throttled is not None:
                    return throttled
                content, headers = pickle.loads(stored)
                if headers.get("ETag") in wanted:
                    return self._not_modified(headers)
                return self._rebuild(content, headers)
        # Computed: on a replica that has replayed these versions, if one has (anonymous readers only).
        request.read_from = replicas.replica_for(versions, scope) if public else None
        with replicas.read_on(request.read_from):
            response = self.get_response(request)
        if request.read_from is not None and response.status_code >= 500:
            # The replica failed while answering (gone, or a query cancelled by its replay): the primary answers.
            replicas.set_aside(request.read_from)
            request.read_from = None
            response = self.get_response(request)
        if response.status_code != 200 or response.streaming:
            return response
        if response.has_header("ETag"):  # a single record: its own version, for If-Match and If-None-Match
            if response["ETag"] in wanted:
                return self._not_modified(response)
        else:
            stamp = versions.answer if anonymous else versions.all
            etag = public_etag(stamp) if anonymous else reader_etag(stamp, request)
            self._cache_headers(response, etag, stamp, anonymous)
            if _matches(etag, wanted):
                return self._not_modified(response)  # a client with credentials, checked by DRF
        if key is not None and len(response.content) <= settings.RESPONSE_CACHE_MAX_BYTES:
            if noted_key is not None:  # ReplayAnswers keeps it, as sent, headers of the outer middleware and all
                request.META[KEEP] = True
                return response
            headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
            headers["Cache-Control"] = response.get("Cache-Control", "")
            headers["Last-Modified"] = response.get("Last-Modified", "")
            self._cache_set(key, pickle.dumps((response.content, headers)))
        return response

    @classmethod
    def _throttled(cls, request):
        wait = anonymous_wait(request)
        return None if wait is None else cls._too_many(wait)

    @staticmethod
    def _too_many(wait):
        response = error_response(429, "throttled", Throttled(wait).detail)
        response["Retry-After"] = str(math.ceil(wait))
        return response

    # The response cache is an optimisation: if its store (Redis) is down, requests are computed, not refused.

    @staticmethod
    def _cache_get(key):
        try:
            return caches["responses"].get(key)
        except CACHE_ERRORS:
            logger.warning("response cache unavailable", exc_info=True)
            return None

    @staticmethod
    def _cache_set(key, value):
        try:
            caches["responses"].set(key, value, settings.RESPONSE_CACHE_SECONDS)
        except CACHE_ERRORS:
            logger.warning("response cache unavailable", exc_info=True)

    _key = staticmethod(answer_key)

    @staticmethod
    def _cache_headers(response, etag, stamp: Stamp, anonymous):
        response["ETag"] = etag
        if stamp.changed_at is not None:
            response["Last-Modified"] = http_date(stamp.changed_at // 1_000_000)
        response["Cache-Control"] = (
            f"public, max-age={settings.API_CACHE_MAX_AGE}" if anonymous else "private, no-cache"
        )

    @staticmethod
    def _not_modified(headers):
        response = HttpResponseNotModified()
        for name in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
            if headers.get(name):
                response[name] = headers[name]
        return response

    @staticmethod
    def _rebuild(content, headers):
        response = HttpResponse(content)
        for name, value in headers.items():
            if value:
                response[name] = value
        response["X-Cache"] = "hit"
        # As CommonMiddleware (after this one) sets it on computed answers. Without it gunicorn sends the body
        # chunked, in more writes, and the client waits on them (about 4 times slower here).
        response["Content-Length"] = str(len(content))
        return response


class ReplayAnswers:
    """WSGI middleware: answers an anonymous GET whose answer was given before, for the same data version, by
    replaying that response (status, headers, body) as Django sent it, with its own request id and log line.

    Everything else goes to Django: requests with credentials, cookies or If-None-Match, other methods, and any
    request the middleware did not say may be kept (KEEP). The first time a request is seen, Django answers it
    and this keeps what it sent. An Origin is part of the key, so a browser's dashboard gets the CORS headers
    Django gave its origin. The request id is django-guid's: a valid X-Request-ID (a proxy's) or a new one, set
    before anything is logged and handed to Django when Django answers.
    """

    REFUSED = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_IF_NONE_MATCH")
    PER_REQUEST = ("x-request-id", "x-cache")  # made anew for each replay

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not self._eligible(environ):
            return self.application(environ, start_response)
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID")
        request_id = given if given and validate_guid(given) else generate_guid()
        guid.set(request_id)  # for every line logged from here on, not the previous request's id
        environ["HTTP_X_REQUEST_ID"] = request_id  # and the same id if Django answers
        try:
            versions = current_data_version(_scope(environ))
            # A copy: WSGIRequest writes the decoded path back into the environ it is given, and Django must
            # decode the path as it came.
            request = WSGIRequest(environ.copy())
            key = ResponseCacheMiddleware._key(request, versions.answer)
        except (InterfaceError, DatabaseError, DisallowedHost):
            # Django answers the outage (503), any other database error (500) or the host (400) as it always does.
            return self.application(environ, start_response)
        environ[NOTED] = (versions, key)
        stored = ResponseCacheMiddleware._cache_get("replay:" + key)
        if stored is None:
            return self._answer_and_keep(environ, start_response, "replay:" + key)
        wait = anonymous_wait(request)
        if wait is not None:
            environ[OVER_RATE] = wait  # Django answers 429 with its headers, without counting it again
            return self.application(environ, start_response)
        status, headers, body = stored
        start_response(status, [*headers, ("X-Cache", "hit"), ("X-Request-ID", request_id)])
        log_request(request, 200, started)
        # What Django's request_finished does here (the caches' close() is a no-op for all of them): close the
        # connection if it broke or is past CONN_MAX_AGE, and have the next request check it first; and, as
        # django-guid does, forget the request id.
        close_old_connections()
        guid.set(None)
        return [body]

    def _eligible(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") != "GET" or not (settings.RESPONSE_CACHE and settings.API_PUBLIC_READ):
            return False
        path = environ.get("PATH_INFO", "")
        if not (path.startswith(CACHED_PATHS) or path in CACHED_EXACT):
            return False
        return not any(name in environ for name in self.REFUSED)

    def _answer_and_keep(self, environ, start_response, key):
        sent = []

        def keep_status_and_headers(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        result = self.application(environ, keep_status_and_headers)
        if not environ.get(KEEP) or not sent or not sent[0].startswith("200 "):
            return result
        try:
            body = b"".join(result)
            status, headers = sent
            if not any(name.lower() == "set-cookie" for name, _ in headers):  # a cookie is for one client only
                headers = [(name, value) for name, value in headers if name.lower() not in self.PER_REQUEST]
                ResponseCacheMiddleware._cache_set(key, (status, headers, body))
        finally:
            if hasattr(result, "close"):
                result.close()  # Django's request_finished (which also clears the request id)
        return [body]
