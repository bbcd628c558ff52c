from django.urls import path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from evidence import views

urlpatterns = [
    path("upload/", views.evidence_upload, name="evidence-upload"),
    path("<id:pk>/", views.evidence_detail, name="evidence-detail"),
    path("<id:pk>/download/", views.evidence_download, name="evidence-download"),
    path("<id:pk>/preview/", views.evidence_preview, name="evidence-preview"),
    path("<id:pk>/verify/", views.evidence_verify, name="evidence-verify"),
    path("<id:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("<id:pk>/trash/", views.evidence_trash_view, name="evidence-trash"),
]
