from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework import viewsets

from .filters import MeasurementFilterSet, NationalTargetFilterSet, RegionFilterSet
from .models import INDICATOR_CODE_RE, REGION_CODE_RE, Indicator, Measurement, NationalTarget, Region, Source
from .serializers import (
    IndicatorSerializer,
    MeasurementSerializer,
    NationalTargetSerializer,
    RegionSerializer,
    SourceSerializer,
)


class RegionViewSet(viewsets.ModelViewSet):
    """Regions by Kemendagri code: provinces, kabupaten/kota, kecamatan, desa/kelurahan."""

    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"
    lookup_value_regex = REGION_CODE_RE


class IndicatorViewSet(viewsets.ModelViewSet):
    """What is measured (KTP-el recording, KIA ownership, …), by code."""

    queryset = Indicator.objects.order_by("code")
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = INDICATOR_CODE_RE


class SourceViewSet(viewsets.ModelViewSet):
    """Where figures and targets come from: every figure points to one."""

    queryset = Source.objects.order_by("-published_on", "id")
    serializer_class = SourceSerializer
    lookup_value_regex = r"[0-9]+"


class NationalTargetViewSet(viewsets.ModelViewSet):
    """National targets per indicator and year (e.g. KIA ownership 60 % in 2024)."""

    queryset = NationalTarget.objects.select_related("indicator").order_by("indicator__code", "year")
    serializer_class = NationalTargetSerializer
    filterset_class = NationalTargetFilterSet
    lookup_value_regex = r"[0-9]+"


class MeasurementViewSet(viewsets.ModelViewSet):
    """Coverage figures: one per region, indicator and date."""

    queryset = Measurement.objects.select_related("region", "indicator").order_by(
        "region__code", "indicator__code", "as_of", "id"
    )
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    lookup_value_regex = r"[0-9]+"


# The docs pages may load nothing from another host (the service runs on closed networks, and ReDoc's
# bundle hard-codes a logo on cdn.redoc.ly): the browser enforces it.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
    ]
)


class OfflineDocsMixin:
    schema = None  # the docs pages are not part of the API they document

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class SwaggerView(OfflineDocsMixin, SpectacularSwaggerView):
    pass


class RedocView(OfflineDocsMixin, SpectacularRedocView):
    pass


def _api_error(request, status, code, detail):
    return JsonResponse(
        {
            "type": "client_error" if status < 500 else "server_error",
            "errors": [{"code": code, "detail": detail, "attr": None}],
        },
        status=status,
    )


def page_not_found(request, exception):
    """JSON 404 under /api/ (same shape as every other API error), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error(request, 500, "error", _("Server error."))
    return defaults.server_error(request)
