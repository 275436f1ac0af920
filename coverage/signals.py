from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .cache import bump_data_version
from .models import Indicator, Measurement, NationalTarget, Partnership, Region, Source
from .services import refresh_latest


@receiver(pre_save, sender=Region)
def keep_population_on_fixture_load(sender, instance, raw, **kwargs):
    """loaddata replaces whole rows; a fixture that names a region without its population (article.json)
    must not erase the population that load_regions set."""
    if raw and instance.population is None and instance.pk:
        current = Region.objects.filter(pk=instance.pk).values("population", "population_as_of").first()
        if current:
            instance.population, instance.population_as_of = current["population"], current["population_as_of"]


@receiver(post_save, sender=Measurement)
@receiver(post_delete, sender=Measurement)
def keep_latest_current(sender, instance, **kwargs):
    """Every save and delete through the ORM (API, admin, fixtures, shell) keeps ``is_latest`` right for the
    series it touched — both of them, if the write moved the figure to another region or indicator."""
    refresh_latest({(instance.region_id, instance.indicator_id), getattr(instance, "_loaded_series", (None, None))})


@receiver(post_save, sender=Region)
@receiver(post_save, sender=Indicator)
@receiver(post_save, sender=Source)
@receiver(post_save, sender=NationalTarget)
@receiver(post_save, sender=Measurement)
@receiver(post_save, sender=Partnership)
@receiver(post_delete, sender=Region)
@receiver(post_delete, sender=Indicator)
@receiver(post_delete, sender=Source)
@receiver(post_delete, sender=NationalTarget)
@receiver(post_delete, sender=Measurement)
@receiver(post_delete, sender=Partnership)
@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
@receiver(m2m_changed, sender=Partnership.regions.through)
def data_changed(sender, **kwargs):
    """Any change of what the API answers (users too: figures name who verified them) moves the data version
    (ETags, response cache) on."""
    bump_data_version()
