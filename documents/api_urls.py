from django.urls import path

from documents import api

urlpatterns = [
    path("cases/<int:pk>/documents/exhibit-list.docx", api.ExhibitListDocx.as_view(), name="api-exhibit-list"),
    path("cases/<int:pk>/documents/chronology.docx", api.ChronologyDocx.as_view(), name="api-chronology"),
    path("cases/<int:pk>/documents/custody-report.docx", api.CustodyReportDocx.as_view(), name="api-custody-report"),
    path("cases/<int:pk>/documents/incident-dossier.docx", api.IncidentDossierDocx.as_view(),
         name="api-incident-dossier"),
    path("cases/<int:pk>/documents/templates/<int:template_id>/fill.docx", api.TemplateFillDocx.as_view(),
         name="api-template-fill"),
    path("cases/<int:pk>/bundle.zip", api.BundleZip.as_view(), name="api-bundle"),
    path("cases/<int:pk>/bundle/", api.BundleInfo.as_view(), name="api-bundle-info"),
    path("document-templates/", api.TemplateList.as_view(), name="api-document-templates"),
    path("document-templates/<int:template_id>/", api.TemplateDetail.as_view(), name="api-document-template"),
]
