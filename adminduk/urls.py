from django.contrib import admin
from django.urls import include, path

from coverage.api.views.docs import RedocView, SchemaView, SwaggerView
from coverage.middleware.health import LivenessView, ReadinessView
from coverage.web.dashboard import dashboard

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("healthz", LivenessView.as_view(), name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("coverage.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]

handler400 = "coverage.api.views.errors.bad_request"
handler403 = "coverage.api.views.errors.permission_denied"
handler404 = "coverage.api.views.errors.page_not_found"
handler500 = "coverage.api.views.errors.server_error"
