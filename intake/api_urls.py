from django.urls import path

from intake import api

urlpatterns = [
    path("intake/", api.IntakeView.as_view(), name="api-intake"),
    path("intake/<id:pk>/", api.ReportDetailView.as_view(), name="api-intake-detail"),
    path("intake/<id:pk>/accept/", api.ReportAcceptView.as_view(), name="api-intake-accept"),
    path("intake/<id:pk>/reject/", api.ReportRejectView.as_view(), name="api-intake-reject"),
    path("intake/<id:pk>/file/", api.ReportFileView.as_view(), name="api-intake-file"),
]
