"""Clients that get details wrong lose nothing: paths work with and without the final slash, for every method, and
every error under /api/ is JSON in every mode."""

from django.http import HttpResponse
from django.urls import get_urlconf, is_valid_path
from rest_framework.response import Response

from ..api.exceptions import status_error_response

API = "/api/"


class OptionalSlashMiddleware:
    """A path without its final slash is served as the path with it, without a redirect: a client that follows a
    301 turns a POST into a GET, and would report the list it got back as a write that succeeded. (Django's
    APPEND_SLASH redirects, and with DEBUG refuses such a POST with an error page.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.endswith("/") and not is_valid_path(path, get_urlconf()) and is_valid_path(f"{path}/"):
            request.path_info = f"{path}/"
            request.path = f"{request.path}/"
        return self.get_response(request)


class JsonApiErrorsMiddleware:
    """An error page Django made by itself under /api/ (its HTML debug pages with DEBUG: an unknown path, an error
    before a view) becomes the API's JSON error. DRF's own answers (JSON, or the browsable API's HTML when asked
    for) and the documentation pages are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API)
            and not isinstance(response, Response)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return self.as_json(response)
        return response

    @staticmethod
    def as_json(response: HttpResponse):
        converted = status_error_response(response.status_code)
        for name in ("Allow", "Retry-After", "X-Request-ID"):
            if response.has_header(name):
                converted[name] = response[name]
        return converted
