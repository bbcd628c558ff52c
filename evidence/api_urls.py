from django.urls import path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from evidence import api

urlpatterns = [
    path("evidence/", api.EvidenceListView.as_view(), name="api-evidence-list"),
    path("evidence/<id:pk>/", api.EvidenceDetailView.as_view(), name="api-evidence-detail"),
    path("evidence/<id:pk>/download/", api.EvidenceDownloadView.as_view(), name="api-evidence-download"),
    path("evidence/<id:pk>/custody/", api.EvidenceCustodyView.as_view(), name="api-evidence-custody"),
    path("evidence/<id:pk>/verify/", api.EvidenceVerifyView.as_view(), name="api-evidence-verify"),
    path("evidence/<id:pk>/restore/", api.EvidenceRestoreView.as_view(), name="api-evidence-restore"),
    path("evidence/<id:pk>/link/", api.EvidenceLinkView.as_view(), name="api-evidence-link"),
    path("evidence/<id:pk>/unlink/", api.EvidenceUnlinkView.as_view(), name="api-evidence-unlink"),
]
