from django.urls import path

from evidence import api

urlpatterns = [
    path("evidence/", api.EvidenceListView.as_view(), name="api-evidence-list"),
    path("evidence/<int:pk>/", api.EvidenceDetailView.as_view(), name="api-evidence-detail"),
    path("evidence/<int:pk>/download/", api.EvidenceDownloadView.as_view(), name="api-evidence-download"),
    path("evidence/<int:pk>/custody/", api.EvidenceCustodyView.as_view(), name="api-evidence-custody"),
    path("evidence/<int:pk>/verify/", api.EvidenceVerifyView.as_view(), name="api-evidence-verify"),
    path("evidence/<int:pk>/restore/", api.EvidenceRestoreView.as_view(), name="api-evidence-restore"),
    path("evidence/<int:pk>/link/", api.EvidenceLinkView.as_view(), name="api-evidence-link"),
    path("evidence/<int:pk>/unlink/", api.EvidenceUnlinkView.as_view(), name="api-evidence-unlink"),
]
