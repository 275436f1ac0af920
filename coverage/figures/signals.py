"""What a save or delete anywhere (API, admin, import, fixtures, shell) sets off: ``is_latest`` kept right, the data
versions moved (coverage.models.versions), a fixture's missing population kept."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from ..models import (
    BpsCode,
    ClientKey,
    Indicator,
    Measurement,
    NationalTarget,
    Partnership,
    Region,
    RegionChange,
    RegionGrant,
    Source,
)
from ..models.base import province_of
from ..models.versions import bump_data_version, provinces_of
from . import access
from .latest import lock_series, refresh_latest


@receiver(pre_save, sender=Region)
def keep_population_on_fixture_load(sender, instance, raw, **kwargs):
    """loaddata replaces whole rows; a fixture that names a region without its population (article.json)
    must not erase the population that load_regions set."""
    if raw and instance.population is None and instance.pk:
        current = Region.objects.filter(pk=instance.pk).values("population", "population_as_of").first()
        if current:
            instance.population, instance.population_as_of = current["population"], current["population_as_of"]


def _changes_public(instance, *, created=False, raw=False) -> bool:
    """Whether a save or delete of this figure changes what anonymous readers see: it is or was published. A row
    saved without having been read (a fixture load) may have replaced a published one: counted as public."""
    before = getattr(instance, "_loaded_status", None)
    if before is None and raw and not created:
        return True
    return access.changes_public(before, instance.status)


def _series(instance):
    """The (region_id, indicator_id) series a write of this figure touches: both, if it moves the figure."""
    return {(instance.region_id, instance.indicator_id), getattr(instance, "_loaded_series", (None, None))} - {
        (None, None)
    }


def _provinces(instance, series):
    """The provinces of the series' regions: from the region the figure holds (no query), unless it moved."""
    region = instance._state.fields_cache.get("region")
    if region is not None and region.pk == instance.region_id and {r for r, _ in series} == {region.pk}:
        return {province_of(region.code)}
    return provinces_of(r for r, _ in series)


@receiver(pre_save, sender=Measurement)
@receiver(pre_delete, sender=Measurement)
def lock_latest(sender, instance, raw=False, **kwargs):
    """A write that may change a series' latest published figure takes its is_latest locks before it writes the row
    (coverage.figures.latest.lock_series). ``created`` is not known yet: a raw row counts as replacing one."""
    if _changes_public(instance, created=instance.pk is None, raw=raw):
        series = _series(instance)
        lock_series({r for r, _ in series}, {i for _, i in series})


@receiver(post_save, sender=Measurement)
@receiver(post_delete, sender=Measurement)
def figure_changed(sender, instance, created=False, raw=False, **kwargs):
    """Every save and delete through the ORM (API, admin, fixtures, shell): ``is_latest`` kept right for the series
    it touched, and the versions moved — the public ones, national and of the provinces of its region (before and
    after a move), only if the figure is or was published."""
    public = _changes_public(instance, created=created, raw=raw)
    if public:
        series = _series(instance)
        refresh_latest(series, locked=True)  # lock_latest took the locks
        bump_data_version(public=True, provinces=_provinces(instance, series))
    else:
        bump_data_version(public=False)
    instance._loaded_status = instance.status  # what the next save of this instance changes from
    instance._loaded_series = (instance.region_id, instance.indicator_id)


REFERENCE_MODELS = (Region, BpsCode, RegionChange, Indicator, Source, NationalTarget, Partnership)


@receiver(m2m_changed, sender=Partnership.regions.through)
def reference_data_changed(sender, **kwargs):
    """Reference data is shown publicly (sources are listed even when only drafts cite them), and what a question's
    codes mean is read from it (a BPS code's region, a recode's successor: coverage.api.plans)."""
    bump_data_version(public=True)


for _model in REFERENCE_MODELS:
    post_save.connect(reference_data_changed, sender=_model, dispatch_uid=f"reference-saved-{_model.__name__}")
    post_delete.connect(reference_data_changed, sender=_model, dispatch_uid=f"reference-deleted-{_model.__name__}")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def note_username(sender, instance, raw=False, **kwargs):
    """What a save of a user changes publicly: only the username, which published figures show as their verifier."""
    if instance.pk and not raw:
        stored = sender.objects.filter(pk=instance.pk).values_list("username", flat=True).first()
        instance._renamed = stored is not None and stored != instance.username


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def user_changed(sender, instance, signal, update_fields=None, **kwargs):
    """A user's rights shape the answers of clients with credentials (all data); a rename, or a deletion (their
    figures lose their verifier), what everyone sees. A login records its time only (Django saves last_login
    alone, or the password when it upgrades its hash): that changes no answer, and tells outsiders nothing."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    bump_data_version(public=signal is post_delete or getattr(instance, "_renamed", False))


@receiver(post_save, sender=RegionGrant)
@receiver(post_delete, sender=RegionGrant)
@receiver(post_save, sender=ClientKey)
@receiver(post_delete, sender=ClientKey)
@receiver(m2m_changed, sender=ClientKey.regions.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def access_changed(sender, **kwargs):
    """Grants, keys and permissions decide which drafts a client with credentials sees, not what anonymous readers
    see."""
    bump_data_version(public=False)
