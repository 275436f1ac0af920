from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "coverage"
    verbose_name = _("Population-administration coverage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The signal receivers and the any_of lookup. The OpenAPI extension (coverage.api.schema) is registered by
        # coverage.api.views, so that commands that serve no API (import_measurements, load_regions) do not load
        # drf-spectacular.
        from .figures import signals  # noqa: F401
        from .models import history  # noqa: F401
