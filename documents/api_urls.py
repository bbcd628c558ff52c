from django.urls import path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from documents import api

urlpatterns = [
    path("cases/<id:pk>/documents/exhibit-list.docx", api.ExhibitListDocx.as_view(), name="api-exhibit-list"),
    path("cases/<id:pk>/documents/chronology.docx", api.ChronologyDocx.as_view(), name="api-chronology"),
    path("cases/<id:pk>/documents/custody-report.docx", api.CustodyReportDocx.as_view(), name="api-custody-report"),
    path("cases/<id:pk>/documents/incident-dossier.docx", api.IncidentDossierDocx.as_view(),
         name="api-incident-dossier"),
    path("cases/<id:pk>/documents/templates/<id:template_id>/fill.docx", api.TemplateFillDocx.as_view(),
         name="api-template-fill"),
    path("cases/<id:pk>/bundle.zip", api.BundleZip.as_view(), name="api-bundle"),
    path("cases/<id:pk>/bundle/", api.BundleInfo.as_view(), name="api-bundle-info"),
    path("document-templates/", api.TemplateList.as_view(), name="api-document-templates"),
    path("document-templates/<id:template_id>/", api.TemplateDetail.as_view(), name="api-document-template"),
]
