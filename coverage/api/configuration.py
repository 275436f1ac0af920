"""The configuration an answer is built with: a digest of the settings that may shape it. Kept answers
(coverage.middleware.cachekey) and plans (coverage.api.plans) are keyed by it."""

import functools
import hashlib
import json

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

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
