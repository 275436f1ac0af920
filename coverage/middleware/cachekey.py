"""What an anonymous answer is kept under (coverage.middleware.cache): the release, the configuration, the data
versions it reads, the date, and every part of the request that may change the answer."""

import functools
import hashlib
import json
from pathlib import Path

import django
import rest_framework
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from ..models.versions import Stamp

PROJECT = Path(__file__).resolve().parents[2]  # the folder holding adminduk/ and coverage/


def release_files() -> list[Path]:
    """The service's own files, whose contents make a release."""
    return [
        path
        for folder in ("adminduk", "coverage")
        for path in sorted((PROJECT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


def _release() -> str:
    """A digest of the service's own files and of the versions of the frameworks that shape its answers: a cache
    shared by several releases (Redis, during a rolling deploy) never gives one release's answer for another's."""
    digest = hashlib.sha256(f"django {django.__version__} drf {rest_framework.VERSION}".encode())
    for path in release_files():
        digest.update(f"{path.relative_to(PROJECT).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RELEASE = _release()
# Settings that shape no GET answer, and hold credentials or may differ between replicas that answer alike (the
# host is in the key itself): left out of configuration(), as is every name with SECRET or PASSWORD and EMAIL_*.
UNKEYED_SETTINGS = {
    "DATABASES",
    "DATABASE_ROUTERS",  # replicas answer as the primary does (coverage.middleware.replicas)
    "REPLICA_RETRY_SECONDS",
    "CACHES",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "LOGGING",
    "LOG_FORMAT",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "IMPORT_MAX_WEB_ROWS",
    "FILE_UPLOAD_HANDLERS",
    "RESPONSE_CACHE_MEMORY",
    "RESPONSE_CACHE_SECONDS",
    "SETTINGS_MODULE",  # its settings are what counts (and override_settings hides its name)
}


def _keyed(name) -> bool:
    return (
        name.isupper()
        and name not in UNKEYED_SETTINGS
        and not name.startswith(("EMAIL_", "AXES_"))  # mail, and the admin login lockout: no answer
        and "SECRET" not in name
        and "PASSWORD" not in name
    )


def _plain(value) -> bool:
    if value is None or type(value) in (str, int, float, bool):  # exactly: a lazy str (a library's) is not plain data
        return True
    if isinstance(value, list | tuple):
        return all(map(_plain, value))
    if isinstance(value, dict):
        return all(isinstance(name, str) and _plain(item) for name, item in value.items())
    return False


@functools.cache
def configuration() -> str:
    """A digest of the settings that may shape an answer, as far as they are plain data: the language, the time
    zone, Cache-Control's max-age, the CORS origins, the security headers, DRF's... A cache shared across a
    restart with another configuration (Redis) never gives one configuration's answer for another's. Settings
    that are not plain data (paths) are left out: they shape no answer, and may differ between hosts. Computed at
    the first request, when the settings are final, and again whenever a setting changes (tests)."""
    names = sorted(filter(_keyed, dir(settings)))
    plain = {name: value for name in names if _plain(value := getattr(settings, name))}
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:16]


@receiver(setting_changed)
def _reconfigured(**kwargs):
    configuration.cache_clear()


def answer_key(request, stamp: Stamp) -> str:
    """The key an anonymous answer is kept under: everything that may make two answers differ."""
    parts = [
        RELEASE,
        configuration(),
        str(stamp),
        # Answers default to today (as_of): none is given again after midnight.
        timezone.localdate().isoformat(),
        request.method,
        request.scheme,
        request.get_host(),  # only an allowed host: DisallowedHost otherwise
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.META.get("HTTP_ACCEPT", ""),
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        request.META.get("HTTP_ORIGIN", ""),  # the CORS headers answer it
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
    ]
    return "response:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
