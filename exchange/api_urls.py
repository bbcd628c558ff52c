from django.urls import path

from exchange import api

urlpatterns = [
    path("incidents/import/", api.IncidentImportView.as_view(), name="api-incident-import"),
]
for name, view in (("incidents", api.IncidentExportView), ("cases", api.CaseExportView),
                   ("deadlines", api.DeadlineExportView), ("evidence", api.EvidenceExportView)):
    for fmt in ("csv", "xlsx"):
        urlpatterns.append(path(f"{name}/export.{fmt}", view.as_view(fmt=fmt), name=f"api-{name}-export-{fmt}"))
