"""Pages for cases, incidents, persons and the trash (the API is in cases/api_urls.py; signing in is in accounts)."""
from django.contrib.auth import views as auth_views
from django.urls import path

from cases import views, views_persons
from config.inputs import IdConverter  # noqa: F401  (registers the <id:…> path converter)

urlpatterns = [
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    # Cases
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<id:pk>/", views.case_detail, name="case-detail"),
    path("cases/<id:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<id:pk>/delete/", views.case_delete, name="case-delete"),
    path("cases/<id:pk>/restore/", views.case_restore, name="case-restore"),
    path("cases/<id:pk>/purge/", views.case_purge, name="case-purge"),
    path("cases/<id:pk>/members/", views.case_members, name="case-members"),
    path("cases/<id:pk>/history/", views.case_history, name="case-history"),
    path("cases/<id:case_pk>/proceedings/new/", views.proceeding_create, name="proceeding-create"),
    path("cases/proceedings/<id:pk>/edit/", views.proceeding_edit, name="proceeding-edit"),
    path("cases/proceedings/<id:pk>/delete/", views.proceeding_delete, name="proceeding-delete"),
    path("cases/<id:case_pk>/parties/new/", views.party_create, name="party-create"),
    path("cases/parties/<id:pk>/edit/", views.party_edit, name="party-edit"),
    path("cases/parties/<id:pk>/delete/", views.party_delete, name="party-delete"),
    # Persons
    path("persons/", views_persons.person_list, name="person-list"),
    path("persons/new/", views.person_create, name="person-create"),
    path("persons/<id:pk>/", views_persons.person_detail, name="person-detail"),
    path("persons/<id:pk>/history/", views_persons.person_history, name="person-history"),
    path("persons/<id:pk>/merge/", views_persons.person_merge_page, name="person-merge"),
    path("persons/<id:pk>/edit/", views.person_edit, name="person-edit"),
    # Incidents
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<id:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<id:pk>/edit/", views.incident_edit, name="incident-edit"),
    path("incidents/<id:pk>/delete/", views.incident_delete, name="incident-delete"),
    path("incidents/<id:pk>/restore/", views.incident_restore, name="incident-restore"),
    path("incidents/<id:pk>/purge/", views.incident_purge, name="incident-purge"),
    path("incidents/<id:pk>/history/", views.incident_history, name="incident-history"),
    path("incidents/<id:pk>/share/", views.incident_share, name="incident-share"),
    path("incidents/<id:pk>/persons/add/", views.incident_person_add, name="incident-person-add"),
    path("incidents/persons/<id:pk>/remove/", views.incident_person_remove, name="incident-person-remove"),
    # Trash
    path("trash/", views.trash, name="trash"),
]
