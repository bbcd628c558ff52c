"""The persons directory and a person's page: pseudonyms for everyone who may reach a person, identities only where
the access model allows, cases and incidents only those the viewer may see, and the same 404 for hidden and missing."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from cases import services
from cases.models import Party
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

REAL = "REAL-NAME-Voronova-5512"


def _without_tokens(response, path: str) -> str:
    """The page without what differs by request anyway: the CSRF token and the page's own address."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return page.replace(path, "PATH")


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world():
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Sfera challenge", reference="2a-77/2026")
    other_case = CaseFactory(lead=lead, title="SECRET-OTHER-CASE")
    users = {"lead": lead, "outsider": UserFactory(username="outsider")}
    for role in ("researcher", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    person = PersonFactory(user=lead, pseudonym="Applicant Alpha", real_name=REAL, contacts="CONTACT-9981")
    services.party_create(user=lead, case=case, role=Party.Role.CLAIMANT, person=person)
    services.party_create(user=lead, case=other_case, role=Party.Role.CLAIMANT, person=person)
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Novoslobodskaya")
    hidden_incident = IncidentFactory(user=lead, cases=[other_case], title="SECRET-OTHER-INCIDENT")
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    services.incident_person_add(user=lead, incident=hidden_incident, person=person, part="witness")
    lonely = PersonFactory(user=lead, pseudonym="Witness Beta", real_name="REAL-NAME-BETA")  # in nothing
    return {"users": users, "case": case, "person": person, "incident": incident, "lonely": lonely}


def test_directory_lists_pseudonyms_and_identities_only_where_allowed(world):
    u = world["users"]
    lead_page = client(u["lead"]).get("/persons/").content.decode()
    assert "Applicant Alpha" in lead_page and REAL in lead_page
    assert "Witness Beta" in lead_page  # recorded by the lead, in nothing yet
    researcher_page = client(u["researcher"]).get("/persons/").content.decode()
    assert "Applicant Alpha" in researcher_page and REAL in researcher_page
    assert "Witness Beta" not in researcher_page
    observer_page = client(u["observer"]).get("/persons/").content.decode()
    assert "Applicant Alpha" in observer_page
    assert REAL not in observer_page and "CONTACT-9981" not in observer_page
    assert "not shown to your role" in observer_page
    # Only the cases and incidents the viewer may see are named.
    for page in (researcher_page, observer_page):
        assert "2a-77/2026" in page and "Stop at Novoslobodskaya" in page
        assert "SECRET-OTHER" not in page
    outsider_page = client(u["outsider"]).get("/persons/").content.decode()
    assert "Applicant Alpha" not in outsider_page and "No persons recorded that you may see." in outsider_page


def test_directory_search_by_pseudonym_and_by_real_name_only_where_readable(world):
    u = world["users"]
    assert "Applicant Alpha" in client(u["observer"]).get("/persons/?q=alpha").content.decode()
    # Searching a real name the viewer may not read finds nothing (and so tells nothing).
    observer = client(u["observer"]).get("/persons/?q=Voronova").content.decode()
    assert "Applicant Alpha" not in observer and "No person matches this search." in observer
    assert "Applicant Alpha" in client(u["researcher"]).get("/persons/?q=Voronova").content.decode()


def test_directory_is_paginated_and_sortable(world):
    lead = world["users"]["lead"]
    for i in range(30):
        PersonFactory(user=lead, pseudonym=f"Z-person {i:02d}")
    c = client(lead)
    first = c.get("/persons/").content.decode()
    assert "Page 1 of 2" in first and "Applicant Alpha" in first and "Z-person 29" not in first
    newest_first = c.get("/persons/?sort=-recorded").content.decode()
    assert "Z-person 29" in newest_first and "Applicant Alpha" not in newest_first
    assert c.get("/persons/?sort=bogus").status_code == 200  # an unknown key is ignored on the page


def test_person_page_shows_visible_cases_and_incidents(world):
    u, person = world["users"], world["person"]
    page = client(u["observer"]).get(f"/persons/{person.pk}/").content.decode()
    assert "Applicant Alpha" in page and "Sfera challenge" in page and "Stop at Novoslobodskaya" in page
    assert "SECRET-OTHER" not in page and REAL not in page
    assert "Merge a duplicate" not in page and f"/persons/{person.pk}/edit/" not in page
    lead_page = client(u["lead"]).get(f"/persons/{person.pk}/").content.decode()
    assert REAL in lead_page and "SECRET-OTHER-CASE" in lead_page and "Merge a duplicate" in lead_page


def test_person_page_is_404_for_hidden_and_missing(world):
    outsider = client(world["users"]["outsider"])
    hidden_url, missing_url = f"/persons/{world['person'].pk}/", "/persons/99999999/"
    hidden, missing = outsider.get(hidden_url), outsider.get(missing_url)
    assert hidden.status_code == missing.status_code == 404
    assert _without_tokens(hidden, hidden_url) == _without_tokens(missing, missing_url)
    assert client(world["users"]["observer"]).get(f"/persons/{world['lonely'].pk}/").status_code == 404
    assert client(world["users"]["outsider"]).get(f"/persons/{world['person'].pk}/history/").status_code == 404


def test_person_history_hides_identity_fields_from_observers(world):
    u, person = world["users"], world["person"]
    services.person_update(user=u["lead"], person=person, data={"real_name": REAL + " (corrected)"})
    observer = client(u["observer"]).get(f"/persons/{person.pk}/history/").content.decode()
    lead = client(u["lead"]).get(f"/persons/{person.pk}/history/").content.decode()
    assert "(corrected)" in lead and REAL not in observer and "Applicant Alpha" in observer
