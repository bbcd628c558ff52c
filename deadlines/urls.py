from django.urls import path, re_path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from deadlines import views

urlpatterns = [
    path("", views.upcoming, name="deadline-upcoming"),
    re_path(r"^month/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.month, name="deadline-month"),
    path("new/", views.create, name="deadline-create"),
    path("<id:pk>/", views.detail, name="deadline-detail"),
    path("<id:pk>/edit/", views.edit, name="deadline-edit"),
    path("<id:pk>/done/", views.complete, name="deadline-complete"),
    path("<id:pk>/delete/", views.delete, name="deadline-delete"),
    path("calendar/", views.calendar_settings, name="calendar-settings"),
    re_path(r"^calendar/(?P<public_id>[A-Za-z0-9_-]{16,64})/(?P<secret>[0-9a-f]{64})\.ics$", views.calendar_feed,
            name="calendar-feed"),
]
