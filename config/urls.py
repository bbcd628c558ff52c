"""Root URLs: pages per app, the API under /api/v1/ (config/api_urls.py), admin, i18n."""
from django.contrib import admin
from django.urls import include, path

from config import views

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("api/v1/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("evidence/", include("evidence.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("search/", include("search.urls")),
    path("", include("accounts.urls")),
    path("", include("intake.urls")),
    path("", include("exchange.urls")),
    path("", include("stats.urls")),
    path("", include("privacy.urls")),
    path("", include("documents.urls")),
    path("", include("litigation.urls")),
    path("", include("cases.urls")),
]
