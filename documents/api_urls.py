from django.urls import path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from documents import api

urlpatterns = [
    path("cases/<id:pk>/documents/exhibit-list.docx", api.ExhibitListDocx.as_view(), name="api-exhibit-list"),
    path("cases/<id:pk>/documents/exhibit-list.pdf", api.ExhibitListPdf.as_view(), name="api-exhibit-list-pdf"),
    path("cases/<id:pk>/documents/chronology.docx", api.ChronologyDocx.as_view(), name="api-chronology"),
    path("cases/<id:pk>/documents/chronology.pdf", api.ChronologyPdf.as_view(), name="api-chronology-pdf"),
    path("cases/<id:pk>/documents/custody-report.docx", api.CustodyReportDocx.as_view(), name="api-custody-report"),
    path("cases/<id:pk>/documents/custody-report.pdf", api.CustodyReportPdf.as_view(),
         name="api-custody-report-pdf"),
    path("cases/<id:pk>/documents/incident-dossier.docx", api.IncidentDossierDocx.as_view(),
         name="api-incident-dossier"),
    path("cases/<id:pk>/documents/incident-dossier.pdf", api.IncidentDossierPdf.as_view(),
         name="api-incident-dossier-pdf"),
    path("cases/<id:pk>/documents/templates/<id:template_id>/fill.docx", api.TemplateFillDocx.as_view(),
         name="api-template-fill"),
    path("cases/<id:pk>/bundle.zip", api.BundleZip.as_view(), name="api-bundle"),
    path("cases/<id:pk>/bundle.pdf", api.BundlePdf.as_view(), name="api-bundle-pdf"),
    path("cases/<id:pk>/bundle/", api.BundleInfo.as_view(), name="api-bundle-info"),
    path("document-templates/", api.TemplateList.as_view(), name="api-document-templates"),
    path("document-templates/<id:template_id>/", api.TemplateDetail.as_view(), name="api-document-template"),
    path("document-templates/<id:template_id>/attach/", api.TemplateAttach.as_view(),
         name="api-document-template-attach"),
]
