"""Merging duplicate persons (cases.services_persons.person_merge, POST /api/v1/persons/{id}/merge/, the merge page).

Allowed/denied pairs: a lead who may move the duplicate merges it; a lawyer (edits, reads identities, may not move
records out of the case) may not; an observer may not; an outsider gets 404. A merge may not put the kept person
where the merging user could not have linked them (no transitive grants). Both records' history says who merged
what; the duplicate is gone (404, as if it never existed) and the search index follows.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from rest_framework.test import APIClient

from cases import services
from cases.models import IncidentPerson, Party, Person
from cases.services_persons import person_merge
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Sfera challenge")
    users = {"lead": lead, "outsider": UserFactory(username="outsider")}
    for role in ("lawyer", "researcher", "coordinator", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    keep = PersonFactory(user=lead, pseudonym="Applicant A", real_name="", contacts="Signal: +7 900")
    drop = PersonFactory(user=lead, pseudonym="Applicant A (again)", real_name="Anna Voronova", contacts="")
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Park Kultury")
    services.incident_person_add(user=lead, incident=incident, person=keep, part="affected", notes="Stopped twice")
    services.incident_person_add(user=lead, incident=incident, person=drop, part="affected", notes="Held 3 hours")
    services.party_create(user=lead, case=case, role=Party.Role.CLAIMANT, person=drop, notes="Claimant from May")
    return {"users": users, "case": case, "keep": keep, "drop": drop, "incident": incident}


def test_lead_merges_and_both_histories_say_so(world):
    lead, keep, drop = world["users"]["lead"], world["keep"], world["drop"]
    drop_pk = drop.pk
    kept = person_merge(user=lead, keep=keep, drop=drop)
    assert kept.pk == keep.pk
    assert not Person.objects.filter(pk=drop_pk).exists()
    # The duplicate's party moved; the two involvements in the same part became one, notes joined.
    party = Party.objects.get(case=world["case"])
    assert party.person_id == keep.pk and party.notes == "Claimant from May"
    involvement = IncidentPerson.objects.get(incident=world["incident"])
    assert involvement.person_id == keep.pk and involvement.notes == "Stopped twice\nHeld 3 hours"
    # The kept record took over the real name it lacked and kept its own contacts.
    kept.refresh_from_db()
    assert kept.real_name == "Anna Voronova" and kept.contacts == "Signal: +7 900"
    # History: the kept person's entry and the duplicate's deletion, both by the lead, naming each other.
    kept_entry = Person.history.filter(id=keep.pk).latest("history_date")
    assert kept_entry.history_user == lead and kept_entry.history_type == "~"
    assert kept_entry.history_change_reason == f"merged from person {drop_pk}: Applicant A (again)"
    dropped_entry = Person.history.filter(id=drop_pk).latest("history_date")
    assert dropped_entry.history_user == lead and dropped_entry.history_type == "-"
    assert dropped_entry.history_change_reason == f"merged into person {keep.pk}: Applicant A"
    assert dropped_entry.real_name == "Anna Voronova"  # what the duplicate said stays in the record of it
    assert Party.history.filter(id=party.pk).latest("history_date").history_user == lead
    # The kept person's history page shows the merge, in the reader's language.
    client = Client()
    client.force_login(lead)
    page = client.get(f"/persons/{keep.pk}/history/").content.decode()
    assert f"Merged with the duplicate record “Applicant A (again)” (no. {drop_pk}), which was removed." in page
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = client.get(f"/persons/{keep.pk}/history/").content.decode()
    assert "Объединено с дублирующей записью «Applicant A (again)»" in page


@pytest.mark.parametrize("role", ["lawyer", "researcher"])
def test_who_may_edit_but_not_move_the_duplicate_is_refused(world, role):
    before = history_counts()
    with pytest.raises(PermissionDenied, match="may not move them out"):
        person_merge(user=world["users"][role], keep=world["keep"], drop=world["drop"])
    assert history_counts() == before
    assert Person.objects.filter(pk=world["drop"].pk).exists()


@pytest.mark.parametrize("role", ["observer", "coordinator"])
def test_who_may_not_edit_is_refused(world, role):
    with pytest.raises(PermissionDenied, match="edit both persons"):
        person_merge(user=world["users"][role], keep=world["keep"], drop=world["drop"])


def test_outsider_is_told_nothing(world):
    with pytest.raises(Http404):
        person_merge(user=world["users"]["outsider"], keep=world["keep"], drop=world["drop"])


def test_a_person_is_not_merged_with_themselves(world):
    with pytest.raises(ValidationError):
        person_merge(user=world["users"]["lead"], keep=world["keep"], drop=world["keep"])


def test_merge_is_no_way_round_the_link_rule():
    """R leads case B (where the duplicate is) but is only a researcher on case A (where the kept person is):
    merging would show A's person to B's members — R could not link them there directly, so may not merge."""
    lead_a, r = UserFactory(username="lead_a"), UserFactory(username="r")
    case_a = CaseFactory(lead=lead_a, title="Case A")
    add_member(case_a, r, "researcher")
    case_b = CaseFactory(lead=r, title="Case B")
    in_a = PersonFactory(user=lead_a, pseudonym="Person in A")
    services.party_create(user=lead_a, case=case_a, role="claimant", person=in_a)
    in_b = PersonFactory(user=r, pseudonym="Person in B")
    services.party_create(user=r, case=case_b, role="claimant", person=in_b)
    with pytest.raises(PermissionDenied):  # direct link: refused
        services.party_create(user=r, case=case_b, role="third_party", person=in_a)
    with pytest.raises(PermissionDenied, match="would show “Person in A”"):
        person_merge(user=r, keep=in_a, drop=in_b)
    with pytest.raises(PermissionDenied, match="may not move them out"):
        person_merge(user=r, keep=in_b, drop=in_a)
    # Their lead-of-both colleague may.
    add_member(case_b, lead_a, "lead", actor=r)
    person_merge(user=lead_a, keep=in_a, drop=in_b)
    assert Party.objects.get(case=case_b).person_id == in_a.pk


def test_creator_merges_persons_recorded_in_nothing():
    user = UserFactory(username="field")
    one, two = PersonFactory(user=user, pseudonym="One"), PersonFactory(user=user, pseudonym="Two")
    assert person_merge(user=user, keep=one, drop=two).pk == one.pk
    with pytest.raises(Http404):  # someone else's, in nothing: hidden
        person_merge(user=UserFactory(username="other"), keep=one, drop=PersonFactory(pseudonym="Three"))


# --- API -------------------------------------------------------------------------------------------------------
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_merge_allowed_and_refused(world):
    u, keep, drop = world["users"], world["keep"], world["drop"]
    url = f"/api/v1/persons/{drop.pk}/merge/"
    assert api(u["outsider"]).post(url, {"into": keep.pk}, format="json").status_code == 404
    assert api(u["observer"]).post(url, {"into": keep.pk}, format="json").status_code == 403
    assert api(u["lawyer"]).post(url, {"into": keep.pk}, format="json").status_code == 403
    for bad in ({}, {"into": str(keep.pk)}, {"into": True}, {"into": [keep.pk]}, {"into": keep.pk, "x": 1},
                {"into": drop.pk}):
        response = api(u["lead"]).post(url, bad, format="json")
        assert response.status_code == 400, bad
        assert response.json()["detail"]
    hidden = PersonFactory(user=UserFactory(username="stranger"), pseudonym="Hidden")
    assert api(u["lead"]).post(url, {"into": hidden.pk}, format="json").status_code == 404
    assert api(u["lead"]).post(url, {"into": 99999999}, format="json").status_code == 404
    response = api(u["lead"]).post(url, {"into": keep.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == keep.pk and response.json()["real_name"] == "Anna Voronova"
    assert api(u["lead"]).get(f"/api/v1/persons/{drop.pk}/").status_code == 404
    assert api(u["lead"]).post(url, {"into": keep.pk}, format="json").status_code == 404  # gone


def test_merge_page(world):
    u, keep, drop = world["users"], world["keep"], world["drop"]
    lead = Client()
    lead.force_login(u["lead"])
    page = lead.get(f"/persons/{keep.pk}/merge/").content.decode()
    assert "Applicant A (again)" in page and "Anna Voronova" in page
    assert "Applicant A (again)" not in lead.get(f"/persons/{keep.pk}/merge/?q=nobody").content.decode()
    lawyer = Client()
    lawyer.force_login(u["lawyer"])
    refused = lawyer.post(f"/persons/{keep.pk}/merge/", {"drop": drop.pk})
    assert refused.status_code == 403 and "may not move them out" in refused.content.decode()
    response = lead.post(f"/persons/{keep.pk}/merge/", {"drop": drop.pk})
    assert response.status_code == 302 and response["Location"] == f"/persons/{keep.pk}/"
    assert not Person.objects.filter(pk=drop.pk).exists()


def test_merge_reindexes_the_kept_person_and_removes_the_duplicate(world, django_capture_on_commit_callbacks):
    lead = world["users"]["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        keep = PersonFactory(user=lead, pseudonym="Zemfira Keepova")
        drop = PersonFactory(user=lead, pseudonym="Zemfira Dropova")
        services.incident_person_add(user=lead, incident=world["incident"], person=keep, part="witness")
        services.incident_person_add(user=lead, incident=world["incident"], person=drop, part="witness")
    client = api(lead)

    def found(q):
        return [(r["type"], r["id"]) for r in client.get("/api/v1/search/", {"q": q}).json()["results"]]

    assert ("person", drop.pk) in found("Dropova")
    with django_capture_on_commit_callbacks(execute=True):
        person_merge(user=lead, keep=keep, drop=drop)
    assert ("person", drop.pk) not in found("Dropova")
    assert ("person", keep.pk) in found("Keepova")
