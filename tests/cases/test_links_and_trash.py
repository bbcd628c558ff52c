"""No transitive grants, trash never widens access, only the owner moves an unlinked incident (docs/access-model.md).

Each test drives the API (which calls the services that hold the rules) and, where the rule matters for a service
called from elsewhere, the service itself; every refusal is checked to change nothing.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.test import APIClient

from cases import permissions as perms
from cases import services
from cases.models import Incident, IncidentPerson, IncidentShare, Party, Role
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    lead_a = UserFactory(username="lead-a")
    case_a = CaseFactory(lead=lead_a, title="Case A")
    users = {"lead-a": lead_a}
    for role in ("lawyer", "researcher", "coordinator", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case_a, users[role], role)
    person = PersonFactory(user=lead_a, pseudonym="Applicant A", real_name="SECRET-REAL-NAME")
    services.party_create(user=lead_a, case=case_a, role=Party.Role.CLAIMANT, person=person)
    return case_a, users, person


# --- Persons -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["observer", "coordinator", "researcher", "lawyer"])
def test_a_member_cannot_carry_a_person_into_a_case_of_their_own(world, role):
    """An observer would gain the identity; the others would show it to members they choose. Only a lead may."""
    case_a, users, person = world
    actor = users[role]
    case_b = CaseFactory(lead=actor, title="Case B")
    outsider = UserFactory()
    add_member(case_b, outsider, Role.LAWYER, actor=actor)
    response = client_for(actor).post(f"/api/v1/cases/{case_b.pk}/parties/",
                                      {"role": "claimant", "person": person.pk}, format="json")
    assert response.status_code == 403, response.content
    assert not Party.objects.filter(case=case_b).exists()
    detail = client_for(outsider).get(f"/api/v1/persons/{person.pk}/")
    assert detail.status_code == 404
    # the page refuses it the same way, through the same service
    page = APIClient()
    page.force_login(actor)
    page.post(f"/cases/{case_b.pk}/parties/new/", {"role": "claimant", "person": person.pk})
    assert not Party.objects.filter(case=case_b).exists()


def test_a_lead_may_carry_a_person_into_another_case(world):
    case_a, users, person = world
    case_b = CaseFactory(lead=users["lead-a"])
    response = client_for(users["lead-a"]).post(f"/api/v1/cases/{case_b.pk}/parties/",
                                                {"role": "claimant", "person": person.pk}, format="json")
    assert response.status_code == 201


def test_a_hidden_person_is_404_and_a_missing_one_too(world):
    case_a, users, person = world
    stranger = UserFactory()
    case_s = CaseFactory(lead=stranger)
    for pk in (person.pk, 10**9):
        response = client_for(stranger).post(f"/api/v1/cases/{case_s.pk}/parties/",
                                             {"role": "claimant", "person": pk}, format="json")
        assert response.status_code == 404
    assert not Party.objects.filter(case=case_s).exists()


def test_an_observer_cannot_record_a_person_in_their_own_incident(world):
    case_a, users, person = world
    incident = IncidentFactory(user=users["observer"])
    response = client_for(users["observer"]).post(f"/api/v1/incidents/{incident.pk}/persons/",
                                                  {"person": person.pk, "part": "affected"}, format="json")
    assert response.status_code == 403
    assert not IncidentPerson.objects.filter(incident=incident).exists()
    with pytest.raises(PermissionDenied):
        services.incident_person_add(user=users["observer"], incident=incident, person=person, part="witness")


def test_within_a_case_no_move_right_is_needed(world):
    """A researcher records the case's claimant as affected in an incident of the same case: no new audience."""
    case_a, users, person = world
    incident = IncidentFactory(user=users["researcher"], cases=[case_a])
    response = client_for(users["researcher"]).post(f"/api/v1/incidents/{incident.pk}/persons/",
                                                    {"person": person.pk, "part": "affected"}, format="json")
    assert response.status_code == 201, response.content


def test_the_creator_of_a_person_in_nothing_may_link_them():
    observer = UserFactory()
    person = PersonFactory(user=observer, real_name="Own record")
    case = CaseFactory(lead=observer)
    response = client_for(observer).post(f"/api/v1/cases/{case.pk}/parties/",
                                         {"role": "claimant", "person": person.pk}, format="json")
    assert response.status_code == 201


