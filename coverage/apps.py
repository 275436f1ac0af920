from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "coverage"
    verbose_name = _("Population-administration coverage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import history, schema, signals  # noqa: F401  (registers the OpenAPI extension and signal receivers)
