"""The Django admin, in Bahasa Indonesia: figures and their import, reference data, users and API keys."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import accounts, figures, reference  # noqa: F401  (register the model admins)

admin.site.site_header = _("Population-administration coverage")
admin.site.site_title = _("adminduk-coverage")
admin.site.index_title = _("Figures, targets and regions")
