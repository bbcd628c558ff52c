"""No input, however malformed, gives a 5xx on the litigation endpoints; a refused request writes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.litigation.factories import make_authority, make_claim, make_request, make_task
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=300),
    st.sampled_from(["2025-02-30", "2025-12-30", "0001-01-01", "9999-12-31", "ru-152fz-access", "gdpr-access",
                     "ru-59fz-appeal-extended", "overdue", "answered", "me", "lawyer", "DE", "EU", "\x00", "-1",
                     "javascript:alert(1)", "https://example.org/x", "1e999"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                                            max_size=3), max_leaves=6)
FIELDS = ["case", "right", "basis", "relief", "proceeding", "outcome", "authority", "pinpoint", "kind", "title",
          "citation", "court", "date", "identifier", "url", "addressee", "subject", "body", "requester", "reply_to",
          "reference", "jurisdiction", "sent_on", "received_on", "reply_due", "rule", "extended", "replied_on",
          "status", "notes", "reply_evidence", "assignee", "due_date", "done"]
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=7), values)
TARGETS = ["claims", "claim", "cite", "citation", "authorities", "authority", "requests", "request", "tasks", "task"]


@pytest.fixture
def world(cast):
    claim = make_claim(cast.lawyer, cast.case)
    authority = make_authority(cast.lawyer)
    from litigation import services

    citation = services.citation_add(user=cast.lawyer, claim=claim, authority=authority, pinpoint="§ 1")
    request = make_request(cast.lawyer, cast.case, kind="ru-152fz-access", received_on=dt.date(2025, 12, 30))
    task = make_task(cast.lawyer, cast.case, assignee="researcher")
    client = APIClient()
    client.force_authenticate(cast.lawyer)
    urls = {
        "claims": ("post", f"/api/v1/cases/{cast.case.pk}/claims/"),
        "claim": ("patch", f"/api/v1/claims/{claim.pk}/"),
        "cite": ("post", f"/api/v1/claims/{claim.pk}/authorities/"),
        "citation": ("patch", f"/api/v1/claims/{claim.pk}/authorities/{citation.pk}/"),
        "authorities": ("post", "/api/v1/authorities/"),
        "authority": ("patch", f"/api/v1/authorities/{authority.pk}/"),
        "requests": ("post", "/api/v1/requests/"),
        "request": ("patch", f"/api/v1/requests/{request.pk}/"),
        "tasks": ("post", "/api/v1/tasks/"),
        "task": ("patch", f"/api/v1/tasks/{task.pk}/"),
    }
    return client, urls


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, target=st.sampled_from(TARGETS))
def test_random_json_never_gives_5xx(world, body, target):
    client, urls = world
    method, url = urls[target]
    before = history_counts()
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code < 500, (target, body, response.content[:300])
    if response.status_code >= 400:
        assert "detail" in response.json()
        assert history_counts() == before


query_values = st.one_of(st.text(max_size=30), st.sampled_from(["me", "true", "false", "1", "0", "-5", "1.5",
                                                                "99999999999999999999999", "overdue", "gdpr-access"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["case", "kind", "status", "overdue", "q", "assignee", "done",
                                                "scope", "page", "page_size", "lang"]), query_values, max_size=4),
       path=st.sampled_from(["/api/v1/requests/", "/api/v1/tasks/", "/api/v1/authorities/", "/requests/",
                             "/tasks/", "/authorities/"]))
def test_random_filters_never_give_5xx(world, params, path, client, cast):
    api_client, _urls = world
    if path.startswith("/api/"):
        response = api_client.get(path, params)
    else:
        client.force_login(cast.lawyer)
        response = client.get(path, params)
    assert response.status_code < 500, (path, params)
