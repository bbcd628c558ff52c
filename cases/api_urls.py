from django.urls import path

from cases import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("users/", api.UserCreateView.as_view(), name="api-users"),
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/restore/", api.CaseRestoreView.as_view(), name="api-case-restore"),
    path("cases/<int:pk>/purge/", api.CasePurgeView.as_view(), name="api-case-purge"),
    path("cases/<int:pk>/members/", api.CaseMembersView.as_view(), name="api-case-members"),
    path("cases/<int:pk>/members/<str:username>/", api.CaseMemberDetailView.as_view(), name="api-case-member"),
    path("cases/<int:pk>/history/", api.CaseHistoryView.as_view(), name="api-case-history"),
    path("cases/<int:pk>/proceedings/", api.CaseProceedingsView.as_view(), name="api-case-proceedings"),
    path("cases/<int:pk>/parties/", api.CasePartiesView.as_view(), name="api-case-parties"),
    path("proceedings/<int:pk>/", api.ProceedingDetailView.as_view(), name="api-proceeding-detail"),
    path("persons/", api.PersonListView.as_view(), name="api-person-list"),
    path("persons/<int:pk>/", api.PersonDetailView.as_view(), name="api-person-detail"),
    path("persons/<int:pk>/merge/", api.PersonMergeView.as_view(), name="api-person-merge"),
    path("incidents/", api.IncidentListView.as_view(), name="api-incident-list"),
    path("incidents/<int:pk>/", api.IncidentDetailView.as_view(), name="api-incident-detail"),
    path("incidents/<int:pk>/restore/", api.IncidentRestoreView.as_view(), name="api-incident-restore"),
    path("incidents/<int:pk>/purge/", api.IncidentPurgeView.as_view(), name="api-incident-purge"),
    path("incidents/<int:pk>/history/", api.IncidentHistoryView.as_view(), name="api-incident-history"),
    path("incidents/<int:pk>/share/", api.IncidentShareView.as_view(), name="api-incident-share"),
    path("incidents/<int:pk>/persons/", api.IncidentPersonsView.as_view(), name="api-incident-persons"),
    path("trash/", api.TrashView.as_view(), name="api-trash"),
]
