"""Every write is in the history with its author, and the histories are served (API and pages) only to those who may
see the case — with names, not ids, and never a real name."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import services as case_services
from litigation import services
from litigation.models import Authority, AuthorityRequest, Citation, Claim, Task
from tests.factories import PersonFactory
from tests.litigation.factories import make_authority, make_claim, make_request, make_task

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def authors(model, **filters) -> list[tuple[str, str | None]]:
    """(history type, username) oldest first."""
    rows = model.history.filter(**filters).order_by("history_date", "history_id").select_related("history_user")
    return [(r.history_type, r.history_user.username if r.history_user else None) for r in rows]


def test_claim_and_citation_writes(cast):
    claim = make_claim(cast.lawyer, cast.case)
    services.claim_update(user=cast.lead, claim=claim, data={"outcome": "Dismissed"})
    services.claim_update(user=cast.lead, claim=claim, data={"outcome": "Dismissed"})  # no change: no entry
    authority = make_authority(cast.lawyer)
    citation = services.citation_add(user=cast.lawyer, claim=claim, authority=authority, pinpoint="§ 72")
    services.citation_update(user=cast.lead, citation=citation, pinpoint="§§ 72-73")
    services.citation_remove(user=cast.lead, citation=citation)
    citation2 = services.citation_add(user=cast.lawyer, claim=claim, authority=authority)
    services.claim_delete(user=cast.lead, claim=claim)
    assert authors(Claim, id=claim.pk) == [("+", "lawyer"), ("~", "lead"), ("-", "lead")]
    assert authors(Citation, id=citation.pk) == [("+", "lawyer"), ("~", "lead"), ("-", "lead")]
    assert authors(Citation, id=citation2.pk) == [("+", "lawyer"), ("-", "lead")]  # deleted with its claim


def test_authority_writes(cast):
    authority = make_authority(cast.lawyer)
    services.authority_update(user=cast.lawyer, authority=authority, data={"court": "ECtHR"})
    assert authors(Authority, id=authority.pk) == [("+", "lawyer"), ("~", "lawyer")]


def test_request_writes_and_the_reply(cast, django_capture_on_commit_callbacks):
    req = make_request(cast.lawyer, cast.case, kind="ru-59fz-appeal", addressee="Roskomnadzor")
    services.request_update(user=cast.lead, request=req, data={"received_on": D("2026-02-06")}, today=D("2026-02-07"))
    with django_capture_on_commit_callbacks(execute=True):
        services.request_reply_attach(
            user=cast.lawyer, request=req, replied_on=D("2026-02-20"),
            uploaded_file=SimpleUploadedFile("reply.txt", b"Reply of Roskomnadzor no. 123", "text/plain"))
    req.refresh_from_db()
    assert req.status == "answered" and req.reply_evidence is not None
    assert req.reply_evidence.exhibits.get().case_id == cast.case.pk  # an exhibit of the case
    assert req.reply_evidence.custody_events.filter(action="uploaded").exists()
    services.request_delete(user=cast.lead, request=req)
    history = authors(AuthorityRequest, id=req.pk)
    assert history == [("+", "lawyer"), ("~", "lead"), ("~", "lawyer"), ("-", "lead")]


def test_task_writes(cast):
    task = make_task(cast.lawyer, cast.case, assignee="researcher")
    services.task_update(user=cast.researcher, task=task, data={"done": True})
    services.task_update(user=cast.lead, task=task, data={"title": "Renamed", "done": False})
    services.task_delete(user=cast.lead, task=task)
    assert authors(Task, id=task.pk) == [("+", "lawyer"), ("~", "researcher"), ("~", "lead"), ("-", "lead")]


def test_refused_writes_leave_no_history(cast):
    from django.core.exceptions import PermissionDenied

    claim = make_claim(cast.lawyer, cast.case)
    before = Claim.history.count()
    with pytest.raises(PermissionDenied):
        services.claim_update(user=cast.observer, claim=claim, data={"right": "x"})
    with pytest.raises(PermissionDenied):
        services.task_create(user=cast.researcher, case=cast.case, title="x")
    assert Claim.history.count() == before and Task.history.count() == 0


def test_history_api_names_people_and_rules_and_hides_real_names(cast, api):
    person = PersonFactory(user=cast.lawyer, pseudonym="Applicant A.", real_name="REAL-NAME-SECRET")
    party = case_services.party_create(user=cast.lawyer, case=cast.case, role="claimant", person=person)
    req = make_request(cast.lawyer, cast.case, kind="ru-152fz-access", requester=party,
                       received_on=D("2025-12-30"), today=D("2025-12-31"))
    services.request_update(user=cast.lawyer, request=req, data={"extended": True}, today=D("2025-12-31"))
    task = make_task(cast.lawyer, cast.case, assignee="researcher")
    for role in ("observer", "lawyer"):
        entries = api(cast.user(role)).get(f"/api/v1/requests/{req.pk}/history/").json()
        text = str(entries)
        assert entries[0]["user"] == "lawyer" and entries[-1]["action"] == "created"
        assert "ru-152fz-access-extended" in text and "Applicant A." in text and "REAL-NAME-SECRET" not in text
        task_entries = api(cast.user(role)).get(f"/api/v1/tasks/{task.pk}/history/").json()
        assert {"field": "assignee", "old": None, "new": "researcher"} in task_entries[0]["changes"]
    assert api(cast.outsider).get(f"/api/v1/requests/{req.pk}/history/").status_code == 404
    page = Client()
    page.force_login(cast.observer)
    html = page.get(f"/requests/{req.pk}/").content.decode()
    assert "ru-152fz-access-extended" in html and "REAL-NAME-SECRET" not in html


def test_case_history_holds_claims_citations_requests_and_tasks(cast, api):
    """The case's history (page and API) holds what was recorded on its claims, requests and tasks, with authors."""
    from litigation.selectors import case_litigation_history

    claim = make_claim(cast.lawyer, cast.case)
    services.citation_add(user=cast.lawyer, claim=claim, authority=make_authority(cast.lawyer))
    make_request(cast.lawyer, cast.case)
    make_task(cast.lawyer, cast.case)
    objects = [e["object"] for e in case_litigation_history(user=cast.observer, case=cast.case)]
    assert sorted(objects) == ["citation", "claim", "request", "task"]
    response = api(cast.observer).get(f"/api/v1/cases/{cast.case.pk}/history/")
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    by_object = {r.get("object") or r.get("object_type"): r for r in rows}
    assert {"case", "claim", "citation", "request", "task"} <= set(by_object), set(by_object)
    assert by_object["claim"]["user"] == "lawyer"
    page = Client()
    page.force_login(cast.observer)
    html = page.get(f"/cases/{cast.case.pk}/history/").content.decode()
    assert '<span class="badge">claim</span>' in html and '<span class="badge">task</span>' in html
    # Someone who may not view the case sees none of it.
    assert api(cast.outsider).get(f"/api/v1/cases/{cast.case.pk}/history/").status_code == 404


