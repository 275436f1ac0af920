from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Measurement, Region
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
