from django.urls import path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from deadlines import api

urlpatterns = [
    path("deadline-rules/", api.RuleListView.as_view(), name="api-deadline-rules"),
    path("deadline-rules/preview/", api.RulePreviewView.as_view(), name="api-deadline-preview"),
    path("deadlines/", api.DeadlineListView.as_view(), name="api-deadline-list"),
    path("deadlines/<id:pk>/", api.DeadlineDetailView.as_view(), name="api-deadline-detail"),
    path("deadlines/<id:pk>/history/", api.DeadlineHistoryView.as_view(), name="api-deadline-history"),
    path("deadline-reminders/", api.ReminderPreferenceView.as_view(), name="api-deadline-reminders"),
    path("calendar/", api.CalendarView.as_view(), name="api-calendar"),
    path("calendar/revoke/", api.CalendarRevokeView.as_view(), name="api-calendar-revoke"),
]
