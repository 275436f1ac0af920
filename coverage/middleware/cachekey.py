"""What an anonymous answer is kept under (coverage.middleware.cache): the release, the configuration, the data
versions it reads, the date, and every part of the request that may change the answer."""

import hashlib
from pathlib import Path

import django
import rest_framework
from django.conf import settings
from django.utils import timezone

from ..api.configuration import configuration
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
