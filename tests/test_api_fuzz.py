"""No input, however malformed, gives a 5xx; a refused request changes nothing (hypothesis-generated bodies).

The shapes that used to give a 5xx are thrown at every write and list endpoint: ids beyond 2**63-1, dates like
9999-12-31 and 0001-01-01, 1e308, NaN and Infinity, NUL bytes, very long strings, deeply nested JSON, and JSON
values of every type where a string is expected.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, example, given, settings, strategies as st
from rest_framework.test import APIClient

from cases import services as case_services
from deadlines import services as deadline_services
from tests.evidence.conftest import upload
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db

HUGE = [2**63 - 1, 2**63, 2**64, 2**70, 10**25, -(2**63), -(2**70)]
HOSTILE_STRINGS = [
    "2025-02-30", "2025-01-01T25:00:00Z", "NaN", "Infinity", "-Infinity", "nan", "inf", "\x00", "a\x00b", "ECHR",
    "lead", "-1", "0", "1e999", "1e308", "-1e308", "9999-12-31", "0001-01-01", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+05:00", "1899-12-31", "2201-01-01", "2025-06-01", str(2**70), "0" * 30 + "1", "1" * 25,
    "yes", "on", "true", "x" * 100_000, "ru-cpc-appeal", "affected", "first_instance", "claimant", "observer",
    "fuzz-lead", "https://example.org/" + "a" * 3000,
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from(HUGE),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1e308, -1e308, 5e-324, 90.0000001]),
    st.text(max_size=400), st.sampled_from(HOSTILE_STRINGS),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                            max_size=4), max_leaves=8)
FIELDS = ["title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes", "occurred_at",
          "latitude", "longitude", "category", "cases", "source_links", "username", "role", "stage", "filed_on",
          "hearing_on", "decided_on", "pseudonym", "real_name", "contacts", "consent_given", "consent_date", "person",
          "part", "notes", "name", "case", "incident", "due_date", "due_time", "trigger_date", "rule", "kind",
          "responsible", "proceeding", "can_edit", "restricted", "obtained_at", "description", "lead_days",
          "email_enabled", "agency", "location", "outcome", "judge", "case_number", "version"]
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6), values)
deep = st.integers(min_value=33, max_value=6000).flatmap(
    lambda n: st.sampled_from([b"[" * n + b"]" * n, b'{"a":' * n + b"1" + b"}" * n, b"[" * n])
)

QUERY_PARAMS = ["page", "page_size", "case", "incident", "q", "status", "category", "occurred_from", "occurred_to",
                "trashed", "type", "date_from", "date_to", "jurisdiction", "exhibit", "incidents", "from", "to",
                "location", "lang", "rule", "trigger_date"]
query_values = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.sampled_from([str(n) for n in HUGE]),
                         st.text(max_size=60), st.integers(min_value=-5, max_value=5).map(str))
queries = st.dictionaries(st.sampled_from(QUERY_PARAMS), query_values, max_size=4)


@pytest.fixture
def world():
    lead = UserFactory(username="fuzz-lead")
    UserFactory(username="fuzz-friend")
    case = CaseFactory(lead=lead)
    incident = IncidentFactory(user=lead, cases=[case])
    unlinked = IncidentFactory(user=lead, cases=[])
    person = PersonFactory(user=lead)
    proceeding = case_services.proceeding_create(user=lead, case=case, stage="first_instance")
    deadline = deadline_services.deadline_create(user=lead, case=case, title="Appeal", due_date="2026-03-02")
    client = APIClient()
    client.force_authenticate(lead)
    item = upload(client, case=case.pk).json()["id"]
    page = Client()
    page.force_login(lead)
    return {"client": client, "page": page, "case": case, "incident": incident, "unlinked": unlinked,
            "person": person, "proceeding": proceeding, "deadline": deadline, "item": item}


def write_targets(w) -> dict[str, tuple[str, str]]:
    case, incident = w["case"], w["incident"]
    return {
        "cases": ("post", "/api/v1/cases/"),
        "case": ("patch", f"/api/v1/cases/{case.pk}/"),
        "incidents": ("post", "/api/v1/incidents/"),
        "incident": ("patch", f"/api/v1/incidents/{incident.pk}/"),
        "members": ("post", f"/api/v1/cases/{case.pk}/members/"),
        "proceedings": ("post", f"/api/v1/cases/{case.pk}/proceedings/"),
        "proceeding": ("patch", f"/api/v1/proceedings/{w['proceeding'].pk}/"),
        "parties": ("post", f"/api/v1/cases/{case.pk}/parties/"),
        "persons": ("post", "/api/v1/persons/"),
        "person": ("patch", f"/api/v1/persons/{w['person'].pk}/"),
        "person_link": ("post", f"/api/v1/incidents/{incident.pk}/persons/"),
        "share": ("post", f"/api/v1/incidents/{w['unlinked'].pk}/share/"),
        "unshare": ("delete", f"/api/v1/incidents/{w['unlinked'].pk}/share/"),
        "deadlines": ("post", "/api/v1/deadlines/"),
        "deadline": ("patch", f"/api/v1/deadlines/{w['deadline'].pk}/"),
        "preview": ("post", "/api/v1/deadline-rules/preview/"),
        "reminders": ("put", "/api/v1/deadline-reminders/"),
        "evidence": ("patch", f"/api/v1/evidence/{w['item']}/"),
        "link": ("post", f"/api/v1/evidence/{w['item']}/link/"),
        "unlink": ("post", f"/api/v1/evidence/{w['item']}/unlink/"),
        "upload": ("post", "/api/v1/evidence/"),
    }


TARGETS = ["cases", "case", "incidents", "incident", "members", "proceedings", "proceeding", "parties", "persons",
           "person", "person_link", "share", "unshare", "deadlines", "deadline", "preview", "reminders", "evidence",
           "link", "unlink", "upload"]


def _send(client, method, url, raw: bytes):
    with transaction.atomic():  # each example starts from the same world
        response = client.generic(method.upper(), url, raw, content_type="application/json")
        transaction.set_rollback(True)
    return response


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(body=bodies, target=st.sampled_from(TARGETS))
@example(body={"title": "t", "occurred_at": "2025-01-01T00:00:00Z", "latitude": 1e308}, target="incidents")
@example(body={"longitude": -1e308}, target="incident")
@example(body={"title": "t", "occurred_at": "2025-01-01T00:00:00Z", "cases": [2**70]}, target="incidents")
def test_random_json_never_gives_5xx(world, body, target):
    method, url = write_targets(world)[target]
    before = history_counts()
    with transaction.atomic():
        response = getattr(world["client"], method)(url, data=json.dumps(body), content_type="application/json")
        refused = response.status_code >= 400
        if refused:
            assert history_counts() == before, (url, body)
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, body, response.content[:500])
    if refused:
        assert response.json()["detail"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=deep, target=st.sampled_from(TARGETS))
def test_deep_json_is_400_everywhere(world, raw, target):
    method, url = write_targets(world)[target]
    before = history_counts()
    response = _send(world["client"], method, url, raw)
    assert response.status_code == 400, (url, raw[:20], response.content[:300])
    assert response.json()["detail"]
    assert history_counts() == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=st.sampled_from(HUGE + [1e308, -1e308]), target=st.sampled_from(TARGETS))
@example(field="latitude", value=1e308, target="incident")
def test_huge_numbers_in_any_field_are_refused_cleanly(world, field, value, target):
    method, url = write_targets(world)[target]
    before = history_counts()
    with transaction.atomic():
        response = getattr(world["client"], method)(url, data=json.dumps({field: value}),
                                                    content_type="application/json")
        if response.status_code >= 400:
            assert history_counts() == before
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, field, value, response.content[:300])


def list_targets(w) -> list[tuple[str, str]]:
    case, incident = w["case"], w["incident"]
    return [
        ("api", "/api/v1/cases/"), ("api", "/api/v1/incidents/"), ("api", "/api/v1/persons/"),
        ("api", "/api/v1/evidence/"), ("api", "/api/v1/deadlines/"), ("api", "/api/v1/search/"),
        ("api", "/api/v1/trash/"), ("api", "/api/v1/deadline-rules/preview/"),
        ("api", f"/api/v1/cases/{case.pk}/members/"), ("api", f"/api/v1/cases/{case.pk}/history/"),
        ("api", f"/api/v1/incidents/{incident.pk}/history/"), ("api", f"/api/v1/evidence/{w['item']}/custody/"),
        ("api", f"/api/v1/cases/{case.pk}/documents/incident-dossier.docx"),
        ("api", f"/api/v1/cases/{case.pk}/documents/custody-report.docx"),
        ("page", "/cases/"), ("page", "/incidents/"), ("page", "/search/"), ("page", "/deadlines/"),
        ("page", "/trash/"), ("page", f"/cases/{case.pk}/documents/dossier/"), ("page", "/evidence/upload/"),
        ("page", "/deadlines/new/"), ("page", "/incidents/new/"), ("page", "/persons/new/"),
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(params=queries, index=st.integers(min_value=0, max_value=23))
@example(params={"incidents": "1" * 25}, index=12)
@example(params={"incidents": str(2**70)}, index=19)
def test_random_query_strings_never_give_5xx(world, params, index):
    kind, path = list_targets(world)[index]
    client = world["client"] if kind == "api" else world["page"]
    url = f"{path}?{urlencode(params)}"
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    assert response.status_code < 500, (url[:300], response.content[:300])
    if kind == "api" and response.status_code >= 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b"{" * 5000, b'{"title": "' + b"\xd0" + b'"}', b"",
                                 b"[" * 5000 + b"]" * 5000, b'{"title": NaN}', b'{"title": Infinity}'])
def test_undecodable_bodies_are_400(world, raw):
    response = world["client"].generic("POST", "/api/v1/cases/", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_query_strings_never_give_5xx(world):
    client = world["client"]
    for url in ["/api/v1/cases/?page=-1", "/api/v1/cases/?page_size=abc", "/api/v1/cases/?status=%00",
                "/api/v1/incidents/?occurred_from=2025-13-01", "/api/v1/incidents/?case=abc",
                "/api/v1/incidents/?occurred_to=yesterday", "/api/v1/cases/?jurisdiction=%FF",
                f"/api/v1/incidents/?case={2**70}", f"/api/v1/evidence/?case={2**70}",
                f"/api/v1/cases/{world['case'].pk}/documents/incident-dossier.docx?incidents={10**24}"]:
        assert client.get(url).status_code < 500, url
