"""Forms with bad input re-render with the error and change nothing; good input is saved through the services
(with history naming the user)."""
from __future__ import annotations

import pytest
from django.test import Client

from cases import services
from cases.models import Case, CaseMembership, Party, Proceeding
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(username="lead")


@pytest.fixture
def c(lead) -> Client:
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def case(lead):
    return CaseFactory(lead=lead, title="Original title", jurisdiction="RU")


def assert_rerendered_with_error(response, text: str | None = None) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page
    if text:
        assert text in page
    return page


@pytest.mark.parametrize("data,message", [
    ({"title": "x" * 301, "status": "preparing"}, "at most 300 characters"),
    ({"title": "", "status": "preparing"}, "This field is required"),
    ({"title": "Fine", "status": "preparing", "jurisdiction": "XX"}, "not an ISO 3166-1"),
    ({"title": "Fine", "status": "bogus"}, "Select a valid choice"),
])
def test_case_create_bad_input(c, data, message):
    before = history_counts()
    assert_rerendered_with_error(c.post("/cases/new/", data), message)
    assert history_counts() == before


def test_case_create_good_input_makes_the_creator_lead(c, lead):
    response = c.post("/cases/new/", {"title": "Sfera", "status": "filed", "jurisdiction": "echr",
                                      "privileged_notes": "secret"})
    case = Case.objects.get(title="Sfera")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.jurisdiction == "ECHR" and case.privileged_notes == "secret"
    assert CaseMembership.objects.get(case=case, user=lead).role == "lead"


def test_case_edit_over_long_title_changes_nothing(c, case):
    before = history_counts()
    assert_rerendered_with_error(c.post(f"/cases/{case.pk}/edit/", {"title": "y" * 400, "status": "filed"}))
    case.refresh_from_db()
    assert case.title == "Original title" and case.status == "preparing"
    assert history_counts() == before


