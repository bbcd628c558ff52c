from django.urls import path

from exchange import views

urlpatterns = [
    path("incidents/import/", views.import_start, name="incident-import"),
    path("incidents/import/<uuid:token>/", views.import_job, name="incident-import-job"),
    path("incidents/import/<uuid:token>/confirm/", views.import_confirm, name="incident-import-confirm"),
]