def test_identity_fields_are_edited_only_by_those_who_read_them(world):
    case_a, users, person = world
    response = client_for(users["observer"]).patch(f"/api/v1/persons/{person.pk}/", {"real_name": "X"},
                                                   format="json")
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.real_name == "SECRET-REAL-NAME"


# --- Incidents: links ------------------------------------------------------------------------------------------
def test_only_the_owner_links_an_unlinked_incident(world):
    case_a, users, _ = world
    owner, editor = UserFactory(), UserFactory()
    incident = IncidentFactory(user=owner, title="Unlinked")
    services.incident_share(actor=owner, incident=incident, user=editor, can_edit=True)
    theirs = CaseFactory(lead=editor)
    api = client_for(editor)
    assert api.patch(f"/api/v1/incidents/{incident.pk}/", {"title": "Edited by the editor"},
                     format="json").status_code == 200
    assert api.patch(f"/api/v1/incidents/{incident.pk}/", {"cases": [theirs.pk]},
                     format="json").status_code == 403
    assert api.post(f"/api/v1/incidents/{incident.pk}/share/", {"username": "lead-a"},
                    format="json").status_code == 403
    assert api.delete(f"/api/v1/incidents/{incident.pk}/").status_code == 403
    incident.refresh_from_db()
    assert incident.deleted_at is None and not incident.cases.exists()
    assert perms.incidents_for(owner).filter(pk=incident.pk).exists()
    # its owner may
    mine = CaseFactory(lead=owner)
    assert client_for(owner).patch(f"/api/v1/incidents/{incident.pk}/", {"cases": [mine.pk]},
                                   format="json").status_code == 200


def test_a_researcher_cannot_move_a_case_incident_into_another_case(world):
    case_a, users, _ = world
    incident = IncidentFactory(user=users["researcher"], cases=[case_a])
    case_b = CaseFactory(lead=users["researcher"])
    response = client_for(users["researcher"]).patch(f"/api/v1/incidents/{incident.pk}/",
                                                     {"cases": [case_a.pk, case_b.pk]}, format="json")
    assert response.status_code == 403
    assert list(incident.cases.values_list("pk", flat=True)) == [case_a.pk]
    # nor take it off its last case and keep it
    response = client_for(users["researcher"]).patch(f"/api/v1/incidents/{incident.pk}/", {"cases": []},
                                                     format="json")
    assert response.status_code == 403
    assert incident.cases.count() == 1


def test_an_incident_taken_off_its_last_case_lands_with_who_did_it(world):
    case_a, users, _ = world
    reader = UserFactory()
    incident = IncidentFactory(user=users["researcher"], title="Logged by the researcher")
    services.incident_share(actor=users["researcher"], incident=incident, user=reader)
    services.incident_update(user=users["researcher"], incident=incident, data={}, cases=[case_a])
    services.incident_update(user=users["lead-a"], incident=incident, data={}, cases=[])
    incident.refresh_from_db()
    assert incident.owner == users["lead-a"]
    assert perms.incidents_for(users["lead-a"]).filter(pk=incident.pk).exists()
    assert not perms.incidents_for(users["researcher"]).filter(pk=incident.pk).exists()
    assert not perms.incidents_for(reader).filter(pk=incident.pk).exists()
    assert not IncidentShare.objects.filter(incident=incident).exists()
    history = client_for(users["lead-a"]).get(f"/api/v1/incidents/{incident.pk}/history/").json()
    owner_changes = [c for e in history for c in e["changes"] if c["field"] == "owner"]
    assert {"field": "owner", "old": "researcher", "new": "lead-a"} in owner_changes


def test_shares_are_in_the_incident_history():
    owner, reader = UserFactory(username="owner"), UserFactory(username="reader")
    incident = IncidentFactory(user=owner)
    api = client_for(owner)
    assert api.post(f"/api/v1/incidents/{incident.pk}/share/", {"username": "reader", "can_edit": True},
                    format="json").status_code == 204
    assert api.delete(f"/api/v1/incidents/{incident.pk}/share/", {"username": "reader"},
                      format="json").status_code == 204
    history = api.get(f"/api/v1/incidents/{incident.pk}/history/").json()
    shares = [e for e in history if e["object"] == "share"]
    assert [e["action"] for e in shares] == ["deleted", "created"]
    assert all(e["user"] == "owner" and e["object_label"] == "reader" for e in shares)
    assert {"field": "can_edit", "old": None, "new": True} in shares[1]["changes"]


