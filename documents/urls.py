from django.urls import path

from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)
from documents import views

urlpatterns = [
    path("cases/<id:pk>/documents/", views.case_documents, name="case-documents"),
    path("cases/<id:pk>/documents/dossier/", views.dossier_download, name="case-documents-dossier"),
    path("cases/<id:pk>/documents/templates/upload/", views.template_upload, name="case-documents-template-upload"),
    path("cases/<id:pk>/documents/templates/<id:template_id>/fill/", views.template_fill,
         name="case-documents-template-fill"),
    path("cases/<id:pk>/documents/templates/<id:template_id>/delete/", views.template_delete,
         name="case-documents-template-delete"),
    path("cases/<id:pk>/documents/templates/<id:template_id>/attach/", views.template_attach,
         name="case-documents-template-attach"),
    path("documents/signature/", views.signature_edit, name="documents-signature"),
]
