from django.conf import settings
from rest_framework import permissions


class ModelPermissionsWithPublicRead(permissions.DjangoModelPermissions):
    """Reads are open data unless API_PUBLIC_READ=false; every write needs the model permission."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and settings.API_PUBLIC_READ:
            return True
        return super().has_permission(request, view)
