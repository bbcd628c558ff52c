"""Pages for cases, incidents, persons and the trash (the API is in cases/api_urls.py; signing in is in accounts)."""
from django.contrib.auth import views as auth_views
from django.urls import path

from cases import views

urlpatterns = [
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    # Cases
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/delete/", views.case_delete, name="case-delete"),
    path("cases/<int:pk>/restore/", views.case_restore, name="case-restore"),
    path("cases/<int:pk>/purge/", views.case_purge, name="case-purge"),
    path("cases/<int:pk>/members/", views.case_members, name="case-members"),
    path("cases/<int:pk>/history/", views.case_history, name="case-history"),
    path("cases/<int:case_pk>/proceedings/new/", views.proceeding_create, name="proceeding-create"),
    path("cases/proceedings/<int:pk>/edit/", views.proceeding_edit, name="proceeding-edit"),
    path("cases/proceedings/<int:pk>/delete/", views.proceeding_delete, name="proceeding-delete"),
    path("cases/<int:case_pk>/parties/new/", views.party_create, name="party-create"),
    path("cases/parties/<int:pk>/edit/", views.party_edit, name="party-edit"),
    path("cases/parties/<int:pk>/delete/", views.party_delete, name="party-delete"),
    # Persons
    path("persons/new/", views.person_create, name="person-create"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    # Incidents
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident-edit"),
    path("incidents/<int:pk>/delete/", views.incident_delete, name="incident-delete"),
    path("incidents/<int:pk>/restore/", views.incident_restore, name="incident-restore"),
    path("incidents/<int:pk>/purge/", views.incident_purge, name="incident-purge"),
    path("incidents/<int:pk>/history/", views.incident_history, name="incident-history"),
    path("incidents/<int:pk>/share/", views.incident_share, name="incident-share"),
    path("incidents/<int:pk>/persons/add/", views.incident_person_add, name="incident-person-add"),
    path("incidents/persons/<int:pk>/remove/", views.incident_person_remove, name="incident-person-remove"),
    # Trash
    path("trash/", views.trash, name="trash"),
]
