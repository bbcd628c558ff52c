"""The cases and incidents API: contract, bad input, history, trash, token auth and query counts."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseMembership, Incident, Role
from tests.factories import CaseFactory, IncidentFactory, UserFactory, add_member
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(username="alina")


@pytest.fixture
def api(lead) -> APIClient:
    client = APIClient()
    client.force_authenticate(lead)
    return client


def snapshot() -> tuple:
    return (
        list(Case.objects.order_by("pk").values()),
        list(Incident.objects.order_by("pk").values()),
        list(CaseMembership.objects.order_by("pk").values()),
        history_counts(),
    )


# --- Authentication ------------------------------------------------------------------------------------------
def test_token_for_right_password_and_400_for_wrong(lead):
    client = APIClient()
    ok = client.post("/api/v1/auth/token/", {"username": "alina", "password": "correct horse battery staple"},
                     format="json")
    assert ok.status_code == 200
    token = ok.json()["token"]
    assert len(token) >= 20
    wrong = client.post("/api/v1/auth/token/", {"username": "alina", "password": "nope"}, format="json")
    assert wrong.status_code in (400, 401) and wrong.json()["detail"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/cases/").status_code == 401


def test_repeated_wrong_passwords_lock_the_account_out(lead, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "alina", "password": "guess"}, format="json")
    locked = client.post("/api/v1/auth/token/", {"username": "alina", "password": "correct horse battery staple"},
                         format="json")
    assert locked.status_code == 429
    assert "Too many" in locked.json()["detail"]


def test_no_token_is_401_json():
    response = APIClient().get("/api/v1/incidents/")
    assert response.status_code == 401
    assert response.json()["detail"]


# --- Contract ------------------------------------------------------------------------------------------------
def test_create_case_makes_caller_lead_and_returns_fields(api, lead):
    response = api.post("/api/v1/cases/", {
        "title": "Challenge to Sfera", "reference": "2a-77/2025", "court": "Moscow City Court",
        "jurisdiction": "RU", "status": "filed", "summary": "Live facial recognition in the metro.",
        "privileged_notes": "Strategy",
    }, format="json")
    assert response.status_code == 201
    body = response.json()
    for field in ("id", "title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes"):
        assert field in body
    assert body["role"] == "lead"
    assert CaseMembership.objects.get(case_id=body["id"], user=lead).role == Role.LEAD


def test_echr_is_a_jurisdiction(api):
    assert api.post("/api/v1/cases/", {"title": "Application", "jurisdiction": "ECHR"}, format="json").status_code == 201


def test_list_only_viewable_cases_paginated(api, lead):
    mine = CaseFactory(lead=lead)
    CaseFactory()  # someone else's
    body = api.get("/api/v1/cases/").json()
    assert body["count"] == 1
    assert [c["id"] for c in body["results"]] == [mine.pk]


def test_filters_on_case_list(api, lead):
    CaseFactory(lead=lead, title="Metro cameras")
    filed = CaseFactory(lead=lead, title="Police database")
    services.case_update(user=lead, case=filed, data={"status": "filed"})
    assert [c["id"] for c in api.get("/api/v1/cases/?status=filed").json()["results"]] == [filed.pk]
    assert api.get("/api/v1/cases/?q=cameras").json()["count"] == 1
    # The search reads the summary too, as the global search does (both factory cases mention the metro there).
    assert api.get("/api/v1/cases/?q=metro").json()["count"] == 2


def test_incident_fields_and_links(api, lead):
    case = CaseFactory(lead=lead)
    response = api.post("/api/v1/incidents/", {
        "title": "Detained after false match", "occurred_at": "2025-02-14T09:15:00+03:00",
        "location": "Belorusskaya station", "latitude": 55.776, "longitude": 37.582,
        "category": "detention", "description": "Held for 3 hours.", "cases": [case.pk],
        "source_links": ["https://example.org/report"],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["cases"] == [case.pk]
    assert body["category"] == "detention"
    assert body["latitude"] == pytest.approx(55.776)
    assert body["occurred_at"].startswith("2025-02-14T06:15:00")


# --- Bad input: 400 with a message, nothing written -----------------------------------------------------------
BAD_CASE_BODIES = [
    ("malformed json", '{"title": "x",', "application/json"),
    ("json list", '["title"]', "application/json"),
    ("missing title", {"summary": "no title"}, None),
    ("title wrong type", {"title": {"nested": True}}, None),
    ("title too long", {"title": "x" * 301}, None),
    ("title blank", {"title": "   "}, None),
    ("unknown status", {"title": "ok", "status": "won"}, None),
    ("unknown jurisdiction", {"title": "ok", "jurisdiction": "XX"}, None),
    ("nul byte", {"title": "bad\x00title"}, None),
    ("unknown field", {"title": "ok", "colour": "red"}, None),
    ("summary too long", {"title": "ok", "summary": "y" * 20001}, None),
]


@pytest.mark.parametrize(("label", "body", "content_type"), BAD_CASE_BODIES, ids=[b[0] for b in BAD_CASE_BODIES])
def test_bad_case_input_is_400_and_changes_nothing(api, lead, label, body, content_type):
    CaseFactory(lead=lead)
    before = snapshot()
    if content_type:
        response = api.post("/api/v1/cases/", body, content_type=content_type)
    else:
        response = api.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert snapshot() == before


BAD_INCIDENT_BODIES = [
    ("impossible date", {"title": "x", "occurred_at": "2025-02-30T10:00:00Z"}),
    ("not a date", {"title": "x", "occurred_at": "yesterday"}),
    ("missing occurred_at", {"title": "x"}),
    ("latitude out of range", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "latitude": 123}),
    ("longitude not a number", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "longitude": "east"}),
    ("nan latitude", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "latitude": "NaN"}),
    ("unknown category", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "category": "theft"}),
    ("cases not a list", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "cases": "1"}),
    ("case that does not exist", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "cases": [999999]}),
    ("bad source link", {"title": "x", "occurred_at": "2025-02-01T10:00:00Z", "source_links": ["javascript:alert(1)"]}),
]


@pytest.mark.parametrize(("label", "body"), BAD_INCIDENT_BODIES, ids=[b[0] for b in BAD_INCIDENT_BODIES])
def test_bad_incident_input_is_400_and_changes_nothing(api, lead, label, body):
    before = snapshot()
    response = api.post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert snapshot() == before


def test_unknown_role_and_unknown_user_are_400(api, lead):
    case = CaseFactory(lead=lead)
    UserFactory(username="boris")
    before = snapshot()
    bad_role = api.post(f"/api/v1/cases/{case.pk}/members/", {"username": "boris", "role": "owner"}, format="json")
    assert bad_role.status_code == 400 and "role" in bad_role.json()["detail"]
    nobody = api.post(f"/api/v1/cases/{case.pk}/members/", {"username": "ghost", "role": "lawyer"}, format="json")
    assert nobody.status_code == 400
    assert snapshot() == before


def test_last_lead_cannot_be_removed(api, lead):
    case = CaseFactory(lead=lead)
    response = api.delete(f"/api/v1/cases/{case.pk}/members/{lead.username}/")
    assert response.status_code == 400
    assert "lead" in response.json()["detail"]
    assert CaseMembership.objects.filter(case=case, user=lead, role=Role.LEAD).exists()


def test_bad_page_number_is_404_json(api):
    response = api.get("/api/v1/cases/?page=abc")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_staff_creates_users_with_password_rules():
    staff = UserFactory(username="admin", is_staff=True)
    client = APIClient()
    client.force_authenticate(staff)
    weak = client.post("/api/v1/users/", {"username": "u1", "password": "123"}, format="json")
    assert weak.status_code == 400
    ok = client.post("/api/v1/users/", {"username": "u1", "password": "a-long-Passphrase-99", "email": "u@x.org"},
                     format="json")
    assert ok.status_code == 201 and ok.json()["username"] == "u1"
    dup = client.post("/api/v1/users/", {"username": "U1", "password": "a-long-Passphrase-99"}, format="json")
    assert dup.status_code == 400


# --- History and trash ---------------------------------------------------------------------------------------
def test_each_change_recorded_with_user_and_field_diff(api, lead):
    case_id = api.post("/api/v1/cases/", {"title": "First title"}, format="json").json()["id"]
    lawyer = UserFactory(username="lev")
    add_member(Case.objects.get(pk=case_id), lawyer, Role.LAWYER, actor=lead)
    other = APIClient()
    other.force_authenticate(lawyer)
    assert other.patch(f"/api/v1/cases/{case_id}/", {"title": "Second title", "status": "filed"},
                       format="json").status_code == 200
    history = api.get(f"/api/v1/cases/{case_id}/history/").json()
    assert history[0]["user"] == "lev"
    assert history[0]["action"] == "changed"
    assert {"field": "title", "old": "First title", "new": "Second title"} in history[0]["changes"]
    assert {"field": "status", "old": "preparing", "new": "filed"} in history[0]["changes"]
    assert history[-1]["action"] == "created" and history[-1]["user"] == "alina"
    stamps = [entry["at"] for entry in history]
    assert stamps == sorted(stamps, reverse=True)


def test_trash_and_restore_bring_back_the_same_data(api, lead):
    case = CaseFactory(lead=lead, title="Keep me", summary="All the facts")
    incident = IncidentFactory(user=lead, cases=[case])
    before = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert api.delete(f"/api/v1/cases/{case.pk}/").status_code == 204
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert case.pk in [c["id"] for c in api.get("/api/v1/trash/").json()["cases"]]
    assert api.post(f"/api/v1/cases/{case.pk}/restore/").status_code == 200
    after = api.get(f"/api/v1/cases/{case.pk}/").json()
    before.pop("updated_at"), after.pop("updated_at")
    assert after.pop("version") > before.pop("version")  # trash and restore are saves
    assert after == before
    assert api.get(f"/api/v1/incidents/{incident.pk}/").json()["cases"] == [case.pk]
    actions = [e["action"] for e in api.get(f"/api/v1/cases/{case.pk}/history/").json() if e["object"] == "case"]
    assert actions[:2] == ["restored", "deleted"]


def test_purge_is_recorded_and_needs_the_trash(api, lead):
    case = CaseFactory(lead=lead)
    assert api.post(f"/api/v1/cases/{case.pk}/purge/").status_code == 400
    api.delete(f"/api/v1/cases/{case.pk}/")
    assert api.post(f"/api/v1/cases/{case.pk}/purge/").status_code == 204
    assert not Case.objects.filter(pk=case.pk).exists()
    last = Case.history.filter(id=case.pk).first()
    assert last.history_type == "-" and last.history_user == lead


def test_incident_history_hides_links_to_cases_the_viewer_cannot_see(lead):
    secret_case = CaseFactory(lead=lead, title="Secret")
    shared_case = CaseFactory(lead=lead, title="Shared")
    observer = UserFactory()
    add_member(shared_case, observer, Role.OBSERVER, actor=lead)
    incident = IncidentFactory(user=lead, cases=[shared_case])
    services.incident_update(user=lead, incident=incident, data={}, cases=[shared_case, secret_case])
    client = APIClient()
    client.force_authenticate(observer)
    assert client.get(f"/api/v1/incidents/{incident.pk}/").json()["cases"] == [shared_case.pk]
    history = client.get(f"/api/v1/incidents/{incident.pk}/history/").json()
    linked = [pk for entry in history for change in entry["changes"] if change["field"] == "cases"
              for pk in (change["old"] or []) + (change["new"] or [])]
    assert shared_case.pk in linked
    assert secret_case.pk not in linked
    lead_client = APIClient()
    lead_client.force_authenticate(lead)
    lead_history = lead_client.get(f"/api/v1/incidents/{incident.pk}/history/").json()
    assert any(secret_case.pk in (c["new"] or []) for e in lead_history for c in e["changes"] if c["field"] == "cases")


def test_patch_keeps_links_the_caller_may_not_edit(lead):
    case_a = CaseFactory(lead=lead)
    case_b = CaseFactory()
    researcher = UserFactory()
    add_member(case_a, researcher, Role.RESEARCHER, actor=lead)
    add_member(case_b, researcher, Role.OBSERVER, actor=case_b.created_by)
    incident = IncidentFactory(user=lead, cases=[case_a])
    add_member(case_b, lead, Role.RESEARCHER, actor=case_b.created_by)
    # the lead of case A may move the incident into case B, where they may add incidents
    services.incident_update(user=lead, incident=incident, data={}, cases=[case_a, case_b])
    client = APIClient()
    client.force_authenticate(researcher)
    response = client.patch(f"/api/v1/incidents/{incident.pk}/", {"cases": []}, format="json")
    assert response.status_code == 200
    assert set(incident.cases.values_list("pk", flat=True)) == {case_b.pk}


# --- Query counts --------------------------------------------------------------------------------------------
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/incidents/", "/api/v1/persons/", "/api/v1/trash/"])
def test_list_endpoints_run_constant_queries(api, lead, url):
    def grow(to: int) -> None:
        while Case.objects.filter(created_by=lead).count() < to:
            case = CaseFactory(lead=lead)
            IncidentFactory(user=lead, cases=[case])
            from tests.factories import PersonFactory

            PersonFactory(user=lead)
            trashed = CaseFactory(lead=lead)
            services.case_trash(user=lead, case=trashed)

    grow(5)
    at_5 = _queries(api, url + "?page_size=100")
    grow(50)
    at_50 = _queries(api, url + "?page_size=100")
    assert at_5 == at_50, (url, at_5, at_50)
