from django.urls import path

from cases import api
from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)

urlpatterns = [
    path("users/", api.UserCreateView.as_view(), name="api-users"),
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/<id:pk>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<id:pk>/restore/", api.CaseRestoreView.as_view(), name="api-case-restore"),
    path("cases/<id:pk>/purge/", api.CasePurgeView.as_view(), name="api-case-purge"),
    path("cases/<id:pk>/members/", api.CaseMembersView.as_view(), name="api-case-members"),
    path("cases/<id:pk>/members/<str:username>/", api.CaseMemberDetailView.as_view(), name="api-case-member"),
    path("cases/<id:pk>/history/", api.CaseHistoryView.as_view(), name="api-case-history"),
    path("cases/<id:pk>/proceedings/", api.CaseProceedingsView.as_view(), name="api-case-proceedings"),
    path("cases/<id:pk>/parties/", api.CasePartiesView.as_view(), name="api-case-parties"),
    path("proceedings/<id:pk>/", api.ProceedingDetailView.as_view(), name="api-proceeding-detail"),
    path("persons/", api.PersonListView.as_view(), name="api-person-list"),
    path("persons/<id:pk>/", api.PersonDetailView.as_view(), name="api-person-detail"),
    path("persons/<id:pk>/merge/", api.PersonMergeView.as_view(), name="api-person-merge"),
    path("incidents/", api.IncidentListView.as_view(), name="api-incident-list"),
    path("incidents/<id:pk>/", api.IncidentDetailView.as_view(), name="api-incident-detail"),
    path("incidents/<id:pk>/restore/", api.IncidentRestoreView.as_view(), name="api-incident-restore"),
    path("incidents/<id:pk>/purge/", api.IncidentPurgeView.as_view(), name="api-incident-purge"),
    path("incidents/<id:pk>/history/", api.IncidentHistoryView.as_view(), name="api-incident-history"),
    path("incidents/<id:pk>/share/", api.IncidentShareView.as_view(), name="api-incident-share"),
    path("incidents/<id:pk>/persons/", api.IncidentPersonsView.as_view(), name="api-incident-persons"),
    path("trash/", api.TrashView.as_view(), name="api-trash"),
]
