"""Small helpers shared by test modules."""

from django.test import override_settings
from rest_framework.test import APIClient

from coverage.models import ClientKey


def error_codes(response, status) -> list[str]:
    """The error codes of an API error answer, after checking its status."""
    assert response.status_code == status, response.content
    return [error["code"] for error in response.json()["errors"]]


def key_client(user, *, scope=ClientKey.Scope.READ_WRITE, regions=()) -> APIClient:
    """An API client with a new API key of ``user``, narrowed to ``regions`` (codes) if given."""
    key_obj, key = ClientKey.objects.create_key(name=f"{user.username} app", user=user, scope=scope)
    if regions:
        key_obj.regions.set(key_obj.regions.model.objects.filter(code__in=regions))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def throttle_rates(*, anon=None, client=None, write=None, failed_auth=None, proxies=0):
    """Settings with these rates (None: that throttle off) and TRUSTED_PROXIES as settings.py hands it to DRF."""
    from django.conf import settings

    rates = {"anon": anon, "client": client, "write": write, "failed_auth": failed_auth}
    return override_settings(
        TRUSTED_PROXIES=proxies,
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates, "NUM_PROXIES": proxies},
    )
