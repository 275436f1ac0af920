"""Who changed what, when, and through which door.

django-simple-history writes a historical row for every save and delete through the ORM; this module adds the
door (API, admin, import, command, fixture) and covers the paths simple-history does not see by itself: fixture
loads (raw saves) and bulk writes (the import's writers and load_regions pass the door themselves). The HTTP doors
set theirs in coverage.middleware.doors.
"""

import contextvars
from contextlib import contextmanager

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .base import Door

_door = contextvars.ContextVar("door", default=Door.COMMAND)


def current_door() -> str:
    return _door.get()


@contextmanager
def door(name: str):
    token = _door.set(name)
    try:
        yield
    finally:
        _door.reset(token)


def current_api_key() -> str:
    """Prefix of the API key of the request being served, if it came with one."""
    request = getattr(HistoricalRecords.context, "request", None)
    key = getattr(request, "client_key", None)
    return key.prefix if key is not None else ""


@receiver(pre_create_historical_record)
def record_door(sender, history_instance, **kwargs):
    history_instance.history_door = current_door()
    history_instance.history_api_key = current_api_key()


BOOKKEEPING = ("version", "created_at", "updated_at")


@receiver(post_save)
def record_fixture_load(sender, instance, raw=False, **kwargs):
    """loaddata saves raw, which simple-history skips.

    A first load is recorded as created, dated as the fixture says. A load that changes a row (restoring the
    published figures over a correction) is recorded as a change made now, with the row's version and
    updated_at moved on, so that ETags, ?updated_after= and ?known_at= see it. A load that changes nothing
    keeps the row exactly as it was, bookkeeping included.
    """
    if not raw or not hasattr(sender._meta, "simple_history_manager_attribute"):
        return
    history_model = getattr(sender, sender._meta.simple_history_manager_attribute).model
    recorded = {field.attname for field in history_model._meta.concrete_fields}
    fields = [field.attname for field in sender._meta.concrete_fields if field.attname in recorded]
    bookkeeping = [f for f in BOOKKEEPING if f in fields]
    content = [f for f in fields if f not in bookkeeping]
    latest = (
        history_model.objects.filter(**{sender._meta.pk.attname: instance.pk})
        .order_by("-history_date", "-history_id")
        .first()
    )
    manager = sender._base_manager.filter(pk=instance.pk)
    if (
        latest is not None
        and latest.history_type != "-"
        and all(getattr(latest, f) == getattr(instance, f) for f in content)
    ):
        kept = {f: getattr(latest, f) for f in bookkeeping if getattr(latest, f) != getattr(instance, f)}
        if kept:
            manager.update(**kept)
        return
    moment = timezone.now()
    if latest is None:
        moment = getattr(instance, "updated_at", None) or moment
    else:
        moved_on = {}
        if "version" in bookkeeping:
            moved_on["version"] = (latest.version or 0) + 1
        if "updated_at" in bookkeeping:
            moved_on["updated_at"] = moment
        if "created_at" in bookkeeping:
            moved_on["created_at"] = latest.created_at
        manager.update(**moved_on)
        for name, value in moved_on.items():
            setattr(instance, name, value)
    history_model.objects.create(
        history_date=moment,
        history_type="+" if latest is None else "~",
        history_door=Door.FIXTURE,
        **{f: getattr(instance, f) for f in fields},
    )
