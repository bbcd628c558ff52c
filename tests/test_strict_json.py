"""Strict JSON types (API.md, "Access rules": "A string field given a number, boolean, list or object is a 400").

Done once, in ``config/serializers.py``: every API serializer's string, choice, boolean, integer, float, date and
related-id field is strict about the JSON type it is given. Form and multipart bodies carry strings by nature and
are parsed as before.
"""
from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from cases.models import Case
from tests.evidence.conftest import upload
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db

NOT_STRINGS = [5, 5.5, True, False, [], ["a"], {}, {"a": "b"}]


@pytest.fixture
def world():
    lead = UserFactory(username="strict-lead")
    UserFactory(username="strict-friend")
    case = CaseFactory(lead=lead)
    incident = IncidentFactory(user=lead, cases=[case])
    unlinked = IncidentFactory(user=lead, cases=[])
    person = PersonFactory(user=lead)
    api = APIClient()
    api.force_authenticate(lead)
    return {"lead": lead, "case": case, "incident": incident, "unlinked": unlinked, "person": person, "api": api}


def _endpoints(w):
    """(method, url, a valid body, the string fields of that body)."""
    case, incident = w["case"], w["incident"]
    return [
        ("post", "/api/v1/cases/", {"title": "T", "reference": "R", "court": "C", "jurisdiction": "RU",
                                    "status": "filed", "summary": "S", "privileged_notes": "P"},
         ["title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes"]),
        ("patch", f"/api/v1/cases/{case.pk}/", {"title": "T2"}, ["title"]),
        ("post", "/api/v1/incidents/", {"title": "T", "occurred_at": "2025-01-01T10:00:00Z", "location": "L",
                                        "category": "other", "description": "D", "agency": "A",
                                        "system_involved": "S", "source_links": ["https://example.org/"]},
         ["title", "occurred_at", "location", "category", "description", "agency", "system_involved"]),
        ("post", f"/api/v1/cases/{case.pk}/proceedings/", {"stage": "first_instance", "court": "C",
                                                           "case_number": "N", "judge": "J", "outcome": "O",
                                                           "filed_on": "2024-01-01"},
         ["stage", "court", "case_number", "judge", "outcome", "filed_on"]),
        ("post", f"/api/v1/cases/{case.pk}/parties/", {"role": "claimant", "name": "N", "notes": "x"},
         ["role", "name", "notes"]),
        ("post", "/api/v1/persons/", {"pseudonym": "P", "real_name": "R", "contacts": "C", "consent_scope": "S"},
         ["pseudonym", "real_name", "contacts", "consent_scope"]),
        ("post", f"/api/v1/cases/{case.pk}/members/", {"username": "strict-friend", "role": "observer"},
         ["username", "role"]),
        ("post", f"/api/v1/incidents/{incident.pk}/persons/", {"person": w["person"].pk, "part": "affected",
                                                               "notes": "n"}, ["part", "notes"]),
        ("post", "/api/v1/deadlines/", {"case": case.pk, "title": "T", "due_date": "2026-01-01", "kind": "other",
                                        "notes": "N", "status": "open"},
         ["title", "due_date", "kind", "notes", "status"]),
        ("post", "/api/v1/deadline-rules/preview/", {"rule": "ru-cpc-appeal", "trigger_date": "2025-03-03"},
         ["rule", "trigger_date"]),
        ("post", f"/api/v1/incidents/{w['unlinked'].pk}/share/", {"username": "strict-friend"}, ["username"]),
    ]


