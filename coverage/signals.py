from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Region


@receiver(pre_save, sender=Region)
def keep_population_on_fixture_load(sender, instance, raw, **kwargs):
    """loaddata replaces whole rows; a fixture that names a region without its population (article.json)
    must not erase the population that load_regions set."""
    if raw and instance.population is None and instance.pk:
        current = Region.objects.filter(pk=instance.pk).values("population", "population_as_of").first()
        if current:
            instance.population, instance.population_as_of = current["population"], current["population_as_of"]
