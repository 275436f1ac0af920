"""``manage.py api_key``: make, list and revoke the API keys of client apps."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from coverage.models import ClientKey, Region
from coverage.regions.scopes import scope_of


class Command(BaseCommand):
    help = (
        "Make, list and revoke the API keys of client apps. A key acts for an account (its permissions and region "
        "grants bound the key), reads only or reads and writes, and may be narrowed to regions. The key is printed "
        "once, when it is made; only its hash is stored."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="Make a key and print it (once).")
        create.add_argument("--name", required=True, help="The client app, e.g. 'Dashboard Bappeda Kaltim'.")
        create.add_argument("--user", required=True, help="Username of the account the key acts for.")
        create.add_argument("--scope", choices=ClientKey.Scope.values, default=ClientKey.Scope.READ)
        create.add_argument(
            "--region", action="append", default=[], help="Kemendagri code; repeat for more (default: the account's)."
        )
        create.add_argument("--expires", type=datetime.date.fromisoformat, help="Last day the key works (YYYY-MM-DD).")
        commands.add_parser("list", help="List keys (never the keys themselves).")
        revoke = commands.add_parser("revoke", help="Revoke a key for good.")
        revoke.add_argument("prefix", help="The key's prefix: the part before the dot.")

    def handle(self, *args, command, **options):
        getattr(self, command)(**options)

    @transaction.atomic
    def create(self, *, name, user, scope, region, expires, **options):
        if len(name) > ClientKey._meta.get_field("name").max_length:
            raise CommandError(f"--name: at most {ClientKey._meta.get_field('name').max_length} characters.")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user!r}.")
        regions = list(Region.objects.filter(code__in=region))
        unknown = sorted(set(region) - {r.code for r in regions})
        if unknown:
            raise CommandError(f"Unknown region code(s): {', '.join(unknown)}.")
        reach = scope_of(account)
        outside = [r.code for r in regions if not reach.allows(r.code)]
        if outside:
            raise CommandError(f"Outside the regions of {user} ({reach}): {', '.join(outside)}.")
        expiry = None
        if expires is not None:
            expiry = timezone.make_aware(datetime.datetime.combine(expires, datetime.time.max))
            if expiry <= timezone.now():
                raise CommandError("--expires is in the past.")
        key_obj, key = ClientKey.objects.create_key(name=name, user=account, scope=scope, expiry_date=expiry)
        key_obj.regions.set(regions)
        self.stdout.write(f"API key for {name} (prefix {key_obj.prefix}), shown only now; store it safely:")
        self.stdout.write(key)

    def list(self, **options):
        for key in ClientKey.objects.select_related("user").prefetch_related("regions").order_by("created"):
            regions = ",".join(r.code for r in key.regions.all()) or "(account's)"
            state = "revoked" if key.revoked else "expired" if key.has_expired else "active"
            used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never"
            self.stdout.write(
                f"{key.prefix}  {state:8}  {key.scope:10}  {key.user.username:15}  {regions:20}  last used {used}  "
                f"{key.name}"
            )

    def revoke(self, *, prefix, **options):
        updated = ClientKey.objects.filter(prefix=prefix, revoked=False).update(revoked=True)
        if not updated:
            raise CommandError(f"No active key with prefix {prefix!r}.")
        self.stdout.write(f"Revoked {prefix}.")
