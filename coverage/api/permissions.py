"""Who may read and write through the API: reads are open data unless API_PUBLIC_READ=false; writes need the
account's model permission and a read-write key (coverage.figures.access)."""

from django.conf import settings
from rest_framework import permissions

from ..figures import access
from .clients import actor_of


class ModelPermissionsWithPublicRead(permissions.DjangoModelPermissions):
    """Reads are open data unless API_PUBLIC_READ=false; every write needs the model permission of the account,
    and, with an API key, a read-write key."""

    def has_permission(self, request, view):
        safe = request.method in permissions.SAFE_METHODS
        if not safe:
            access.check_key_may_write(actor_of(request))
        if safe and settings.API_PUBLIC_READ:
            return True
        return super().has_permission(request, view)
