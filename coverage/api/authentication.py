"""The Authorization header: API keys of client apps (``Api-Key <prefix>.<secret>``) and users' tokens
(``Token <token>``).

Keys are djangorestframework-api-key keys (a prefix to find the key, a SHA-512 hash of the whole key stored,
never the key); coverage.models.ClientKey adds the account the key acts for, its scope and regions, and the
time it was last used.

A request with an Authorization header is authenticated or refused, never served as anonymous: any other
scheme (``Bearer``, ``Basic``, an empty header) is a 401 ``unsupported_scheme`` naming the two accepted. Every
refusal counts against the client's address (coverage.api.throttling.FailedAuthThrottle); over that rate the
address gets 429 for any credential, right or wrong, until the window ends.
"""

import contextlib
import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..models import ClientKey
from .throttling import FailedAuthThrottle

KEYWORD = "Api-Key"
TOKEN_KEYWORD = authentication.TokenAuthentication.keyword
SCHEMES = (KEYWORD.lower().encode(), TOKEN_KEYWORD.lower().encode())
# last_used_at is written at most this often per key, so that a busy key does not write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@contextlib.contextmanager
def counted_failures(request):
    """Counts a credential that does not authenticate against the client's address."""
    try:
        yield
    except exceptions.AuthenticationFailed:
        FailedAuthThrottle().failed(request)
        raise


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """First of the authentication classes, so it sees every Authorization header first: it refuses an address
    over its rate of failures, and a scheme that is neither ``Api-Key`` nor ``Token`` (TokenAuthentication,
    next, takes tokens)."""

    def authenticate(self, request):
        if "HTTP_AUTHORIZATION" not in request.META:
            return None
        throttle = FailedAuthThrottle()
        if not throttle.allow_request(request, None):
            raise exceptions.Throttled(throttle.wait())
        with counted_failures(request):
            return self._authenticate(request)

    def _authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            raise exceptions.AuthenticationFailed(
                _("Unsupported Authorization scheme: send 'Api-Key <key>' or 'Token <token>'."),
                code="unsupported_scheme",
            )
        if parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the key after 'Api-Key ', with no spaces in it."), code="invalid_key"
            )
        try:
            key = ClientKey.objects.get_from_key(parts[1].decode("ascii"))
        except (ClientKey.DoesNotExist, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."), code="invalid_key") from None
        if key.has_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."), code="key_expired")
        if not key.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account of this API key is disabled."), code="inactive_account"
            )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            # A plain UPDATE: no signal, so the data version (and every cached answer) stays as it is.
            ClientKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        request._request.client_key = key  # for the change history and the request log
        return key.user, key

    def authenticate_header(self, request):
        return KEYWORD


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's user tokens, with each refusal counted against the client's address."""

    def authenticate(self, request):
        with counted_failures(request):
            return super().authenticate(request)
