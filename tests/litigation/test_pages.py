"""The pages, through their forms: a lawyer builds claims with authorities, logs a request and stores its reply, hands
out tasks; the assignee completes one; my work and the caseload show what is overdue first; English and Russian."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from litigation.models import Authority, AuthorityRequest, Citation, Claim, Task
from tests.litigation.factories import make_authority, make_claim, make_request, make_task

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def login(user, language: str | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    client.force_login(user)
    return client


def test_claim_authority_and_citation_through_the_pages(cast):
    client = login(cast.lawyer)
    r = client.post(f"/cases/{cast.case.pk}/claims/new/", {"right": "Article 8 of the Convention",
                                                          "relief": "Deletion of the data"})
    claim = Claim.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/claims/{claim.pk}/"
    r = client.post(f"/authorities/new/?claim={claim.pk}", {
        "kind": "judgment", "title": "Glukhin v. Russia", "citation": "Glukhin v. Russia, no. 11519/20, 4 July 2023",
        "date": "2023-07-04", "identifier": "11519/20", "url": "https://hudoc.echr.coe.int/eng?i=001-225655"})
    assert r.status_code == 302 and r["Location"].startswith(f"/claims/{claim.pk}/")
    authority = Authority.objects.get()
    assert authority.case_id is None and authority.created_by == cast.lawyer
    r = client.post(f"/claims/{claim.pk}/cite/", {"authority": authority.pk, "pinpoint": "§ 72"}, follow=True)
    assert Citation.objects.get().pinpoint == "§ 72"
    page = r.content.decode()
    assert "Authority cited." in page and "Glukhin v. Russia, no. 11519/20" in page
    case_page = client.get(f"/cases/{cast.case.pk}/").content.decode()
    assert 'id="claims"' in case_page and "Article 8 of the Convention" in case_page
    assert "table-of-authorities.docx?lang=ru" in case_page


def test_a_form_error_writes_nothing(cast):
    client = login(cast.lawyer)
    r = client.post(f"/cases/{cast.case.pk}/claims/new/", {"right": ""})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    r = client.post("/authorities/new/", {"kind": "judgment", "title": "x", "url": "ftp://example.org/x"})
    assert r.status_code == 200
    assert not Claim.objects.exists() and not Authority.objects.exists()


def test_request_through_the_pages_computed_extended_and_answered(cast):
    client = login(cast.lawyer)
    r = client.post(f"/requests/new/?case={cast.case.pk}", {
        "kind": "ru-152fz-access", "addressee": "Moscow Metro", "subject": "My biometric data",
        "sent_on": "2025-12-26", "received_on": "2025-12-30", "rule": ""})
    req = AuthorityRequest.objects.get()
    assert r.status_code == 302, r.content.decode()[:2000]
    assert req.reply_due == D("2026-01-23") and req.rule.code == "ru-152fz-access"
    detail = client.get(f"/requests/{req.pk}/").content.decode()
    assert "How the reply date was computed" in detail and "2026-01-23" in detail
    form = client.get(f"/requests/{req.pk}/edit/").content.decode()
    assert 'value="ru-152fz-access" selected' in form
    r = client.post(f"/requests/{req.pk}/edit/", {
        "kind": "ru-152fz-access", "addressee": "Moscow Metro", "subject": "My biometric data",
        "sent_on": "2025-12-26", "received_on": "2025-12-30", "rule": "ru-152fz-access", "extended": "on"})
    req.refresh_from_db()
    assert r.status_code == 302 and req.rule.code == "ru-152fz-access-extended" and req.reply_due == D("2026-01-30")
    today = timezone.localdate().isoformat()
    r = client.post(f"/requests/{req.pk}/reply/", {
        "file": SimpleUploadedFile("reply.pdf", b"%PDF-1.4 reply of the Metro", "application/pdf"),
        "replied_on": today, "title": "Reply of the Metro"})
    req.refresh_from_db()
    assert r.status_code == 302
    assert req.status == "answered" and req.reply_evidence.title == "Reply of the Metro"
    assert "Reply of the Metro" in client.get(f"/requests/{req.pk}/").content.decode()


def test_request_with_a_date_given_by_hand(cast):
    client = login(cast.lawyer)
    r = client.post(f"/requests/new/?case={cast.case.pk}", {
        "kind": "other", "addressee": "City hall", "rule": "-", "reply_due": "2099-05-01"})
    assert r.status_code == 302
    req = AuthorityRequest.objects.get()
    assert req.rule is None and req.reply_due == D("2099-05-01")


def test_tasks_assignee_completes_and_my_work_lists_overdue_first(cast):
    client = login(cast.lawyer)
    r = client.post(f"/tasks/new/?case={cast.case.pk}", {"title": "Collect the police log", "assignee": "researcher",
                                                         "due_date": "2020-01-01"})
    assert r.status_code == 302
    task = Task.objects.get()
    make_task(cast.lawyer, cast.case, title="Later task", assignee=cast.researcher,
              due_date=timezone.localdate() + dt.timedelta(days=5))
    researcher = login(cast.researcher)
    work = researcher.get("/work/").content.decode()
    overdue = work[work.index('id="overdue"'):work.index('id="tasks"')]
    assert "Collect the police log" in overdue and "Later task" not in overdue
    assert "Later task" in work[work.index('id="tasks"'):]
    assert f'action="/tasks/{task.pk}/done/"' in work
    r = researcher.post(f"/tasks/{task.pk}/done/", {"next": "/work/"})
    assert r.status_code == 302 and r["Location"] == "/work/"
    task.refresh_from_db()
    assert task.done and task.done_by == cast.researcher
    # the assignee may not edit or delete
    assert researcher.get(f"/tasks/{task.pk}/edit/").status_code == 403
    assert researcher.post(f"/tasks/{task.pk}/delete/").status_code == 403
    # an open redirect is not followed
    r = researcher.post(f"/tasks/{task.pk}/done/", {"next": "https://evil.example/", "done": "0"})
    assert r["Location"] == f"/tasks/{task.pk}/"


def test_caseload_for_leads_only(cast):
    make_task(cast.lawyer, cast.case, title="Overdue task", assignee=cast.researcher, due_date=D("2020-01-01"))
    make_request(cast.lawyer, cast.case, kind="ru-59fz-appeal", received_on=D("2020-01-10"))
    page = login(cast.lead).get("/caseload/").content.decode()
    assert cast.case.title in page and "researcher" in page and "1 overdue" in page
    assert "1 reply to a request" in page
    other = login(cast.lawyer).get("/caseload/").content.decode()
    assert cast.case.title not in other and "You lead no case" in other


def test_pages_in_russian(cast):
    claim = make_claim(cast.lawyer, cast.case)
    services_authority = make_authority(cast.lawyer)
    from litigation import services

    services.citation_add(user=cast.lawyer, claim=claim, authority=services_authority, pinpoint="§ 72")
    make_request(cast.lawyer, cast.case, kind="ru-152fz-access", received_on=D("2020-01-10"))
    make_task(cast.lawyer, cast.case, title="Задача", assignee=cast.lawyer, due_date=D("2020-01-01"))
    client = login(cast.lawyer, "ru")
    case_page = client.get(f"/cases/{cast.case.pk}/").content.decode()
    for text in ("Требования", "Запросы и обращения", "Задачи", "Просрочен", "Перечень источников права (RU)"):
        assert text in case_page, text
    work = client.get("/work/").content.decode()
    assert "Моя работа" in work and "Просрочен" in work
    detail = client.get(f"/requests/{AuthorityRequest.objects.get().pk}/").content.decode()
    assert "Как вычислен срок ответа" in detail and "Запрос субъекта персональных данных (152-ФЗ)" in detail
    assert re.search(r"<html lang=\"ru", client.get("/authorities/").content.decode())


def test_empty_states(cast):
    client = login(cast.observer)
    assert "No claims recorded yet." in client.get(f"/cases/{cast.case.pk}/").content.decode()
    assert "The library is empty." in client.get("/authorities/").content.decode()
    assert "No requests to authorities yet." in client.get("/requests/").content.decode()
    assert "Nothing overdue." in client.get("/work/").content.decode()
    assert "You are not a lead or lawyer of any case." in client.get("/requests/new/").content.decode()


def test_observer_sees_no_edit_controls(cast):
    claim = make_claim(cast.lawyer, cast.case)
    req = make_request(cast.lawyer, cast.case)
    client = login(cast.observer)
    for url in (f"/cases/{cast.case.pk}/", f"/claims/{claim.pk}/", f"/requests/{req.pk}/"):
        page = client.get(url).content.decode()
        assert "/edit/" not in page.split("<main", 1)[1] or url.startswith("/cases/"), url
        assert "Add claim" not in page and "Log a request" not in page and "Store the reply" not in page
