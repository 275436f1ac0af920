"""``manage.py api_key``: make, list and revoke the API keys of client apps."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import transaction

from coverage.management.accounts import announce_key, issue_key, regions_by_code
from coverage.models import ClientKey


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

    @no_translations
    def handle(self, *args, command, **options):
        getattr(self, command)(**options)

    @transaction.atomic
    def create(self, *, name, user, scope, region, expires, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user!r}.")
        key_obj, key = issue_key(
            name=name, account=account, scope=scope, regions=regions_by_code(region), expires=expires
        )
        announce_key(self.stdout, key_obj, key)

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
