"""Erasure under legal hold: the identity leaves the record, its history and the index, or — while a case of the
person is under legal hold — nothing changes and the refusal is recorded."""
from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.models import Person
from privacy.crypto import blind_token
from privacy.models import ErasureRecord
from search.text import analyze
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)
NAME = "Yevdokia Zaslavskaya"


@pytest.fixture
def world():
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Metro cameras")
    users = {"lead": lead}
    for role in ("observer", "researcher", "lawyer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    person = PersonFactory(user=lead, pseudonym="Applicant Y", real_name=NAME, contacts="Signal +7 911",
                           consent_scope="Court only")
    services.person_update(user=lead, person=person, data={"contacts": "Signal +7 922"})  # a second history row
    incident = IncidentFactory(user=lead, cases=[case])
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    return {"users": users, "case": case, "person": person, "incident": incident}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def found(user, q):
    return [r["id"] for r in api(user).get("/api/v1/search/", {"q": q, "type": "person"}).json()["results"]]


def test_erasure_removes_the_identity_from_the_record_its_history_and_the_index(search_backend, settings, world):
    person, lawyer = world["person"], world["users"]["lawyer"]
    assert found(lawyer, "Zaslavskaya") == [person.pk]
    response = api(lawyer).post(f"/api/v1/persons/{person.pk}/erase/", {"note": "Request of 3 March"},
                                format="json")
    assert response.status_code == 200, response.content
    assert response.json()["history_rows"] >= 3
    person = Person.objects.get(pk=person.pk)
    assert (person.real_name, person.contacts, person.consent_scope, person.consent_date) == ("", "", "", None)
    assert person.pseudonym == "Applicant Y" and person.erased_at is not None
    assert person.involvements.count() == 1  # the facts stay
    for row in Person.history.filter(id=person.pk):
        assert (row.real_name, row.contacts, row.consent_scope) == ("", "", "")
    record = ErasureRecord.objects.get(person=person)
    assert record.outcome == "erased" and record.requested_by == lawyer and record.note == "Request of 3 March"
    assert found(lawyer, "Zaslavskaya") == []
    assert found(lawyer, "Applicant") == [person.pk]
    if search_backend == "whoosh":  # not even the keyed hashes of the name remain in the index files
        tokens = [blind_token(t).encode() for t in analyze(NAME)]
        for path in Path(settings.SEARCH_INDEX_DIR).rglob("*"):
            if path.is_file():
                assert not any(t in path.read_bytes() for t in tokens), path


def test_a_legal_hold_refuses_the_erasure_names_the_case_and_records_the_refusal(world):
    person, lead, lawyer = world["person"], world["users"]["lead"], world["users"]["lawyer"]
    assert api(lawyer).patch(f"/api/v1/cases/{world['case'].pk}/", {"legal_hold": True},
                             format="json").status_code == 403  # leads only
    assert api(lead).patch(f"/api/v1/cases/{world['case'].pk}/", {"legal_hold": True},
                           format="json").status_code == 200
    history = Person.history.filter(id=person.pk).count()
    response = api(lawyer).post(f"/api/v1/persons/{person.pk}/erase/", {}, format="json")
    assert response.status_code == 409
    assert "Metro cameras" in response.json()["detail"] and response.json()["case"] == world["case"].pk
    person = Person.objects.get(pk=person.pk)
    assert person.real_name == NAME and person.erased_at is None
    assert Person.history.filter(id=person.pk).count() == history
    assert all(row.real_name == NAME for row in Person.history.filter(id=person.pk))
    record = ErasureRecord.objects.get(person=person)
    assert record.outcome == "refused" and record.blocking_case == world["case"]
    assert api(lead).patch(f"/api/v1/cases/{world['case'].pk}/", {"legal_hold": False},
                           format="json").status_code == 200
    assert api(lawyer).post(f"/api/v1/persons/{person.pk}/erase/", {}, format="json").status_code == 200


def test_only_a_lead_or_lawyer_of_every_case_of_the_person_may_erase(world):
    person = world["person"]
    other_lead = UserFactory(username="other-lead")
    other = CaseFactory(lead=other_lead, title="Other case")
    add_member(other, world["users"]["lead"], "lawyer", actor=other_lead)
    services.party_create(user=world["users"]["lead"], case=other, role="claimant", person=person)
    assert api(world["users"]["lawyer"]).post(f"/api/v1/persons/{person.pk}/erase/").status_code == 403
    assert api(world["users"]["researcher"]).post(f"/api/v1/persons/{person.pk}/erase/").status_code == 403
    assert api(UserFactory(username="outsider")).post(f"/api/v1/persons/{person.pk}/erase/").status_code == 404
    assert api(world["users"]["lead"]).post(f"/api/v1/persons/{person.pk}/erase/").status_code == 200
    assert not ErasureRecord.objects.filter(outcome="refused").exists()


def test_the_erase_page(world):
    from django.test import Client

    client = Client()
    client.force_login(world["users"]["lawyer"])
    person = world["person"]
    assert f"/persons/{person.pk}/erase/" in client.get(f"/persons/{person.pk}/edit/").content.decode()
    assert client.post(f"/persons/{person.pk}/erase/", {"ground": "request"}).status_code == 200  # not confirmed
    assert Person.objects.get(pk=person.pk).real_name == NAME
    response = client.post(f"/persons/{person.pk}/erase/", {"ground": "request", "confirm": "on"})
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).real_name == ""
