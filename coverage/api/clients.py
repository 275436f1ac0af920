"""Who a request (DRF's or Django's) comes from: the API key it was authenticated with and the actor the access
rules (coverage.figures.access) judge. Every door asks here: the API, the admin, the throttles."""

from ..figures.access import Actor
from ..models import ClientKey


def client_key_of(request) -> ClientKey | None:
    """The API key a request (DRF's or Django's) was authenticated with, if any."""
    key = getattr(request, "auth", None)
    if isinstance(key, ClientKey):
        return key
    return getattr(getattr(request, "_request", request), "client_key", None)


def actor_of(request) -> Actor:
    """The access rules' view of a request (DRF's or Django's): its user and the API key it came with."""
    return Actor(request.user, client_key_of(request))
