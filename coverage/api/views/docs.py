"""The OpenAPI document and the two pages that render it (Swagger UI, ReDoc), served with nothing from another host."""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

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


class SchemaView(SpectacularAPIView):
    """The OpenAPI document: in English, whatever the request's language (a document in one language; the API's
    error messages follow Accept-Language)."""

    language = "en"

    def dispatch(self, request, *args, **kwargs):
        with translation.override(self.language):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # lazy texts are translated now, in this language
        response["Content-Language"] = self.language
        return response


class SwaggerView(OfflineDocsMixin, SpectacularSwaggerView):
    pass


class RedocView(OfflineDocsMixin, SpectacularRedocView):
    pass
