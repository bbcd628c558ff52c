"""The permission matrix: every page and API URL × every kind of caller → the expected status, from one table.

A refused request must change nothing: every history table keeps its row count.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from cases import services
from cases.models import Role
from tests.conftest import login_with_two_factors
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.litigation.matrix import litigation_world
from tests.litigation.matrix import rows as litigation_rows

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "outsider", "observer", "coordinator", "researcher", "lawyer", "lead", "superuser"]
MEMBERS = ["observer", "coordinator", "researcher", "lawyer", "lead"]


@dataclasses.dataclass
class World:
    users: dict[str, Any]
    case: Any
    incident: Any
    person: Any
    trashed_case: Any
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@pytest.fixture
def world() -> World:
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Metro cameras", privileged_notes="PRIVILEGED-STRATEGY")
    users = {"lead": lead, "outsider": UserFactory(username="outsider"),
             "superuser": UserFactory(username="root", is_superuser=True, is_staff=True)}
    for role in ("observer", "coordinator", "researcher", "lawyer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    UserFactory(username="newbie")
    person = PersonFactory(user=lead, pseudonym="Applicant A", real_name="REAL-NAME-SECRET")
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Park Kultury")
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    trashed = CaseFactory(lead=lead, title="Old case")
    add_member(trashed, users["lawyer"], Role.LAWYER)
    services.case_trash(user=lead, case=trashed)
    from documents.models import DocumentTemplate

    # A template from before templates had owners: its uploader's alone until they give it to a case.
    personal = DocumentTemplate.objects.create(name="Old letter", sha256="0" * 64, size=1, uploaded_by=lead,
                                               scope=DocumentTemplate.Scope.PERSONAL)
    from intake.services import report_submit

    report_submit(data={"occurred_at": incident.occurred_at, "location": "Teatralnaya", "description": "Stopped.",
                        "consent": True})
    from intake.models import Report

    duplicate = PersonFactory(user=lead, pseudonym="Applicant A (duplicate)", real_name="DUPLICATE-REAL-NAME")
    services.party_create(user=lead, case=case, role="claimant", person=duplicate)
    extra = litigation_world(users, case)
    extra["duplicate"] = duplicate
    extra["template"] = personal
    extra["report"] = Report.objects.get()
    return World(users=users, case=case, incident=incident, person=person, trashed_case=trashed, extra=extra)


@pytest.fixture(autouse=True)
def pdf_converter(monkeypatch):
    """The matrix checks who gets what, not LibreOffice (tests/documents/test_pdf.py converts for real)."""
    from documents import conversion

    monkeypatch.setattr(conversion, "soffice_path", lambda: "/bin/true")
    monkeypatch.setattr(conversion, "docx_to_pdfa", lambda content, **kw: b"%PDF-1.7\n%stub\n")


def _expect(anonymous, outsider, members, superuser=None, **per_role) -> dict[str, int]:
    """Expected status by caller; ``members`` is the default for every role, overridden per role."""
    table = {"anonymous": anonymous, "outsider": outsider, "superuser": superuser if superuser is not None else members}
    for role in MEMBERS:
        table[role] = per_role.get(role, members)
    return table


@dataclasses.dataclass
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], Any] | None = None
    api: bool = True
    fmt: str = "json"


DENY_API = dict(anonymous=401, outsider=404)
ROWS: list[Row] = [
    # --- API ---
    Row("api cases list", "get", lambda w: "/api/v1/cases/", _expect(401, 200, 200)),
    Row("api case create", "post", lambda w: "/api/v1/cases/", _expect(401, 201, 201), lambda w: {"title": "New"}),
    Row("api case detail", "get", lambda w: f"/api/v1/cases/{w.case.pk}/", _expect(401, 404, 200)),
    Row("api case patch", "patch", lambda w: f"/api/v1/cases/{w.case.pk}/",
        _expect(401, 404, 200, observer=403, coordinator=403, researcher=403), lambda w: {"summary": "edited"}),
    Row("api case delete", "delete", lambda w: f"/api/v1/cases/{w.case.pk}/",
        _expect(401, 404, 403, 204, lead=204)),
    Row("api trashed case detail", "get", lambda w: f"/api/v1/cases/{w.trashed_case.pk}/", _expect(401, 404, 404)),
    Row("api case restore", "post", lambda w: f"/api/v1/cases/{w.trashed_case.pk}/restore/",
        _expect(401, 404, 404, 200, lawyer=403, lead=200)),
    Row("api case purge", "post", lambda w: f"/api/v1/cases/{w.trashed_case.pk}/purge/",
        _expect(401, 404, 404, 204, lawyer=403, lead=204)),
    Row("api members list", "get", lambda w: f"/api/v1/cases/{w.case.pk}/members/", _expect(401, 404, 200)),
    Row("api member add", "post", lambda w: f"/api/v1/cases/{w.case.pk}/members/",
        _expect(401, 404, 403, 201, lead=201), lambda w: {"username": "newbie", "role": "observer"}),
    Row("api member remove", "delete", lambda w: f"/api/v1/cases/{w.case.pk}/members/observer/",
        _expect(401, 404, 403, 204, lead=204)),
    Row("api case history", "get", lambda w: f"/api/v1/cases/{w.case.pk}/history/", _expect(401, 404, 200)),
    Row("api proceedings list", "get", lambda w: f"/api/v1/cases/{w.case.pk}/proceedings/", _expect(401, 404, 200)),
    Row("api proceeding create", "post", lambda w: f"/api/v1/cases/{w.case.pk}/proceedings/",
        _expect(401, 404, 201, observer=403, coordinator=403, researcher=403),
        lambda w: {"stage": "first_instance", "court": "Tverskoy District Court"}),
    Row("api parties list", "get", lambda w: f"/api/v1/cases/{w.case.pk}/parties/", _expect(401, 404, 200)),
    Row("api incidents list", "get", lambda w: "/api/v1/incidents/", _expect(401, 200, 200)),
    Row("api incident create linked", "post", lambda w: "/api/v1/incidents/",
        _expect(401, 400, 201, observer=400, coordinator=400),
        lambda w: {"title": "New stop", "occurred_at": "2025-05-01T08:30:00+03:00", "cases": [w.case.pk]}),
    Row("api incident detail", "get", lambda w: f"/api/v1/incidents/{w.incident.pk}/", _expect(401, 404, 200)),
    Row("api incident patch", "patch", lambda w: f"/api/v1/incidents/{w.incident.pk}/",
        _expect(401, 404, 200, observer=403, coordinator=403), lambda w: {"location": "Okhotny Ryad"}),
    Row("api incident delete", "delete", lambda w: f"/api/v1/incidents/{w.incident.pk}/",
        _expect(401, 404, 204, observer=403, coordinator=403)),
    Row("api incident history", "get", lambda w: f"/api/v1/incidents/{w.incident.pk}/history/",
        _expect(401, 404, 200)),
    Row("api incident persons", "get", lambda w: f"/api/v1/incidents/{w.incident.pk}/persons/",
        _expect(401, 404, 200)),
    Row("api person detail", "get", lambda w: f"/api/v1/persons/{w.person.pk}/", _expect(401, 404, 200)),
    Row("api person patch", "patch", lambda w: f"/api/v1/persons/{w.person.pk}/",
        _expect(401, 404, 200, observer=403, coordinator=403), lambda w: {"contacts": "Signal only"}),
    # Merging a duplicate: only who may edit both, read both identities and move the duplicate out of the case.
    Row("api person merge", "post", lambda w: f"/api/v1/persons/{w.extra['duplicate'].pk}/merge/",
        _expect(401, 404, 403, 200, lead=200), lambda w: {"into": w.person.pk}),
    Row("api trash", "get", lambda w: "/api/v1/trash/", _expect(401, 200, 200)),
    Row("api users create", "post", lambda w: "/api/v1/users/", _expect(401, 403, 403, 201),
        lambda w: {"username": "fresh", "password": "a-long-enough-Passphrase-42", "email": "f@example.org"}),
    Row("api schema", "get", lambda w: "/api/v1/schema/", _expect(200, 200, 200)),
    Row("api logout", "post", lambda w: "/api/v1/auth/logout/", _expect(401, 204, 204)),
    Row("api password change, wrong current password", "post", lambda w: "/api/v1/auth/password/",
        _expect(401, 400, 400), lambda w: {"old_password": "wrong", "new_password": "a-new-Passphrase-42"}),

    # --- documents (generate_documents: lead, lawyer, coordinator) ---
    *[Row(f"api {tail}", "get", (lambda t: lambda w: f"/api/v1/cases/{w.case.pk}/{t}")(tail),
          _expect(401, 404, 200, observer=403, researcher=403))
      for tail in ("documents/exhibit-list.docx", "documents/exhibit-list.pdf", "documents/chronology.docx",
                   "documents/chronology.pdf", "documents/custody-report.docx", "documents/custody-report.pdf",
                   "documents/incident-dossier.docx", "documents/incident-dossier.pdf", "bundle.zip",
                   "bundle.pdf", "bundle/")],
    Row("api trashed case bundle.pdf", "get", lambda w: f"/api/v1/cases/{w.trashed_case.pk}/bundle.pdf",
        _expect(401, 404, 404)),
    Row("api document templates", "get", lambda w: "/api/v1/document-templates/", _expect(401, 200, 200)),
    Row("api personal template", "get", lambda w: f"/api/v1/document-templates/{w.extra['template'].pk}/",
        _expect(401, 404, 404, lead=200, superuser=200)),
    Row("api template attach", "post", lambda w: f"/api/v1/document-templates/{w.extra['template'].pk}/attach/",
        _expect(401, 404, 404, lead=200, superuser=200), lambda w: {"case": w.case.pk}),
    # --- intake, import and export, statistics, map (issue 15) ---
    Row("api intake submit (public)", "post", lambda w: "/api/v1/intake/", _expect(202, 202, 202),
        lambda w: {"occurred_at": "2026-11-20", "location": "Moscow", "description": "Stopped.", "consent": True}),
    Row("api intake queue", "get", lambda w: "/api/v1/intake/", _expect(401, 404, 404, 200)),
    Row("api intake report", "get", lambda w: f"/api/v1/intake/{w.extra['report'].pk}/", _expect(401, 404, 404, 200)),
    Row("api intake accept", "post", lambda w: f"/api/v1/intake/{w.extra['report'].pk}/accept/",
        _expect(401, 404, 404, 201), lambda w: {}),
    Row("api intake reject", "post", lambda w: f"/api/v1/intake/{w.extra['report'].pk}/reject/",
        _expect(401, 404, 404, 200), lambda w: {"reason": "Not about cameras."}),
    Row("api intake file", "get", lambda w: f"/api/v1/intake/{w.extra['report'].pk}/file/",
        _expect(401, 404, 404, 404)),
    Row("api incidents import", "post", lambda w: "/api/v1/incidents/import/", _expect(401, 200, 200),
        lambda w: {"file": _csv("title,occurred_at\nStop,2025-01-01\n")}, fmt="multipart"),
    Row("api incidents import into the case", "post", lambda w: "/api/v1/incidents/import/",
        _expect(401, 400, 200, observer=400, coordinator=400),
        lambda w: {"file": _csv(f"title,occurred_at,cases\nStop,2025-01-01,{w.case.pk}\n")}, fmt="multipart"),
    Row("api incidents export csv", "get", lambda w: "/api/v1/incidents/export.csv", _expect(401, 200, 200)),
    Row("api incidents export xlsx", "get", lambda w: "/api/v1/incidents/export.xlsx", _expect(401, 200, 200)),
    Row("api cases export csv", "get", lambda w: "/api/v1/cases/export.csv", _expect(401, 200, 200)),
    Row("api deadlines export csv", "get", lambda w: "/api/v1/deadlines/export.csv", _expect(401, 200, 200)),
    Row("api evidence export csv", "get", lambda w: "/api/v1/evidence/export.csv", _expect(401, 200, 200)),
    Row("api stats", "get", lambda w: "/api/v1/stats/incidents/?by=category", _expect(401, 200, 200)),
    Row("api geo", "get", lambda w: "/api/v1/incidents/geo.json", _expect(401, 200, 200)),
    Row("api geo clusters", "get", lambda w: "/api/v1/incidents/geo.json?zoom=4&bbox=-180,-90,180,90",
        _expect(401, 200, 200)),

    Row("api case legal hold", "patch", lambda w: f"/api/v1/cases/{w.case.pk}/",
        _expect(401, 404, 403, 200, lead=200), lambda w: {"legal_hold": True}),
    Row("api case two factors required", "patch", lambda w: f"/api/v1/cases/{w.case.pk}/",
        _expect(401, 404, 403, 200, lead=200), lambda w: {"two_factor_required": False}),
    Row("api case patch with a stale version", "patch", lambda w: f"/api/v1/cases/{w.case.pk}/",
        _expect(401, 404, 409, observer=403, coordinator=403, researcher=403),
        lambda w: {"summary": "edited", "version": w.case.version + 5}),
    Row("api person erase", "post", lambda w: f"/api/v1/persons/{w.person.pk}/erase/",
        _expect(401, 404, 200, observer=403, coordinator=403, researcher=403), lambda w: {"ground": "request"}),
    # --- pages ---
    Row("page dashboard", "get", lambda w: "/", _expect(302, 200, 200), api=False),
    Row("page case list", "get", lambda w: "/cases/", _expect(302, 200, 200), api=False),
    Row("page case detail", "get", lambda w: f"/cases/{w.case.pk}/", _expect(302, 404, 200), api=False),
    Row("page case history", "get", lambda w: f"/cases/{w.case.pk}/history/", _expect(302, 404, 200), api=False),
    Row("page incident list", "get", lambda w: "/incidents/", _expect(302, 200, 200), api=False),
    Row("page incident detail", "get", lambda w: f"/incidents/{w.incident.pk}/", _expect(302, 404, 200), api=False),
    Row("page incident history", "get", lambda w: f"/incidents/{w.incident.pk}/history/", _expect(302, 404, 200),
        api=False),
    Row("page trash", "get", lambda w: "/trash/", _expect(302, 200, 200), api=False),
    Row("page password change", "get", lambda w: "/account/password/", _expect(302, 200, 200), api=False),
    Row("page password change done", "get", lambda w: "/account/password/done/", _expect(302, 200, 200), api=False),
    Row("page incident list sorted", "get", lambda w: "/incidents/?sort=-title&page=2", _expect(302, 200, 200),
        api=False),
    Row("page incident bulk category", "post", lambda w: "/incidents/",
        _expect(302, 404, 302, observer=403, coordinator=403),
        lambda w: {"ids": [w.incident.pk], "bulk_action": "category", "bulk_category": "detention"}, api=False),
    Row("page incident bulk trash", "post", lambda w: "/incidents/",
        _expect(302, 404, 302, observer=403, coordinator=403),
        lambda w: {"ids": [w.incident.pk], "bulk_action": "trash"}, api=False),
    Row("page persons", "get", lambda w: "/persons/?q=applicant&sort=-recorded", _expect(302, 200, 200), api=False),
    Row("page person detail", "get", lambda w: f"/persons/{w.person.pk}/", _expect(302, 404, 200), api=False),
    Row("page person history", "get", lambda w: f"/persons/{w.person.pk}/history/", _expect(302, 404, 200),
        api=False),
    Row("page person merge form", "get", lambda w: f"/persons/{w.person.pk}/merge/",
        _expect(302, 404, 200, observer=403, coordinator=403), api=False),
    Row("page person merge", "post", lambda w: f"/persons/{w.person.pk}/merge/",
        _expect(302, 404, 403, 302, lead=302), lambda w: {"drop": w.extra["duplicate"].pk}, api=False),

    Row("page two-factor sign-in", "get", lambda w: "/account/two-factor/", _expect(302, 200, 200), api=False),
    Row("page two-factor setup (nothing started)", "get", lambda w: "/account/two-factor/setup/",
        _expect(302, 302, 302), api=False),
    Row("page person erase", "get", lambda w: f"/persons/{w.person.pk}/erase/",
        _expect(302, 404, 200, observer=403, coordinator=403, researcher=403), api=False),
    Row("page person edit", "get", lambda w: f"/persons/{w.person.pk}/edit/",
        _expect(302, 404, 200, observer=404, coordinator=404), api=False),
    Row("page trashed case", "get", lambda w: f"/cases/{w.trashed_case.pk}/", _expect(302, 404, 404), api=False),
    Row("page case documents", "get", lambda w: f"/cases/{w.case.pk}/documents/", _expect(302, 404, 200), api=False),
    Row("page signature details", "get", lambda w: "/documents/signature/", _expect(302, 200, 200), api=False),
    Row("page template attach", "post",
        lambda w: f"/cases/{w.case.pk}/documents/templates/{w.extra['template'].pk}/attach/",
        _expect(302, 404, 404, observer=403, researcher=403, lead=302, superuser=302), api=False),
    Row("page public report form", "get", lambda w: "/report/", _expect(200, 200, 200), api=False),
    Row("page public report status", "get", lambda w: "/report/status/", _expect(200, 200, 200), api=False),
    Row("page intake queue", "get", lambda w: "/intake/", _expect(302, 404, 404, 200), api=False),
    Row("page intake report", "get", lambda w: f"/intake/{w.extra['report'].pk}/", _expect(302, 404, 404, 200),
        api=False),
    Row("page intake reject", "post", lambda w: f"/intake/{w.extra['report'].pk}/reject/",
        _expect(302, 404, 404, 302), lambda w: {"reason": "Spam."}, api=False),
    Row("page import", "get", lambda w: "/incidents/import/", _expect(302, 200, 200), api=False),
    Row("page statistics", "get", lambda w: "/stats/", _expect(302, 200, 200), api=False),
    Row("page statistics csv", "get", lambda w: "/stats/incidents.csv?by=month", _expect(302, 200, 200), api=False),
    Row("page map", "get", lambda w: "/map/", _expect(302, 200, 200), api=False),
]
ROWS += litigation_rows(Row, _expect)  # claims, authorities, requests, tasks (issue 16)


def _csv(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")


def history_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    }


def client_for(world: World, caller: str, api: bool):
    if api:
        client = APIClient()
        if caller != "anonymous":
            client.force_authenticate(world.users[caller])
        return client
    from django.test import Client

    client = Client()
    if caller == "superuser":  # staff sign in with two factors
        login_with_two_factors(client, world.users[caller])
    elif caller != "anonymous":
        client.force_login(world.users[caller])
    return client


CASES = [(row, caller) for row in ROWS for caller in CALLERS]


@pytest.mark.parametrize(("row", "caller"), CASES, ids=[f"{r.name} as {c}" for r, c in CASES])
def test_permission_matrix(world: World, row: Row, caller: str):
    client = client_for(world, caller, row.api)
    before = history_counts()
    kwargs = {}
    if row.body is not None:
        kwargs = {"data": row.body(world), "format": row.fmt} if row.api else {"data": row.body(world)}
    response = getattr(client, row.method)(row.url(world), **kwargs)
    expected = row.expected[caller]
    assert response.status_code == expected, (row.name, caller, response.status_code, getattr(response, "content", b"")[:300])
    if row.api and response.status_code >= 400:
        assert "detail" in response.json()
    if response.status_code >= 400 or row.method == "get":
        assert history_counts() == before, "a refused request (or a read) wrote to the history"
    if row.api is False and caller == "anonymous" and response.status_code == 302:
        assert response["Location"].startswith("/login/")


# --- What each role may read -----------------------------------------------------------------------------------
SEES_PRIVILEGED = {"lawyer", "lead", "superuser"}
SEES_IDENTITIES = {"researcher", "coordinator", "lawyer", "lead", "superuser"}


@pytest.mark.parametrize("caller", [c for c in CALLERS if c not in ("anonymous", "outsider")])
def test_privileged_notes_only_for_lawyers_and_leads(world: World, caller: str):
    api = client_for(world, caller, api=True)
    detail = api.get(f"/api/v1/cases/{world.case.pk}/").json()
    listed = [c for c in api.get("/api/v1/cases/").json()["results"] if c["id"] == world.case.pk][0]
    history = api.get(f"/api/v1/cases/{world.case.pk}/history/").content.decode()
    page = client_for(world, caller, api=False).get(f"/cases/{world.case.pk}/").content.decode()
    history_page = client_for(world, caller, api=False).get(f"/cases/{world.case.pk}/history/").content.decode()
    if caller in SEES_PRIVILEGED:
        assert detail["privileged_notes"] == "PRIVILEGED-STRATEGY"
        assert listed["privileged_notes"] == "PRIVILEGED-STRATEGY"
        assert "PRIVILEGED-STRATEGY" in history
        assert "PRIVILEGED-STRATEGY" in page
    else:
        assert "privileged_notes" not in detail and "privileged_notes" not in listed
        for text in (history, page, history_page):
            assert "PRIVILEGED-STRATEGY" not in text


@pytest.mark.parametrize("caller", [c for c in CALLERS if c not in ("anonymous", "outsider")])
def test_identities_only_for_roles_that_may_see_them(world: World, caller: str):
    api = client_for(world, caller, api=True)
    person = api.get(f"/api/v1/persons/{world.person.pk}/").json()
    persons = api.get("/api/v1/persons/").content.decode()
    page = client_for(world, caller, api=False).get(f"/incidents/{world.incident.pk}/").content.decode()
    assert person["pseudonym"] == "Applicant A"
    assert "Applicant A" in page
    if caller in SEES_IDENTITIES:
        assert person["real_name"] == "REAL-NAME-SECRET"
        assert "REAL-NAME-SECRET" in page
    else:
        assert "real_name" not in person
        assert "REAL-NAME-SECRET" not in persons
        assert "REAL-NAME-SECRET" not in page


def test_outsider_never_sees_the_case_in_lists(world: World):
    api = client_for(world, "outsider", api=True)
    assert api.get("/api/v1/cases/").json()["count"] == 0
    assert api.get("/api/v1/incidents/").json()["count"] == 0
    assert api.get("/api/v1/persons/").json()["count"] == 0
    page = client_for(world, "outsider", api=False).get("/cases/").content.decode()
    assert "Metro cameras" not in page


def test_removed_member_loses_access(world: World):
    services.member_remove(actor=world.users["lead"], case=world.case, user=world.users["lawyer"])
    api = client_for(world, "lawyer", api=True)
    assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 404
    assert api.get(f"/api/v1/incidents/{world.incident.pk}/").status_code == 404
    assert api.get(f"/api/v1/persons/{world.person.pk}/").status_code == 404
