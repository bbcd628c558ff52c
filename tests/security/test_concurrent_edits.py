"""Concurrent edits: a PATCH with a stale ``version`` is a 409 and changes nothing; the edit pages show the other
person's change instead of overwriting it."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    lead = UserFactory(username="lead")
    lawyer = UserFactory(username="lawyer")
    case = CaseFactory(lead=lead, title="Metro cameras", summary="Original summary")
    add_member(case, lawyer, "lawyer")
    return lead, lawyer, case


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_two_clients_saving_the_same_case_one_409_nothing_lost(two):
    lead, lawyer, case = two
    a, b = api(lead), api(lawyer)
    version = a.get(f"/api/v1/cases/{case.pk}/").json()["version"]
    assert b.get(f"/api/v1/cases/{case.pk}/").json()["version"] == version
    first = a.patch(f"/api/v1/cases/{case.pk}/", {"summary": "Lead's summary", "version": version}, format="json")
    assert first.status_code == 200 and first.json()["version"] == version + 1
    history = case.history.count()
    second = b.patch(f"/api/v1/cases/{case.pk}/", {"court": "Lawyer's court", "summary": "Lawyer's summary",
                                                    "version": version}, format="json")
    assert second.status_code == 409, second.content
    assert second.json()["current_version"] == version + 1 and "detail" in second.json()
    case.refresh_from_db()
    assert case.summary == "Lead's summary" and case.court != "Lawyer's court" and case.version == version + 1
    assert case.history.count() == history
    again = b.patch(f"/api/v1/cases/{case.pk}/", {"court": "Lawyer's court", "version": version + 1}, format="json")
    assert again.status_code == 200
    case.refresh_from_db()
    assert case.summary == "Lead's summary" and case.court == "Lawyer's court"


def test_a_patch_without_version_is_applied_and_keeps_fields_it_does_not_send(two):
    lead, lawyer, case = two
    assert api(lead).patch(f"/api/v1/cases/{case.pk}/", {"summary": "New"}, format="json").status_code == 200
    assert api(lawyer).patch(f"/api/v1/cases/{case.pk}/", {"court": "Court"}, format="json").status_code == 200
    case.refresh_from_db()
    assert (case.summary, case.court) == ("New", "Court")


@pytest.mark.parametrize("kind", ["incident", "person", "deadline"])
def test_incidents_persons_and_deadlines_carry_versions_too(two, kind):
    lead, lawyer, case = two
    if kind == "incident":
        obj, path, change = IncidentFactory(user=lead, cases=[case]), "/api/v1/incidents/{}/", {"location": "X"}
    elif kind == "person":
        obj, path, change = PersonFactory(user=lead), "/api/v1/persons/{}/", {"contacts": "Signal"}
    else:
        from deadlines import services

        obj = services.deadline_create(user=lead, case=case, title="Appeal", due_date=dt.date(2030, 1, 10))
        path, change = "/api/v1/deadlines/{}/", {"notes": "Call the court"}
    url = path.format(obj.pk)
    version = api(lead).get(url).json()["version"]
    assert api(lead).patch(url, {**change, "version": version}, format="json").status_code == 200
    stale = api(lead).patch(url, {**change, "version": version}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == version + 1


def test_the_edit_page_shows_the_other_change_instead_of_overwriting_it(two):
    lead, lawyer, case = two
    pages = {}
    for user in (lead, lawyer):
        pages[user.username] = Client()
        pages[user.username].force_login(user)
    form = pages["lawyer"].get(f"/cases/{case.pk}/edit/").content.decode()
    assert f'name="version" value="{case.version}"' in form
    fields = {"title": case.title, "reference": case.reference, "court": case.court, "jurisdiction": "RU",
              "status": "preparing", "summary": case.summary, "privileged_notes": "", "version": case.version}
    assert pages["lead"].post(f"/cases/{case.pk}/edit/", {**fields, "summary": "Lead's summary"}).status_code == 302
    conflict = pages["lawyer"].post(f"/cases/{case.pk}/edit/", {**fields, "summary": "Lawyer's summary"})
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Lead&#x27;s summary" in html and "Lawyer&#x27;s summary" in html and "Someone else saved" in html
    assert f'name="version" value="{case.version + 1}"' in html  # saving again is a deliberate choice
    assert Case.objects.get(pk=case.pk).summary == "Lead's summary"
