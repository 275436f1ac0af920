"""The door a request's changes are recorded with (coverage.models.history)."""

from ..models import Door
from ..models.history import door


class DoorMiddleware:
    """Requests under /api/ come through the API door, under /admin/ through the admin door."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = (
            Door.API if request.path.startswith("/api/") else Door.ADMIN if request.path.startswith("/admin/") else None
        )
        if name is None:
            return self.get_response(request)
        with door(name):
            return self.get_response(request)