def test_a_number_as_a_title_is_refused(world):
    before = history_counts()
    response = world["api"].post("/api/v1/cases/", {"title": 5}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["title"] == ["Expected a string, got a number."]
    assert history_counts() == before and not Case.objects.filter(title="5").exists()
    response = world["api"].post("/api/v1/cases/", {"title": 5}, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["errors"]["title"] == ["Ожидалась строка, получено: число."]
    for bad in (20250101, True, ["2025-01-01"], {"y": 2025}):  # and a date is a string too
        response = world["api"].post("/api/v1/deadlines/", {"case": world["case"].pk, "title": "T", "due_date": bad},
                                     format="json")
        assert response.status_code == 400 and "due_date" in response.json()["errors"]
    assert history_counts() == before


@pytest.mark.parametrize("bad", NOT_STRINGS, ids=repr)
def test_every_string_field_refuses_other_json_types(world, bad):
    for method, url, body, string_fields in _endpoints(world):
        with transaction.atomic():  # the body as it is is fine, so each refusal below is about the one field
            response = getattr(world["api"], method)(url, body, format="json")
            assert response.status_code < 300, (url, response.content[:300])
            transaction.set_rollback(True)
        for field in string_fields:
            before = history_counts()
            response = getattr(world["api"], method)(url, {**body, field: bad}, format="json")
            assert response.status_code == 400, (url, field, bad, response.content[:300])
            assert field in response.json()["errors"], (url, field, response.json())
            assert history_counts() == before



@pytest.mark.parametrize("bad", ["yes", "true", "on", "1", 1, 0, [], {}], ids=repr)
def test_json_booleans_are_true_or_false_only(world, bad):
    api = world["api"]
    before = history_counts()
    for method, url, body in [
        ("post", "/api/v1/persons/", {"pseudonym": "P", "consent_given": bad}),
        ("post", f"/api/v1/incidents/{world['unlinked'].pk}/share/", {"username": "strict-friend", "can_edit": bad}),
        ("put", "/api/v1/deadline-reminders/", {"lead_days": [1], "email_enabled": bad}),
    ]:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 400, (url, bad, response.content[:300])
        assert "Expected true or false" in response.json()["detail"]
    item = upload(api, case=world["case"].pk).json()["id"]
    before = history_counts()
    response = api.patch(f"/api/v1/evidence/{item}/", {"restricted": bad}, format="json")
    assert response.status_code == 400
    assert history_counts() == before


@pytest.mark.parametrize("bad", ["5", "1.0", True, [1], {"id": 1}], ids=repr)
def test_json_integers_and_ids_are_numbers_only(world, bad):
    api, case, incident = world["api"], world["case"], world["incident"]
    before = history_counts()
    for url, body in [
        ("/api/v1/deadlines/", {"case": bad, "title": "T", "due_date": "2026-01-01"}),
        ("/api/v1/incidents/", {"title": "T", "occurred_at": "2025-01-01T00:00:00Z", "cases": [bad]}),
        (f"/api/v1/cases/{case.pk}/parties/", {"role": "claimant", "person": bad}),
        (f"/api/v1/incidents/{incident.pk}/persons/", {"person": bad, "part": "affected"}),
        ("/api/v1/incidents/", {"title": "T", "occurred_at": "2025-01-01T00:00:00Z", "latitude": bad}),
    ]:
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (url, bad, response.content[:300])
    assert api.put("/api/v1/deadline-reminders/", {"lead_days": [bad]}, format="json").status_code == 400
    assert history_counts() == before


def test_form_and_multipart_bodies_carry_strings_and_stay_accepted(world):
    """A form body's values are strings: "true", "5" and dates as text are parsed as before, while the same
    strings in a JSON body are refused."""
    api, case = world["api"], world["case"]
    before = history_counts()
    assert api.post("/api/v1/persons/", {"pseudonym": "P", "consent_given": "true"}, format="json").status_code == 400
    assert api.post("/api/v1/deadlines/", {"case": str(case.pk), "title": "T", "due_date": "2026-01-01"},
                    format="json").status_code == 400
    assert api.post("/api/v1/persons/", {"pseudonym": "P", "consent_given": "maybe"},
                    format="multipart").status_code == 400
    assert history_counts() == before
    response = api.post("/api/v1/cases/", {"title": "5", "summary": "form"})  # multipart by default
    assert response.status_code == 201 and response.json()["title"] == "5"
    response = api.post("/api/v1/persons/", {"pseudonym": "Form P", "consent_given": "true"}, format="multipart")
    assert response.status_code == 201 and response.json()["consent_given"] is True
    response = api.post("/api/v1/deadlines/", {"case": str(case.pk), "title": "T", "due_date": "2026-01-01"},
                        format="multipart")
    assert response.status_code == 201, response.content
    response = api.post(f"/api/v1/incidents/{world['unlinked'].pk}/share/",
                        "username=strict-friend&can_edit=on", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 204, response.content
    item = upload(api, case=case.pk, restricted="true", title="Restricted by form")
    assert item.status_code == 201 and item.json()["restricted"] is True
    response = api.post("/api/v1/incidents/", {"title": "T", "occurred_at": "2025-01-01T00:00:00Z",
                                               "latitude": "55.5"}, format="multipart")
    assert response.status_code == 201 and response.json()["latitude"] == 55.5



def test_model_serializers_use_the_strict_fields():
    from cases.api import CaseSerializer, IncidentSerializer, PersonSerializer, ProceedingSerializer
    from config import serializers as strict

    for serializer in (CaseSerializer(), IncidentSerializer(), PersonSerializer(), ProceedingSerializer()):
        for name, field in serializer.fields.items():
            if field.read_only:
                continue
            field = getattr(field, "child", field)  # a list's items
            module = type(field).__module__
            assert module.startswith(("config.", "cases.")), (type(serializer).__name__, name, type(field))
    assert isinstance(CaseSerializer().fields["status"], strict.ChoiceField)
    assert isinstance(PersonSerializer().fields["consent_given"], strict.BooleanField)
    assert isinstance(ProceedingSerializer().fields["filed_on"], strict.DateField)
