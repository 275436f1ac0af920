"""What the account commands (``api_key``, ``operator``) share: regions by code and API keys, checked by the same
rules as the admin (coverage.figures.access). Refusals are CommandErrors that say what to fix."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from ..figures import access
from ..models import ClientKey, Region
from ..regions.codes import check_region_code


def regions_by_code(codes) -> list[Region]:
    """The regions of ``codes``, or a CommandError naming a malformed code (by the rule every door applies: a BPS
    code is named as such) or the unknown ones."""
    for code in codes:
        try:
            check_region_code(code)
        except ValidationError as exc:
            raise CommandError(f"--region: {' '.join(exc.messages)}") from None
    regions = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {region.code for region in regions})
    if unknown:
        raise CommandError(f"Unknown region code(s): {', '.join(unknown)}.")
    return regions


def issue_key(*, name, account, scope, regions=(), expires=None) -> tuple[ClientKey, str]:
    """A new API key acting for ``account``, narrowed to ``regions`` (none: the account's), working until the end
    of the day ``expires`` (None: for good); returns the key and the secret, which is shown once and never stored."""
    if len(name) > ClientKey._meta.get_field("name").max_length:
        raise CommandError(f"--name: at most {ClientKey._meta.get_field('name').max_length} characters.")
    try:
        access.check_key_regions(account, regions)
    except access.OutOfScope as refusal:
        raise CommandError(str(refusal)) from None
    expiry = None
    if expires is not None:
        expiry = timezone.make_aware(datetime.datetime.combine(expires, datetime.time.max))
        if expiry <= timezone.now():
            raise CommandError("--expires is in the past.")
    key_obj, key = ClientKey.objects.create_key(name=name, user=account, scope=scope, expiry_date=expiry)
    key_obj.regions.set(regions)
    return key_obj, key


def announce_key(stdout, key_obj: ClientKey, key: str) -> None:
    stdout.write(f"API key for {key_obj.name} (prefix {key_obj.prefix}), shown only now; store it safely:")
    stdout.write(key)
