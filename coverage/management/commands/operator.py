"""``manage.py operator``: make the account of a person who keeps a region's figures, without being a superuser."""

import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import IntegrityError, transaction

from coverage.figures.roles import ROLES, role_group
from coverage.management.accounts import announce_key, issue_key, regions_by_code
from coverage.models import ClientKey, RegionGrant


class Command(BaseCommand):
    help = (
        "Make the account of a region's operator: a staff user (the admin) with a role (operator: drafts, imports and "
        "corrects its regions' figures; publisher: also verifies and publishes them) in the regions granted (a "
        "province covers its kabupaten/kota), and optionally an API key for their app. Not a superuser."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--region", action="append", required=True, help="Kemendagri code of a region granted; repeat for more."
        )
        parser.add_argument("--role", choices=sorted(ROLES), default="operator")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (else asked on a terminal, or set later "
            "with manage.py changepassword).",
        )
        parser.add_argument("--key", metavar="NAME", help="Also make a read-write API key for the app NAME.")

    @no_translations
    def handle(self, *args, username, region, role, email, password_stdin, key, **options):
        if key is not None and not key.strip():
            raise CommandError("--key: give the name of the app the key is for.")
        User = get_user_model()
        user = User(username=username, email=email, is_staff=True)
        try:  # the username and email rules of the admin's user form, and whether the username is taken
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            if any(error.code == "unique" for error in exc.error_dict.get("username", [])):
                raise CommandError(taken(username)) from None
            raise CommandError(describe(exc)) from None
        regions = regions_by_code(region)
        password = self.password(password_stdin)
        with transaction.atomic():
            if password is None:
                user.set_unusable_password()
            else:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError(f"Password: {' '.join(exc.messages)}") from None
                user.set_password(password)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:  # made meanwhile by someone else
                raise CommandError(taken(username)) from None
            user.groups.add(role_group(role))
            RegionGrant.objects.bulk_create(RegionGrant(user=user, region=r) for r in regions)
            issued = issue_key(name=key, account=user, scope=ClientKey.Scope.READ_WRITE) if key else None
        group_name = ROLES[role][0]
        self.stdout.write(f"{username}: {group_name} ({role}) for {', '.join(r.code for r in regions)}.")
        if password is None:
            self.stdout.write(f"No password yet: set one with `manage.py changepassword {username}` to use the admin.")
        if issued:
            announce_key(self.stdout, *issued)

    @staticmethod
    def password(from_stdin: bool) -> str | None:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: the first line of standard input is empty.")
            return password
        if not sys.stdin.isatty():
            return None
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password or None


def describe(exc: ValidationError) -> str:
    """A user's ValidationError as one line naming each field."""
    return " ".join(
        f"{'--' + name if name != 'username' else name}: {' '.join(messages)}"
        for name, messages in exc.message_dict.items()
    )


def taken(username: str) -> str:
    return f"User {username!r} exists already; change their roles and regions in the admin."
