from django.urls import path

from evidence import views

urlpatterns = [
    path("upload/", views.evidence_upload, name="evidence-upload"),
    path("<int:pk>/", views.evidence_detail, name="evidence-detail"),
    path("<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("<int:pk>/preview/", views.evidence_preview, name="evidence-preview"),
    path("<int:pk>/verify/", views.evidence_verify, name="evidence-verify"),
    path("<int:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("<int:pk>/trash/", views.evidence_trash_view, name="evidence-trash"),
]
