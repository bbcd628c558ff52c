from django.urls import path

from intake import views

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/status/", views.report_status, name="report-status"),
    path("intake/", views.queue, name="intake-queue"),
    path("intake/<id:pk>/", views.detail, name="intake-detail"),
    path("intake/<id:pk>/accept/", views.accept, name="intake-accept"),
    path("intake/<id:pk>/reject/", views.reject, name="intake-reject"),
]
