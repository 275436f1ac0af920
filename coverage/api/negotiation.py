"""Content negotiation: ``?format=`` and Accept choose JSON or CSV; an unknown format is a 400."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown ?format= is a 400 naming the parameter, not DRF's bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE, "x").strip() == "":
            # ?format= with no value would otherwise mean "the default": a mistake, not a choice.
            raise exceptions.ValidationError(
                {
                    "format": [
                        exceptions.ErrorDetail(_("Give at least one value, or leave the parameter out."), code="empty")
                    ]
                }
            )
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({renderer.format for renderer in renderers} - {"api"}))
            raise exceptions.ValidationError(
                {
                    "format": [
                        exceptions.ErrorDetail(
                            _("Unknown format; use one of: %(formats)s.") % {"formats": formats}, code="invalid_choice"
                        )
                    ]
                }
            ) from None