def test_case_edit_saves_and_records_history_with_the_user(c, case, lead):
    response = c.post(f"/cases/{case.pk}/edit/", {"title": "New title", "status": "filed", "jurisdiction": "RU",
                                                  "summary": "камерами видеонаблюдения"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "New title" and case.summary == "камерами видеонаблюдения"
    latest = case.history.first()
    assert latest.history_user == lead and latest.title == "New title"


def test_lawyer_edit_form_keeps_privileged_notes_for_others_hidden(case, lead):
    """A role without VIEW_PRIVILEGED never gets the field; a lawyer editing keeps existing notes intact."""
    from tests.factories import add_member
    lawyer = UserFactory(username="lawyer")
    add_member(case, lawyer, "lawyer")
    c = Client()
    c.force_login(lawyer)
    page = c.get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'name="privileged_notes"' in page
    c.post(f"/cases/{case.pk}/edit/", {"title": "T", "status": "filed", "privileged_notes": "kept"})
    case.refresh_from_db()
    assert case.privileged_notes == "kept"


@pytest.mark.parametrize("data,message", [
    ({"stage": "appeal", "filed_on": "2025-02-30"}, "Enter a valid date"),
    ({"stage": "appeal", "filed_on": "2025-05-01", "decided_on": "2025-04-01"}, "cannot come before the filing"),
    ({"stage": "nowhere"}, "Select a valid choice"),
    ({"stage": "appeal", "case_number": "9" * 101}, "at most 100 characters"),
])
def test_proceeding_bad_input(c, case, data, message):
    before = history_counts()
    assert_rerendered_with_error(c.post(f"/cases/{case.pk}/proceedings/new/", data), message)
    assert history_counts() == before


def test_proceeding_create_edit_delete(c, case):
    c.post(f"/cases/{case.pk}/proceedings/new/", {"stage": "first_instance", "court": "Meshchansky District Court",
                                                  "filed_on": "2025-02-10"})
    proceeding = Proceeding.objects.get(case=case)
    assert "Meshchansky District Court" in c.get(f"/cases/{case.pk}/").content.decode()
    c.post(f"/cases/proceedings/{proceeding.pk}/edit/", {"stage": "first_instance", "court": "Meshchansky",
                                                         "filed_on": "2025-02-10", "decided_on": "2025-06-18",
                                                         "outcome": "Dismissed"})
    proceeding.refresh_from_db()
    assert proceeding.outcome == "Dismissed" and str(proceeding.decided_on) == "2025-06-18"
    before = Proceeding.objects.count()
    assert_rerendered_with_error(c.post(f"/cases/proceedings/{proceeding.pk}/edit/", {
        "stage": "first_instance", "filed_on": "2025-02-10", "decided_on": "2024-01-01"}))
    proceeding.refresh_from_db()
    assert str(proceeding.decided_on) == "2025-06-18" and Proceeding.objects.count() == before
    assert c.post(f"/cases/proceedings/{proceeding.pk}/delete/").status_code == 302
    assert not Proceeding.objects.filter(pk=proceeding.pk).exists()


def test_party_needs_a_name_or_person(c, case):
    before = history_counts()
    assert_rerendered_with_error(c.post(f"/cases/{case.pk}/parties/new/", {"role": "respondent"}),
                                 "needs a name or a person")
    assert history_counts() == before
    c.post(f"/cases/{case.pk}/parties/new/", {"role": "respondent", "name": "Moscow Metro"})
    assert Party.objects.get(case=case).name == "Moscow Metro"


def test_person_added_as_party_from_the_case(c, case):
    response = c.post("/persons/new/", {"case": case.pk, "pseudonym": "Applicant A.", "real_name": "Anna V.",
                                        "party_role": "claimant"})
    assert response.status_code == 302
    party = Party.objects.get(case=case)
    assert party.person.pseudonym == "Applicant A." and party.person.real_name == "Anna V."


def test_person_bad_consent_date_changes_nothing(c, case):
    before = history_counts()
    assert_rerendered_with_error(c.post("/persons/new/", {
        "case": case.pk, "pseudonym": "B", "consent_date": "2025-01-01", "party_role": "claimant"}),
        "needs consent to be given")
    assert history_counts() == before


def test_person_edit_keeps_identity_fields_for_identity_roles(c, lead, case):
    person = PersonFactory(user=lead, pseudonym="W.", real_name="Real W")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    response = c.post(f"/persons/{person.pk}/edit/?next=/cases/{case.pk}/", {
        "pseudonym": "Witness W.", "real_name": "Real W", "next": f"/cases/{case.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    person.refresh_from_db()
    assert person.pseudonym == "Witness W." and person.real_name == "Real W"
    # An outside "next" is not followed.
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = c.post(f"/persons/{person.pk}/edit/", {"pseudonym": "W.", "next": evil})
        assert response["Location"] == "/", evil


@pytest.mark.parametrize("data,message", [
    ({"latitude": "123"}, "less than or equal to 90"),
    ({"longitude": "-181"}, "greater than or equal to -180"),
    ({"occurred_at": "2025-02-30T10:00"}, "Enter a valid date/time"),
    ({"occurred_at": ""}, "This field is required"),
    ({"title": "t" * 301}, "at most 300 characters"),
    ({"source_links": "javascript:alert(1)"}, "is not a web address"),
])
def test_incident_create_bad_input(c, case, data, message):
    body = {"title": "Stop", "occurred_at": "2025-01-14T08:42", "category": "wrongful_stop", "cases": [case.pk]}
    body.update(data)
    before = history_counts()
    assert_rerendered_with_error(c.post("/incidents/new/", body), message)
    assert history_counts() == before


def test_incident_edit_latitude_123_changes_nothing(c, lead, case):
    incident = IncidentFactory(user=lead, cases=[case], title="Stop", latitude="55.7")
    before = history_counts()
    assert_rerendered_with_error(c.post(f"/incidents/{incident.pk}/edit/", {
        "title": "Stop moved", "occurred_at": "2025-01-14T08:42", "category": "wrongful_stop", "latitude": "123"}))
    incident.refresh_from_db()
    assert incident.title == "Stop" and str(incident.latitude) == "55.700000"
    assert history_counts() == before


def test_incident_edit_saves(c, lead, case):
    incident = IncidentFactory(user=lead, cases=[case], title="Stop")
    response = c.post(f"/incidents/{incident.pk}/edit/", {
        "title": "Stop at Tverskaya", "occurred_at": "2025-01-14T08:42", "category": "detention",
        "latitude": "55.765", "longitude": "37.6036", "cases": [case.pk]})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Stop at Tverskaya" and incident.category == "detention"
    page = c.get(f"/incidents/{incident.pk}/").content.decode()
    assert "55.765000, 37.603600" in page


def test_member_form_errors(c, case, lead):
    before = history_counts()
    assert_rerendered_with_error(c.post(f"/cases/{case.pk}/members/", {
        "action": "add", "add-username": "nobody", "add-role": "lawyer"}), "Choose one of the listed users")
    # A member is not added again (their role is changed on their own row).
    assert_rerendered_with_error(c.post(f"/cases/{case.pk}/members/", {
        "action": "add", "add-username": "lead", "add-role": "observer"}), "Choose one of the listed users")
    page = c.post(f"/cases/{case.pk}/members/", {"action": "set", "username": "lead", "role": "observer"},
                  follow=True).content.decode()
    assert "at least one lead" in page
    assert history_counts() == before
    # Removing the only lead is refused with a message, and the lead stays.
    page = c.post(f"/cases/{case.pk}/members/", {"action": "remove", "username": "lead"}, follow=True)
    assert "at least one lead" in page.content.decode()
    assert CaseMembership.objects.get(case=case, user=lead).role == "lead"


def test_incident_person_add_twice_is_an_error(c, lead, case):
    incident = IncidentFactory(user=lead, cases=[case])
    person = PersonFactory(user=lead)
    c.post(f"/incidents/{incident.pk}/persons/add/", {"person": person.pk, "part": "affected"})
    before = history_counts()
    assert_rerendered_with_error(c.post(f"/incidents/{incident.pk}/persons/add/", {
        "person": person.pk, "part": "affected"}), "already recorded")
    assert history_counts() == before


def test_bad_filters_and_pages_never_fail(c, case):
    for url in ("/cases/?jurisdiction=ZZ", "/cases/?jurisdiction=RU&q=%00", "/incidents/?category=x&case=-1",
                "/cases/?page=abc", "/cases/?page=999", "/cases/?page=-1", "/cases/?status=nope&jurisdiction=%00",
                "/incidents/?occurred_from=2025-02-30&case=abc&page=x", "/incidents/?case=999999"):
        assert c.get(url).status_code == 200, url
    assert "Original title" in c.get("/cases/?q=original&status=preparing&jurisdiction=ru").content.decode()
    assert "Original title" not in c.get("/cases/?status=closed").content.decode()
