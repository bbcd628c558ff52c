"""A case whose lead requires two factors refuses, with a clear 403, members whose sign-in did not use them — on the
pages and in the API, for the case and everything in it — through the one permission path."""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases import permissions, services
from tests.conftest import confirmed_device, login_with_two_factors, totp_code
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def world():
    lead = UserFactory(username="lead")
    confirmed_device(lead)
    case = CaseFactory(lead=lead, title="Metro cameras")
    lawyer = UserFactory(username="lawyer")
    add_member(case, lawyer, "lawyer")
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Park Kultury")
    person = PersonFactory(user=lead, real_name="Ivan Secretov")
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    lead.is_verified = lambda: True  # the lead turns it on from a session verified with a code
    services.case_update(user=lead, case=case, data={"two_factor_required": True})
    return {"lead": lead, "lawyer": lawyer, "case": case, "incident": incident, "person": person}


def test_a_member_without_two_factors_gets_403_on_the_pages(world):
    client = Client()
    client.force_login(world["lawyer"])
    for path in (f"/cases/{world['case'].pk}/", f"/cases/{world['case'].pk}/edit/",
                 f"/incidents/{world['incident'].pk}/", f"/persons/{world['person'].pk}/edit/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"requires two-factor sign-in" in response.content and b"/account/two-factor/" in response.content
    assert b"Metro cameras" not in client.get("/cases/").content


def test_a_member_without_two_factors_gets_403_in_the_api(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + APIClient().post(
        "/api/v1/auth/token/", {"username": "lawyer", "password": PASSWORD}, format="json").json()["token"])
    for path in (f"/api/v1/cases/{world['case'].pk}/", f"/api/v1/incidents/{world['incident'].pk}/",
                 f"/api/v1/persons/{world['person'].pk}/", f"/api/v1/cases/{world['case'].pk}/history/"):
        response = api.get(path)
        assert response.status_code == 403, path
        assert response.json()["second_factor_required"] is True and "two-factor" in response.json()["detail"]
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get("/api/v1/search/", {"q": "Metro"}).json()["count"] == 0
    assert api.patch(f"/api/v1/cases/{world['case'].pk}/", {"summary": "x"}, format="json").status_code == 403


def test_an_outsider_still_gets_404(world):
    outsider = UserFactory(username="outsider")
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/cases/{world['case'].pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/cases/{world['case'].pk}/").status_code == 404


def test_with_two_factors_the_member_gets_in(world):
    client = login_with_two_factors(Client(), world["lawyer"])
    assert client.get(f"/cases/{world['case'].pk}/").status_code == 200
    assert client.get(f"/incidents/{world['incident'].pk}/").status_code == 200
    device = confirmed_device(world["lawyer"])
    token = APIClient().post("/api/v1/auth/token/", {"username": "lawyer", "password": PASSWORD,
                                                      "otp": totp_code(device)}, format="json").json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/cases/{world['case'].pk}/").status_code == 200
    assert api.get("/api/v1/cases/").json()["count"] == 1


def test_a_session_from_before_the_authenticator_is_not_verified(world):
    client = Client()
    client.force_login(world["lawyer"])
    confirmed_device(world["lawyer"])  # set up elsewhere; this session gave no code
    assert client.get(f"/cases/{world['case'].pk}/").status_code == 403


def test_only_a_verified_lead_turns_it_on_and_only_leads_change_it(world):
    other = CaseFactory(lead=world["lawyer"], title="Other")
    with pytest.raises(permissions.PermissionDenied):
        services.case_update(user=world["lawyer"], case=other, data={"two_factor_required": True})
    add_member(other, world["lead"], "lawyer", actor=world["lawyer"])
    lawyer_api = APIClient()
    lawyer_api.force_authenticate(world["lead"])  # a lawyer of "other"
    response = lawyer_api.patch(f"/api/v1/cases/{other.pk}/", {"two_factor_required": False}, format="json")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.two_factor_required is False
    history = [h.two_factor_required for h in world["case"].history.all()]
    assert True in history  # the setting is in the case's history