# --- Trash ---------------------------------------------------------------------------------------------------
def test_trashing_a_case_never_hands_its_incident_back_to_a_removed_logger(world):
    case_a, users, person = world
    researcher = users["researcher"]
    incident = IncidentFactory(user=researcher, cases=[case_a], title="Logged on case A")
    services.incident_person_add(user=researcher, incident=incident, person=person, part="affected")
    services.member_remove(actor=users["lead-a"], case=case_a, user=researcher)
    assert not perms.incidents_for(researcher).filter(pk=incident.pk).exists()
    services.case_trash(user=users["lead-a"], case=case_a)
    api = client_for(researcher)
    assert api.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert incident.pk not in [i["id"] for i in api.get("/api/v1/incidents/").json()["results"]]
    assert api.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert "SECRET-REAL-NAME" not in api.get("/api/v1/persons/").content.decode()
    # nor does anyone else reach it through the trashed case, not even its lead (except to restore the case)
    assert not perms.incidents_for(users["lead-a"]).filter(pk=incident.pk).exists()
    assert not perms.incidents_for(users["lead-a"], include_trashed=True).filter(pk=incident.pk).exists()
    # purging the case: the incident lands with the lead who purged it, not with its logger
    services.case_purge(user=users["lead-a"], case=case_a)
    assert api.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert client_for(users["lead-a"]).get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    assert Incident.objects.get(pk=incident.pk).owner == users["lead-a"]


def test_restoring_the_case_gives_members_their_incident_back(world):
    case_a, users, _ = world
    incident = IncidentFactory(user=users["researcher"], cases=[case_a])
    services.case_trash(user=users["lead-a"], case=case_a)
    assert not perms.incidents_for(users["lawyer"]).filter(pk=incident.pk).exists()
    services.case_restore(user=users["lead-a"], case=case_a)
    assert perms.incidents_for(users["lawyer"]).filter(pk=incident.pk).exists()


# --- Services check their own preconditions ------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda case, user: services.case_update(user=user, case=case, data={"summary": "x"}),
    lambda case, user: services.case_trash(user=user, case=case),
    lambda case, user: services.member_set(actor=user, case=case, user=user, role="lead"),
    lambda case, user: services.proceeding_create(user=user, case=case, stage="first_instance"),
])
def test_services_refuse_an_observer_and_hide_from_an_outsider(world, call):
    case_a, users, _ = world
    with pytest.raises(PermissionDenied):
        call(case_a, users["observer"])
    with pytest.raises(Http404):
        call(case_a, UserFactory())


def test_privileged_notes_cannot_be_written_by_a_role_that_may_not_read_them(world):
    case_a, users, _ = world
    add_member(case_a, users["coordinator"], Role.LAWYER)
    services.member_set(actor=users["lead-a"], case=case_a, user=users["coordinator"], role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.case_update(user=users["coordinator"], case=case_a, data={"privileged_notes": "overwritten"})


# --- No oracles ----------------------------------------------------------------------------------------------
def test_incident_filter_by_a_hidden_case_answers_as_a_missing_one(world):
    case_a, users, _ = world
    outsider = UserFactory()
    their_case = CaseFactory(lead=outsider)
    incident = IncidentFactory(user=outsider, cases=[their_case])
    services.incident_update(user=outsider, incident=incident, data={}, cases=[their_case])
    # the outsider's incident is also in case A (linked by case A's lead, who is a member of both)
    add_member(their_case, users["lead-a"], Role.LEAD, actor=outsider)
    services.incident_update(user=users["lead-a"], incident=incident, data={}, cases=[their_case, case_a])
    api = client_for(outsider)
    services.member_set(actor=outsider, case=their_case, user=outsider, role=Role.LEAD)
    hidden = api.get(f"/api/v1/incidents/?case={case_a.pk}")
    missing = api.get("/api/v1/incidents/?case=999999")
    assert hidden.status_code == missing.status_code == 200
    assert hidden.json() == missing.json() == {**missing.json(), "count": 0, "results": []}
