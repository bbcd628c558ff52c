"""Every list page and list endpoint runs the same number of SQL queries at 3 and at 30 rows, and at most 15.

Two worlds are built through the real services: ``n`` of every listed thing (cases, incidents with persons and
evidence, proceedings, parties, members, history entries, deadlines, claims, authorities, requests, tasks, intake
reports, custody events, trashed cases and incidents), all visible to a lawyer and an observer of the cases. Each
URL is fetched once to warm the caches (session, content types), then counted. Search (``/search/``,
``/api/v1/search/``) is counted by its own tests (tests/search).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Role
from deadlines.services import deadline_create
from evidence.services import custody_record, evidence_upload
from intake.services import report_submit
from litigation.services.claims import authority_create, claim_create
from litigation.services.requests import request_create
from litigation.services.tasks import task_create
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db
MAX_QUERIES = 15
SMALL, LARGE = 3, 30


def build(n: int) -> dict:
    lead = UserFactory(username=f"lead{n}")
    lawyer = UserFactory(username=f"lawyer{n}")
    observer = UserFactory(username=f"observer{n}")
    triager = UserFactory(username=f"triager{n}")
    triager.user_permissions.add(Permission.objects.get(codename="triage_intake", content_type__app_label="cases"))
    hub = CaseFactory(lead=lead, title="Hub case")
    add_member(hub, lawyer, Role.LAWYER)
    add_member(hub, observer, Role.OBSERVER)
    big = IncidentFactory(user=lead, cases=[hub], title="Big incident")
    today = timezone.localdate()
    for i in range(n):
        case = CaseFactory(lead=lead, title=f"Case {i}")
        add_member(case, lawyer, Role.LAWYER)
        add_member(case, observer, Role.OBSERVER)
        add_member(hub, UserFactory(username=f"member{n}-{i}"), Role.RESEARCHER)
        services.case_update(user=lead, case=hub, data={"summary": f"Summary, edit {i}"})
        incident = IncidentFactory(user=lead, cases=[hub, case], title=f"Incident {i}", latitude="55.7",
                                   longitude="37.6")
        person = PersonFactory(user=lead, pseudonym=f"Person {i}")
        services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
        services.incident_person_add(user=lead, incident=big, person=person, part="witness")
        services.party_create(user=lead, case=hub, role="claimant", person=person)
        services.proceeding_create(user=lead, case=hub, stage="appeal", court=f"Court {i}")
        services.incident_update(user=lead, incident=big, data={"description": f"Edit {i}"})
        evidence_upload(user=lead, uploaded_file=SimpleUploadedFile(f"s{i}.txt", f"statement {n} {i}\n".encode()),
                        title=f"Statement {i}", case=hub, incident=incident, restricted=bool(i % 2))
        deadline_create(user=lead, case=hub, title=f"Deadline {i}", due_date=today + dt.timedelta(days=i + 1))
        claim_create(user=lead, case=hub, right=f"Article {i} of the Convention")
        authority_create(user=lead, title=f"Judgment {n}-{i}", kind="judgment", identifier=f"{n}{i}/20")
        request_create(user=lead, case=hub, addressee=f"Ministry {i}", kind="ru-152fz-access")
        task_create(user=lead, case=hub, title=f"Task {i}", assignee=lawyer.username,
                    due_date=today + dt.timedelta(days=i))
        report_submit(data={"occurred_at": timezone.now() - dt.timedelta(days=1), "location": f"Station {i}",
                            "description": f"Stopped at the turnstile ({i}).", "category": "wrongful_stop",
                            "consent": True})
        services.case_trash(user=lead, case=CaseFactory(lead=lead, title=f"Trashed {i}"))
        services.incident_trash(user=lead, incident=IncidentFactory(user=lead, title=f"Trashed incident {i}"))
    item = hub.evidence.order_by("pk").first()
    for _ in range(n):
        custody_record(item=item, user=lead, action="verified")
    return {"lead": lead, "lawyer": lawyer, "observer": observer, "triager": triager, "hub": hub, "big": big,
            "item": item, "person": person, "today": today}


# (name, who asks — "viewer" is the lawyer or the observer, url)
API = [
    ("api cases", "viewer", lambda w: "/api/v1/cases/"),
    ("api cases filtered", "viewer", lambda w: "/api/v1/cases/?status=preparing&jurisdiction=RU"),
    ("api case members", "viewer", lambda w: f"/api/v1/cases/{w['hub'].pk}/members/"),
    ("api case history", "viewer", lambda w: f"/api/v1/cases/{w['hub'].pk}/history/"),
    ("api case proceedings", "viewer", lambda w: f"/api/v1/cases/{w['hub'].pk}/proceedings/"),
    ("api case parties", "viewer", lambda w: f"/api/v1/cases/{w['hub'].pk}/parties/"),
    ("api persons", "viewer", lambda w: "/api/v1/persons/"),
    ("api incidents", "viewer", lambda w: "/api/v1/incidents/"),
    ("api incidents of a case", "viewer", lambda w: f"/api/v1/incidents/?case={w['hub'].pk}"),
    ("api incident history", "viewer", lambda w: f"/api/v1/incidents/{w['big'].pk}/history/"),
    ("api incident persons", "viewer", lambda w: f"/api/v1/incidents/{w['big'].pk}/persons/"),
    ("api trash", "lead", lambda w: "/api/v1/trash/"),
    ("api evidence", "viewer", lambda w: "/api/v1/evidence/"),
    ("api evidence of a case", "viewer", lambda w: f"/api/v1/evidence/?case={w['hub'].pk}"),
    ("api custody", "viewer", lambda w: f"/api/v1/evidence/{w['item'].pk}/custody/"),
    ("api deadlines", "viewer", lambda w: "/api/v1/deadlines/"),
    ("api claims", "viewer", lambda w: f"/api/v1/cases/{w['hub'].pk}/claims/"),
    ("api authorities", "viewer", lambda w: "/api/v1/authorities/"),
    ("api requests", "viewer", lambda w: "/api/v1/requests/"),
    ("api tasks", "viewer", lambda w: "/api/v1/tasks/"),
    ("api my tasks", "viewer", lambda w: "/api/v1/tasks/?assignee=me"),
    ("api my work", "viewer", lambda w: "/api/v1/my-work/"),
    ("api caseload", "lead", lambda w: "/api/v1/caseload/"),
    ("api intake queue", "triager", lambda w: "/api/v1/intake/"),
    ("api stats", "viewer", lambda w: "/api/v1/stats/incidents/?by=category"),
    ("api geo", "viewer", lambda w: "/api/v1/incidents/geo.json"),
    ("api document templates", "viewer", lambda w: "/api/v1/document-templates/"),
    ("api incidents csv", "viewer", lambda w: "/api/v1/incidents/export.csv"),
    ("api cases csv", "viewer", lambda w: "/api/v1/cases/export.csv"),
    ("api deadlines csv", "viewer", lambda w: "/api/v1/deadlines/export.csv"),
    ("api evidence csv", "viewer", lambda w: "/api/v1/evidence/export.csv"),
]
PAGES = [
    ("dashboard", "viewer", lambda w: "/"),
    ("case list", "viewer", lambda w: "/cases/"),
    ("case list sorted", "viewer", lambda w: "/cases/?sort=-title&q=case"),
    ("incident list", "viewer", lambda w: "/incidents/"),
    ("incident list of a case", "viewer", lambda w: f"/incidents/?case={w['hub'].pk}&sort=title"),
    ("persons", "viewer", lambda w: "/persons/"),
    ("trash", "lead", lambda w: "/trash/"),
    ("case page", "viewer", lambda w: f"/cases/{w['hub'].pk}/"),
    ("case members", "lead", lambda w: f"/cases/{w['hub'].pk}/members/"),
    ("case history", "viewer", lambda w: f"/cases/{w['hub'].pk}/history/"),
    ("case documents", "viewer", lambda w: f"/cases/{w['hub'].pk}/documents/"),
    ("incident page", "viewer", lambda w: f"/incidents/{w['big'].pk}/"),
    ("incident history", "viewer", lambda w: f"/incidents/{w['big'].pk}/history/"),
    ("person page", "viewer", lambda w: f"/persons/{w['person'].pk}/"),
    ("evidence page", "viewer", lambda w: f"/evidence/{w['item'].pk}/"),
    ("deadlines", "viewer", lambda w: "/deadlines/"),
    ("deadlines month", "viewer", lambda w: f"/deadlines/month/{w['today']:%Y}/{w['today']:%m}/"),
    ("intake queue", "triager", lambda w: "/intake/"),
    ("my work", "viewer", lambda w: "/work/"),
    ("caseload", "lead", lambda w: "/caseload/"),
    ("authorities", "viewer", lambda w: "/authorities/"),
    ("requests", "viewer", lambda w: "/requests/"),
    ("tasks", "viewer", lambda w: "/tasks/"),
    ("stats", "viewer", lambda w: "/stats/"),
    ("map", "viewer", lambda w: "/map/"),
]


def count(user, url: str, *, api: bool) -> int:
    if api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    first = client.get(url)  # warm caches (session, content types) so only the request's own queries are counted
    assert first.status_code == 200, (url, first.status_code, first.content[:300])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_lists_run_the_same_few_queries_at_3_and_30_rows():
    small, large = build(SMALL), build(LARGE)
    results = {}
    for viewer in ("lawyer", "observer"):
        for kind, urls in (("api", API), ("page", PAGES)):
            for name, who, url in urls:
                who = viewer if who == "viewer" else who
                key = f"{name} ({who})"
                if key not in results:
                    results[key] = (count(small[who], url(small), api=kind == "api"),
                                    count(large[who], url(large), api=kind == "api"))
    varying = {name: counts for name, counts in results.items() if counts[0] != counts[1]}
    too_many = {name: counts for name, counts in results.items() if max(counts) > MAX_QUERIES}
    assert not varying and not too_many, (
        f"query count grows with rows ({SMALL} rows, {LARGE} rows): {varying}; more than {MAX_QUERIES} queries: "
        f"{too_many}")
