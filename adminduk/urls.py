from django.contrib import admin
from django.urls import include, path

from coverage.dashboard import dashboard
from coverage.health import LivenessView, ReadinessView
from coverage.views import RedocView, SchemaView, SwaggerView

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("healthz", LivenessView.as_view(), name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("coverage.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]

handler400 = "coverage.views.bad_request"
handler403 = "coverage.views.permission_denied"
handler404 = "coverage.views.page_not_found"
handler500 = "coverage.views.server_error"
