"""Errors raised outside the API views (URL resolution, middleware): JSON under /api/ like every other API error,
Django's pages elsewhere."""

import sys

from django.http import HttpResponse
from django.views import defaults

from ..exceptions import DatabaseUnavailable, database_unavailable, error_response, status_error_response


def bad_request(request, exception):
    if request.path.startswith("/api/"):
        return status_error_response(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return status_error_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return status_error_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls this inside its except block: a database outage raised outside the API views (e.g. by the
    # response cache's version read) is told apart from a bug here.
    if database_unavailable(sys.exc_info()[1]):
        response = (
            error_response(503, DatabaseUnavailable.default_code, str(DatabaseUnavailable.default_detail))
            if request.path.startswith("/api/")
            else HttpResponse(DatabaseUnavailable.default_detail, status=503, content_type="text/plain; charset=utf-8")
        )
        response["Retry-After"] = str(DatabaseUnavailable.wait)
        return response
    if request.path.startswith("/api/"):
        return status_error_response(500)
    return defaults.server_error(request)
