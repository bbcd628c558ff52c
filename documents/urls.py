from django.urls import path

from documents import views

urlpatterns = [
    path("cases/<int:pk>/documents/", views.case_documents, name="case-documents"),
    path("cases/<int:pk>/documents/dossier/", views.dossier_download, name="case-documents-dossier"),
    path("cases/<int:pk>/documents/templates/upload/", views.template_upload, name="case-documents-template-upload"),
    path("cases/<int:pk>/documents/templates/<int:template_id>/fill/", views.template_fill,
         name="case-documents-template-fill"),
    path("cases/<int:pk>/documents/templates/<int:template_id>/delete/", views.template_delete,
         name="case-documents-template-delete"),
    path("cases/<int:pk>/documents/templates/<int:template_id>/attach/", views.template_attach,
         name="case-documents-template-attach"),
    path("documents/signature/", views.signature_edit, name="documents-signature"),
]
