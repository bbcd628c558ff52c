"""The API of claims, authorities, requests and tasks (API.md): fields, status codes, strict input, no oracles."""
from __future__ import annotations

import datetime as dt

import pytest

from litigation.models import Authority, AuthorityRequest, Citation, Claim, Task
from tests.factories import CaseFactory, UserFactory
from tests.litigation.factories import make_authority, make_claim, make_request, make_task

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


# --- Claims ---------------------------------------------------------------------------------------------------
def test_claim_crud_by_a_lawyer(cast, api):
    client = api(cast.lawyer)
    proceeding = cast.case.proceedings.create(stage="first_instance", court="Meshchansky District Court")
    r = client.post(f"/api/v1/cases/{cast.case.pk}/claims/", {
        "right": "Article 8 of the Convention", "basis": "Live facial recognition", "relief": "Deletion",
        "proceeding": proceeding.pk}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "right", "basis", "relief", "proceeding", "outcome"} <= set(body)
    assert body["proceeding"] == proceeding.pk and body["can_edit"] is True
    pk = body["id"]
    r = client.patch(f"/api/v1/claims/{pk}/", {"outcome": "Dismissed"}, format="json")
    assert r.status_code == 200 and r.json()["outcome"] == "Dismissed"
    listed = client.get(f"/api/v1/cases/{cast.case.pk}/claims/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk
    assert client.delete(f"/api/v1/claims/{pk}/").status_code == 204
    assert not Claim.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(("role", "read", "write"), [
    ("observer", 200, 403), ("researcher", 200, 403), ("coordinator", 200, 403), ("lawyer", 200, 201),
    ("lead", 200, 201), ("outsider", 404, 404)])
def test_claim_access_by_role(cast, api, role, read, write):
    client = api(cast.user(role))
    assert client.get(f"/api/v1/cases/{cast.case.pk}/claims/").status_code == read
    r = client.post(f"/api/v1/cases/{cast.case.pk}/claims/", {"right": "Art. 8"}, format="json")
    assert r.status_code == write
    assert Claim.objects.count() == (1 if write == 201 else 0)


@pytest.mark.parametrize("body", [
    {}, {"right": ""}, {"right": 8}, {"right": ["Art. 8"]}, {"right": {"x": 1}}, {"right": True},
    {"right": "Art. 8", "basis": 5}, {"right": "Art. 8", "proceeding": "x"}, {"right": "Art. 8", "proceeding": 10**20},
    {"right": "Art. 8", "proceeding": True}, {"right": "Art. 8", "surprise": 1}, ["right"], "right",
    {"right": "x" * 501},
])
def test_claim_bad_input_is_a_400_and_writes_nothing(cast, api, body):
    r = api(cast.lawyer).post(f"/api/v1/cases/{cast.case.pk}/claims/", body, format="json")
    assert r.status_code == 400, r.content
    assert "detail" in r.json()
    assert Claim.objects.count() == 0


def test_a_proceeding_of_another_case_is_refused(cast, api):
    other = CaseFactory(lead=cast.lawyer)
    foreign = other.proceedings.create(stage="appeal")
    r = api(cast.lawyer).post(f"/api/v1/cases/{cast.case.pk}/claims/", {"right": "Art. 8", "proceeding": foreign.pk},
                              format="json")
    assert r.status_code == 400 and "proceeding" in r.json()["errors"]


# --- Citations and authorities --------------------------------------------------------------------------------
def test_cite_an_authority_with_a_pinpoint_and_remove_it(cast, api):
    claim = make_claim(cast.lawyer, cast.case)
    glukhin = make_authority(cast.lawyer, citation="Glukhin v. Russia, no. 11519/20, 4 July 2023",
                             identifier="11519/20", date=D("2023-07-04"))
    client = api(cast.lawyer)
    r = client.post(f"/api/v1/claims/{claim.pk}/authorities/", {"authority": glukhin.pk, "pinpoint": "§ 72"},
                    format="json")
    assert r.status_code == 201, r.content
    citation = r.json()
    assert citation["authority"] == glukhin.pk and citation["pinpoint"] == "§ 72"
    again = client.post(f"/api/v1/claims/{claim.pk}/authorities/", {"authority": glukhin.pk, "pinpoint": "§ 72"},
                        format="json")
    assert again.status_code == 400
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["citations"][0]["pinpoint"] == "§ 72"
    r = client.patch(f"/api/v1/claims/{claim.pk}/authorities/{citation['id']}/", {"pinpoint": "§§ 72-73"},
                     format="json")
    assert r.status_code == 200 and r.json()["pinpoint"] == "§§ 72-73"
    assert api(cast.observer).delete(f"/api/v1/claims/{claim.pk}/authorities/{citation['id']}/").status_code == 403
    assert client.delete(f"/api/v1/claims/{claim.pk}/authorities/{citation['id']}/").status_code == 204
    assert Citation.objects.count() == 0


def test_citing_a_hidden_or_missing_authority_is_the_same_400(cast, api):
    claim = make_claim(cast.lawyer, cast.case)
    elsewhere = CaseFactory(title="Hidden case")
    private = make_authority(elsewhere.created_by, case=elsewhere, title="Decision naming a client")
    client = api(cast.lawyer)
    hidden = client.post(f"/api/v1/claims/{claim.pk}/authorities/", {"authority": private.pk}, format="json")
    missing = client.post(f"/api/v1/claims/{claim.pk}/authorities/", {"authority": private.pk + 999}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()


def test_another_cases_private_authority_cannot_be_cited_even_by_someone_who_sees_it(cast, api):
    """No transitive grants: citing it would show it to this case's members."""
    claim = make_claim(cast.lawyer, cast.case)
    mine_too = CaseFactory(lead=cast.lawyer, title="Second case")
    private = make_authority(cast.lawyer, case=mine_too, title="Decision in the second case")
    r = api(cast.lawyer).post(f"/api/v1/claims/{claim.pk}/authorities/", {"authority": private.pk}, format="json")
    assert r.status_code == 400 and "private" in r.json()["detail"]


def test_library_rights(cast, api):
    assert api(cast.observer).post("/api/v1/authorities/", {"title": "X"}, format="json").status_code == 403
    assert api(cast.outsider).post("/api/v1/authorities/", {"title": "X"}, format="json").status_code == 403
    r = api(cast.lawyer).post("/api/v1/authorities/", {
        "kind": "statute", "title": "Federal Law No. 152-FZ", "date": "2006-07-27", "identifier": "152-FZ"},
        format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["shared"] is True
    # everyone reads the library; only the creator (or staff) changes an entry
    assert api(cast.outsider).get(f"/api/v1/authorities/{pk}/").status_code == 200
    assert api(cast.lead).patch(f"/api/v1/authorities/{pk}/", {"court": "x"}, format="json").status_code == 403
    assert api(cast.lawyer).patch(f"/api/v1/authorities/{pk}/", {"court": "Federal Assembly"},
                                  format="json").status_code == 200
    staff = UserFactory(username="staffer", is_staff=True)
    assert api(staff).patch(f"/api/v1/authorities/{pk}/", {"court": "State Duma"}, format="json").status_code == 200
    dup = api(cast.lead).post("/api/v1/authorities/", {"kind": "statute", "title": "152-FZ again",
                                                       "identifier": "152-fz"}, format="json")
    assert dup.status_code == 400 and "identifier" in dup.json()["errors"]


def test_private_authorities_follow_their_case(cast, api):
    r = api(cast.lawyer).post("/api/v1/authorities/", {"title": "Decision of 18 June 2025 in the case",
                                                       "case": cast.case.pk}, format="json")
    assert r.status_code == 201
    pk = r.json()["id"]
    assert api(cast.observer).get(f"/api/v1/authorities/{pk}/").status_code == 200
    assert api(cast.observer).patch(f"/api/v1/authorities/{pk}/", {"court": "x"}, format="json").status_code == 403
    assert api(cast.outsider).get(f"/api/v1/authorities/{pk}/").status_code == 404
    assert pk not in [a["id"] for a in api(cast.outsider).get("/api/v1/authorities/").json()["results"]]
    moved = api(cast.lawyer).patch(f"/api/v1/authorities/{pk}/", {"case": None}, format="json")
    assert moved.status_code == 400
    # a hidden case named in the body is the same 400 as a missing one
    hidden = CaseFactory()
    a = api(cast.lawyer).post("/api/v1/authorities/", {"title": "x", "case": hidden.pk}, format="json")
    b = api(cast.lawyer).post("/api/v1/authorities/", {"title": "x", "case": hidden.pk + 999}, format="json")
    assert a.status_code == b.status_code == 400 and a.json() == b.json()
    assert api(cast.observer).post("/api/v1/authorities/", {"title": "x", "case": cast.case.pk},
                                   format="json").status_code == 403


def test_authority_urls_must_be_web_links(cast, api):
    r = api(cast.lawyer).post("/api/v1/authorities/", {"title": "x", "url": "javascript:alert(1)"}, format="json")
    assert r.status_code == 400 and "url" in r.json()["errors"]
    assert not Authority.objects.exists()


def test_library_filters(cast, api):
    make_authority(cast.lawyer, title="Glukhin v. Russia", identifier="11519/20")
    make_authority(cast.lawyer, title="152-FZ", kind="statute")
    client = api(cast.observer)
    assert client.get("/api/v1/authorities/?kind=statute").json()["count"] == 1
    assert client.get("/api/v1/authorities/?q=glukhin").json()["count"] == 1
    assert client.get("/api/v1/authorities/?kind=nonsense").status_code == 400


# --- Table of authorities -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "expected"), [
    ("lead", 200), ("lawyer", 200), ("coordinator", 200), ("researcher", 403), ("observer", 403), ("outsider", 404)])
def test_table_of_authorities_by_role(cast, api, role, expected):
    r = api(cast.user(role)).get(f"/api/v1/cases/{cast.case.pk}/documents/table-of-authorities.docx",
                                 HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert r.status_code == expected
    if expected == 200:
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        assert r.content[:2] == b"PK"
    else:
        assert r.json()["detail"]


# --- Requests -------------------------------------------------------------------------------------------------
def test_request_create_computes_the_reply_date(cast, api):
    r = api(cast.lawyer).post("/api/v1/requests/", {
        "case": cast.case.pk, "kind": "ru-152fz-access", "addressee": "Department of Information Technologies",
        "sent_on": "2025-12-26", "received_on": "2025-12-30"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["rule"] == "ru-152fz-access" and body["reply_due"] == "2026-01-23"
    assert body["status"] in ("sent", "overdue")
    assert "art. 20(1)" in body["legal_basis"]
    assert body["explanation"][-1]["step"] == "due"
    r = api(cast.lawyer).patch(f"/api/v1/requests/{body['id']}/", {"extended": True}, format="json")
    assert r.json()["rule"] == "ru-152fz-access-extended" and r.json()["reply_due"] == "2026-01-30"


def test_request_given_date_unknown_rule_and_strict_types(cast, api):
    client = api(cast.lawyer)
    r = client.post("/api/v1/requests/", {"case": cast.case.pk, "kind": "other", "addressee": "City hall",
                                          "reply_due": "2099-01-01"}, format="json")
    assert r.status_code == 201 and r.json()["reply_due"] == "2099-01-01" and r.json()["rule"] is None
    for bad in ({"rule": "no-such-rule"}, {"addressee": 5}, {"kind": "letter"}, {"status": "lost"},
                {"received_on": "30.12.2025"}, {"received_on": 20251230}, {"case": True}, {"extended": 1},
                {"jurisdiction": "XX"}, {"requester": 10**6}, {"reply_evidence": 10**6}):
        body = {"case": cast.case.pk, "addressee": "Metro", **bad}
        r = client.post("/api/v1/requests/", body, format="json")
        assert r.status_code == 400, (bad, r.content)
    assert AuthorityRequest.objects.count() == 1


def test_request_case_in_body_hidden_missing_and_forbidden(cast, api):
    hidden = CaseFactory()
    body = {"addressee": "Metro", "kind": "ru-59fz-appeal"}
    a = api(cast.lawyer).post("/api/v1/requests/", {**body, "case": hidden.pk}, format="json")
    b = api(cast.lawyer).post("/api/v1/requests/", {**body, "case": hidden.pk + 999}, format="json")
    assert a.status_code == b.status_code == 400 and a.json() == b.json()
    assert api(cast.observer).post("/api/v1/requests/", {**body, "case": cast.case.pk},
                                   format="json").status_code == 403
    assert AuthorityRequest.objects.count() == 0


def test_request_filters_never_tell_hidden_from_missing(cast, api):
    make_request(cast.lawyer, cast.case, kind="ru-152fz-access", received_on=D("2025-12-30"))
    hidden = CaseFactory()
    make_request(hidden.created_by, hidden, kind="ru-152fz-access", received_on=D("2025-12-30"))
    client = api(cast.observer)
    assert client.get("/api/v1/requests/").json()["count"] == 1
    assert client.get(f"/api/v1/requests/?case={cast.case.pk}").json()["count"] == 1
    a = client.get(f"/api/v1/requests/?case={hidden.pk}")
    b = client.get(f"/api/v1/requests/?case={hidden.pk + 999}")
    assert a.status_code == b.status_code == 200 and a.json() == b.json() and a.json()["count"] == 0
    assert client.get("/api/v1/requests/?case=abc").status_code == 400
    assert client.get("/api/v1/requests/?status=overdue").json()["count"] == 1
    assert client.get("/api/v1/requests/?overdue=true").json()["count"] == 1
    assert client.get("/api/v1/requests/?kind=gdpr-access").json()["count"] == 0


def test_logging_a_past_request_shows_it_overdue_at_once(cast, api):
    r = api(cast.lawyer).post("/api/v1/requests/", {
        "case": cast.case.pk, "kind": "ru-59fz-appeal", "addressee": "Roskomnadzor", "received_on": "2025-01-10"},
        format="json")
    assert r.json()["status"] == "overdue" and r.json()["overdue"] is True
    pk = r.json()["id"]
    r = api(cast.lawyer).patch(f"/api/v1/requests/{pk}/", {"replied_on": "2025-02-20"}, format="json")
    assert r.json()["status"] == "answered" and r.json()["overdue"] is False


def test_request_kinds_list_their_rules(cast, api):
    kinds = {k["kind"]: k for k in api(cast.observer).get("/api/v1/request-kinds/").json()}
    assert set(kinds) == set(AuthorityRequest.Kind.values)
    assert kinds["ru-152fz-access"]["extended_rule"] == "ru-152fz-access-extended"
    assert kinds["gdpr-access"]["legal_basis"].startswith("GDPR")
    assert kinds["other"]["rule"] is None


def test_request_requester_is_shown_by_pseudonym_only(cast, api):
    from cases import services as case_services
    from tests.factories import PersonFactory

    person = PersonFactory(user=cast.lawyer, pseudonym="Applicant A.", real_name="REAL-NAME")
    party = case_services.party_create(user=cast.lawyer, case=cast.case, role="claimant", person=person)
    r = api(cast.lawyer).post("/api/v1/requests/", {"case": cast.case.pk, "addressee": "Metro",
                                                    "requester": party.pk}, format="json")
    assert r.status_code == 201
    for role in ("lawyer", "observer"):
        text = api(cast.user(role)).get(f"/api/v1/requests/{r.json()['id']}/").content.decode()
        assert "Applicant A." in text and "REAL-NAME" not in text


@pytest.mark.parametrize(("role", "expected"), [
    ("lawyer", 200), ("coordinator", 200), ("researcher", 403), ("observer", 403), ("outsider", 404)])
def test_letter_by_role(cast, api, role, expected):
    req = make_request(cast.lawyer, cast.case, kind="ru-152fz-access")
    r = api(cast.user(role)).get(f"/api/v1/requests/{req.pk}/letter.docx?lang=ru")
    assert r.status_code == expected


def test_letter_in_a_persons_name_needs_identities(cast, api):
    """An observer-like role with generate_documents but no view_identities does not exist in the role table; a
    superuser-less check: the coordinator (identities) gets it; the real name is in the letter."""
    from docx import Document

    from cases import services as case_services
    from tests.factories import PersonFactory

    person = PersonFactory(user=cast.lawyer, pseudonym="Applicant A.", real_name="Anna Voronova")
    party = case_services.party_create(user=cast.lawyer, case=cast.case, role="claimant", person=person)
    req = make_request(cast.lawyer, cast.case, kind="ru-152fz-access", requester=party)
    r = api(cast.coordinator).get(f"/api/v1/requests/{req.pk}/letter.docx?lang=ru")
    assert r.status_code == 200
    import io

    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "Anna Voronova" in text and "152-ФЗ" in text and "десяти рабочих дней" in text


# --- Tasks ----------------------------------------------------------------------------------------------------
def test_task_crud_assignee_and_me(cast, api):
    client = api(cast.lawyer)
    r = client.post("/api/v1/tasks/", {"case": cast.case.pk, "title": "Collect the police log",
                                       "assignee": "researcher", "due_date": "2026-03-02"}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["assignee"] == "researcher" and r.json()["done"] is False
    assert client.post("/api/v1/tasks/", {"case": cast.case.pk, "title": "x", "assignee": "outsider"},
                       format="json").status_code == 400
    assert client.post("/api/v1/tasks/", {"case": cast.case.pk, "title": "x", "assignee": "nobody-at-all"},
                       format="json").status_code == 400
    mine = api(cast.researcher).get("/api/v1/tasks/?assignee=me").json()
    assert [t["id"] for t in mine["results"]] == [pk]
    assert api(cast.lawyer).get("/api/v1/tasks/?assignee=me").json()["count"] == 0
    # the assignee (a researcher) may mark it done, not change it
    researcher = api(cast.researcher)
    assert researcher.patch(f"/api/v1/tasks/{pk}/", {"title": "renamed"}, format="json").status_code == 403
    r = researcher.patch(f"/api/v1/tasks/{pk}/", {"done": True}, format="json")
    assert r.status_code == 200 and r.json()["done"] is True and r.json()["done_by"] == "researcher"
    assert api(cast.observer).patch(f"/api/v1/tasks/{pk}/", {"done": False}, format="json").status_code == 403
    assert researcher.delete(f"/api/v1/tasks/{pk}/").status_code == 403
    assert client.delete(f"/api/v1/tasks/{pk}/").status_code == 204


def test_task_case_filter_hidden_equals_missing(cast, api):
    make_task(cast.lawyer, cast.case)
    hidden = CaseFactory()
    make_task(hidden.created_by, hidden)
    client = api(cast.observer)
    a = client.get(f"/api/v1/tasks/?case={hidden.pk}")
    b = client.get(f"/api/v1/tasks/?case={hidden.pk + 999}")
    assert a.json() == b.json() and a.json()["count"] == 0
    assert client.get(f"/api/v1/tasks/?case={cast.case.pk}").json()["count"] == 1
    assert client.get("/api/v1/tasks/?done=maybe").status_code == 400
    assert Task.objects.count() == 2


def test_my_work_and_caseload(cast, api):
    make_task(cast.lawyer, cast.case, title="Late task", assignee=cast.lawyer, due_date=D("2020-01-01"))
    make_request(cast.lawyer, cast.case, kind="ru-59fz-appeal", received_on=D("2020-01-10"))
    mine = api(cast.lawyer).get("/api/v1/my-work/").json()
    assert {i["type"] for i in mine["overdue"]} == {"task", "request"}
    assert api(cast.observer).get("/api/v1/my-work/").json()["overdue"] == []  # observers answer for no reply
    load = api(cast.lead).get("/api/v1/caseload/").json()
    assert load["count"] == 1
    row = load["results"][0]
    assert row["overdue_tasks"] == 1 and row["overdue_requests"] == 1
    assert {m["username"] for m in row["members"]} >= {"lead", "lawyer", "observer"}
    assert api(cast.lawyer).get("/api/v1/caseload/").json()["count"] == 0  # leads only
