from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from .authentication import client_key_of
from .models import ClientKey


class ModelPermissionsWithPublicRead(permissions.DjangoModelPermissions):
    """Reads are open data unless API_PUBLIC_READ=false; every write needs the model permission of the account,
    and, with an API key, a read-write key."""

    def has_permission(self, request, view):
        safe = request.method in permissions.SAFE_METHODS
        key = client_key_of(request)
        if key is not None and not safe and key.scope != ClientKey.Scope.READ_WRITE:
            raise exceptions.PermissionDenied(_("This API key may only read."), code="read_only_key")
        if safe and settings.API_PUBLIC_READ:
            return True
        return super().has_permission(request, view)
