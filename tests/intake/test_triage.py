"""Triage of public reports: only for ``cases.triage_intake`` (others 404), accept → an incident with the reporter
as a pseudonymised person and the file as evidence whose custody starts at intake; reject with a reason."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases.models import Incident, IncidentPerson
from evidence.models import CustodyEvent, EvidenceItem
from intake import storage
from intake.models import Report
from tests.evidence.conftest import png_bytes
from tests.factories import CaseFactory, UserFactory, add_member
from tests.intake.conftest import REPORT, authed, make_triager

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(public):
    body = {**REPORT, "consent": "true", "file": SimpleUploadedFile("stop.png", png_bytes(), "image/png")}
    assert public.post("/api/v1/intake/", body, format="multipart").status_code == 202
    return Report.objects.get()


def test_queue_is_for_triagers_only(report, triager):
    assert APIClient().get("/api/v1/intake/").status_code == 401
    outsider = authed(UserFactory(username="someone"))
    for path in ("/api/v1/intake/", f"/api/v1/intake/{report.pk}/", f"/api/v1/intake/{report.pk}/file/"):
        assert outsider.get(path).status_code == 404
    for path in (f"/api/v1/intake/{report.pk}/accept/", f"/api/v1/intake/{report.pk}/reject/"):
        assert outsider.post(path, {"reason": "spam"}, format="json").status_code == 404
    assert Report.objects.get().status == "new"
    listed = authed(triager).get("/api/v1/intake/?status=new").json()
    assert listed["count"] == 1 and listed["results"][0]["contact"] == REPORT["contact"]
    assert authed(triager).get("/api/v1/intake/?status=bogus").status_code == 400


def test_accept_makes_an_incident_a_pseudonymised_reporter_and_evidence_with_intake_custody(
        report, triager, django_capture_on_commit_callbacks):
    api = authed(triager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/intake/{report.pk}/accept/", {}, format="json")
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["incident"])
    assert incident.owner == triager and incident.created_by == triager
    assert incident.location == REPORT["location"] and incident.category == "wrongful_stop"
    involvement = IncidentPerson.objects.get(incident=incident)
    person = involvement.person
    assert person.contacts == REPORT["contact"] and person.consent_given
    assert REPORT["contact"] not in person.pseudonym
    item = EvidenceItem.objects.get(incidents=incident)
    assert item.restricted and item.sha256 == report.file_sha256
    custody = list(CustodyEvent.objects.filter(item=item).order_by("seq"))
    assert [e.action for e in custody] == ["intake", "accepted"]
    assert custody[0].user is None and custody[1].user == triager
    assert api.post(f"/api/v1/evidence/{item.pk}/verify/").json()["ok"] is True
    report.refresh_from_db()
    assert report.status == "accepted" and report.incident == incident and report.decided_by == triager
    last = Report.history.filter(id=report.pk).order_by("-history_id").first()
    assert last.history_user == triager and last.status == "accepted"
    assert not storage.exists(report.file_sha256)  # moved into the evidence store
    # Deciding twice is refused.
    assert api.post(f"/api/v1/intake/{report.pk}/accept/", {}, format="json").status_code == 400
    assert api.post(f"/api/v1/intake/{report.pk}/reject/", {"reason": "x"}, format="json").status_code == 400


def test_the_reporters_contact_only_for_identity_readers(report, triager):
    lead = triager
    case = CaseFactory(lead=lead)
    observer, researcher = UserFactory(username="obs"), UserFactory(username="res")
    add_member(case, observer, "observer")
    add_member(case, researcher, "researcher")
    incident_id = authed(lead).post(f"/api/v1/intake/{report.pk}/accept/", {"case": case.pk},
                                    format="json").json()["incident"]
    person_id = IncidentPerson.objects.get(incident_id=incident_id).person_id
    assert "contacts" not in authed(observer).get(f"/api/v1/persons/{person_id}/").json()
    assert authed(researcher).get(f"/api/v1/persons/{person_id}/").json()["contacts"] == REPORT["contact"]


def test_accept_into_a_case_needs_the_right_to_add_incidents_there(report, triager):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    hidden = CaseFactory(lead=lead)
    add_member(case, triager, "observer")
    api = authed(triager)
    for case_id in (case.pk, hidden.pk, 999999, "x"):
        response = api.post(f"/api/v1/intake/{report.pk}/accept/", {"case": case_id}, format="json")
        assert response.status_code == 400
    assert Incident.objects.count() == 0 and EvidenceItem.objects.count() == 0
    assert Report.objects.get().status == "new"
    assert storage.exists(report.file_sha256)


def test_reject_needs_a_reason_is_recorded_and_removes_the_file(report, triager, django_capture_on_commit_callbacks):
    api = authed(triager)
    assert api.post(f"/api/v1/intake/{report.pk}/reject/", {}, format="json").status_code == 400
    assert api.post(f"/api/v1/intake/{report.pk}/reject/", {"reason": 5}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/intake/{report.pk}/reject/", {"reason": "Not about cameras."},
                            format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    report.refresh_from_db()
    assert report.reason == "Not about cameras." and report.decided_by == triager
    last = Report.history.filter(id=report.pk).order_by("-history_id").first()
    assert last.history_user == triager and last.status == "rejected"
    assert not storage.exists(report.file_sha256)
    assert Incident.objects.count() == 0


def test_the_same_file_in_two_reports_stays_until_both_are_decided(public, triager,
                                                                  django_capture_on_commit_callbacks):
    content = png_bytes()
    for _ in range(2):
        body = {**REPORT, "consent": "true", "file": SimpleUploadedFile("a.png", content, "image/png")}
        assert public.post("/api/v1/intake/", body, format="multipart").status_code == 202
    first, second = Report.objects.order_by("pk")
    api = authed(triager)
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/intake/{first.pk}/reject/", {"reason": "duplicate"}, format="json")
    assert storage.exists(second.file_sha256)
    assert api.post(f"/api/v1/intake/{second.pk}/accept/", {}, format="json").status_code == 201


def test_triage_pages(report, triager, client):
    client.force_login(UserFactory(username="plain"))
    assert client.get("/intake/").status_code == 404
    assert client.get(f"/intake/{report.pk}/").status_code == 404
    assert client.post(f"/intake/{report.pk}/reject/", {"reason": "x"}).status_code == 404
    client.force_login(make_triager("triager2"))
    page = client.get("/intake/")
    assert page.status_code == 200 and REPORT["location"] in page.content.decode()
    assert REPORT["description"] in client.get(f"/intake/{report.pk}/").content.decode()
    assert client.post(f"/intake/{report.pk}/reject/", {"reason": ""}).status_code == 400
    response = client.post(f"/intake/{report.pk}/accept/", {"title": "Stop at Okhotny Ryad"})
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert response["Location"] == incident.get_absolute_url() and incident.title == "Stop at Okhotny Ryad"


def test_the_queue_link_is_in_the_navigation_of_triagers_only_on_every_page(triager, client):
    """Also on the case page, whose own ``perms`` once hid the link."""
    from tests.factories import CaseFactory, UserFactory

    case = CaseFactory(lead=triager, title="Metro")
    other = UserFactory(username="not-a-triager")
    from tests.factories import add_member

    add_member(case, other, "lawyer", actor=triager)
    client.force_login(triager)
    for url in ("/", f"/cases/{case.pk}/"):
        assert 'href="/intake/"' in client.get(url).content.decode(), url
    client.force_login(other)
    for url in ("/", f"/cases/{case.pk}/"):
        assert 'href="/intake/"' not in client.get(url).content.decode(), url
