"""No input, however malformed, gives a 5xx; a refused request changes nothing (hypothesis-generated bodies)."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rest_framework.test import APIClient

from tests.factories import CaseFactory, IncidentFactory, UserFactory
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=400),
    st.sampled_from(["2025-02-30", "2025-01-01T25:00:00Z", "NaN", "Infinity", "\x00", "ECHR", "lead", "-1", "1e999"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                            max_size=4), max_leaves=8)
FIELDS = ["title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes", "occurred_at",
          "latitude", "longitude", "category", "cases", "source_links", "username", "role", "stage", "filed_on",
          "decided_on", "pseudonym", "consent_date", "person", "part"]
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6), values)


@pytest.fixture
def world():
    lead = UserFactory(username="fuzz-lead")
    case = CaseFactory(lead=lead)
    incident = IncidentFactory(user=lead, cases=[case])
    client = APIClient()
    client.force_authenticate(lead)
    return client, case, incident


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, target=st.sampled_from(["cases", "case", "incidents", "incident", "members", "proceedings",
                                             "parties", "persons", "person_link"]))
def test_random_json_never_gives_5xx(world, body, target):
    client, case, incident = world
    method, url = {
        "cases": ("post", "/api/v1/cases/"),
        "case": ("patch", f"/api/v1/cases/{case.pk}/"),
        "incidents": ("post", "/api/v1/incidents/"),
        "incident": ("patch", f"/api/v1/incidents/{incident.pk}/"),
        "members": ("post", f"/api/v1/cases/{case.pk}/members/"),
        "proceedings": ("post", f"/api/v1/cases/{case.pk}/proceedings/"),
        "parties": ("post", f"/api/v1/cases/{case.pk}/parties/"),
        "persons": ("post", "/api/v1/persons/"),
        "person_link": ("post", f"/api/v1/incidents/{incident.pk}/persons/"),
    }[target]
    before = history_counts()
    response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (url, body, response.content[:500])
    if response.status_code >= 400:
        assert response.json()["detail"]
        assert history_counts() == before


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b"{" * 5000, b'{"title": "' + b"\xd0" + b'"}', b""])
def test_undecodable_bodies_are_400(world, raw):
    client, case, _ = world
    response = client.generic("POST", "/api/v1/cases/", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_query_strings_never_give_5xx(world):
    client, case, _ = world
    for url in ["/api/v1/cases/?page=-1", "/api/v1/cases/?page_size=abc", "/api/v1/cases/?status=%00",
                "/api/v1/incidents/?occurred_from=2025-13-01", "/api/v1/incidents/?case=abc",
                "/api/v1/incidents/?occurred_to=yesterday", "/api/v1/cases/?jurisdiction=%FF"]:
        assert client.get(url).status_code < 500, url