def test_reply_upload_refused_before_storing_anything(cast, settings):
    """A bad reply date is refused before the file is stored: no evidence item, no blob."""
    from django.core.exceptions import ValidationError

    from evidence.models import EvidenceItem

    req = make_request(cast.lawyer, cast.case, kind="ru-59fz-appeal", sent_on=D("2026-02-01"))
    with pytest.raises(ValidationError):
        services.request_reply_attach(user=cast.lawyer, request=req, replied_on=D("2026-01-01"),
                                      uploaded_file=SimpleUploadedFile("r.txt", b"reply", "text/plain"))
    assert EvidenceItem.objects.count() == 0
    assert not any(p.is_file() for p in settings.EVIDENCE_DIR.rglob("*"))


def test_purging_a_case_takes_its_claims_requests_tasks_and_private_authorities_with_it(cast):
    claim = make_claim(cast.lawyer, cast.case)
    library = make_authority(cast.lawyer, title="Library judgment")
    private = make_authority(cast.lawyer, case=cast.case, title="Decision in this case")
    services.citation_add(user=cast.lawyer, claim=claim, authority=library)
    services.citation_add(user=cast.lawyer, claim=claim, authority=private)
    make_request(cast.lawyer, cast.case, kind="ru-152fz-access", received_on=D("2025-12-30"))
    make_task(cast.lawyer, cast.case)
    case_services.case_trash(user=cast.lead, case=cast.case)
    case_services.case_purge(user=cast.lead, case=cast.case)
    assert not Claim.objects.exists() and not Citation.objects.exists() and not Task.objects.exists()
    assert not AuthorityRequest.objects.exists()
    assert list(Authority.objects.all()) == [library]  # the library keeps its entries
    assert Claim.history.filter(id=claim.pk, history_type="-").exists()
