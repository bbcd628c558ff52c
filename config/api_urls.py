"""API v1: each app contributes its own api_urls; the schema and self-hosted docs live here."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("accounts.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("evidence.api_urls")),
    path("", include("deadlines.api_urls")),
    path("", include("search.api_urls")),
    path("", include("documents.api_urls")),
    path("", include("litigation.api.urls")),
    path("", include("intake.api_urls")),
    path("", include("exchange.api_urls")),
    path("", include("stats.api_urls")),
    path("", include("privacy.api_urls")),
]
