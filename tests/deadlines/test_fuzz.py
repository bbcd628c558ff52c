"""No input to the deadline endpoints, however malformed, gives a 5xx; a refused write changes nothing."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from deadlines import services
from deadlines.models import Deadline

pytestmark = pytest.mark.django_db

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=200),
    st.sampled_from(["2025-02-30", "2025-01-31", "0001-01-01", "9999-12-31", "25:00", "10:30", "\x00", "nope",
                     "ru-cpc-appeal", "echr-application", "open", "done", "missed", "lead", "appeal", "1e999"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                            max_size=3), max_leaves=6)
FIELDS = ["case", "title", "kind", "due_date", "due_time", "rule", "trigger_date", "status", "responsible",
          "proceeding", "notes", "explanation"]
bodies = st.one_of(st.dictionaries(st.sampled_from(FIELDS), values, max_size=7), values)


def counts():
    return Deadline.objects.count(), Deadline.history.count()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, target=st.sampled_from(["create", "patch", "preview"]))
def test_random_json_never_gives_5xx(cast, api, body, target):
    existing = Deadline.objects.filter(title="fuzz-anchor").first() or services.deadline_create(
        user=cast.lead, case=cast.case, title="fuzz-anchor", rule="ru-cpc-appeal", trigger_date="2025-03-14")
    if target == "create" and isinstance(body, dict):
        body.setdefault("case", cast.case.pk)
    url, method = {
        "create": ("/api/v1/deadlines/", "post"),
        "patch": (f"/api/v1/deadlines/{existing.pk}/", "patch"),
        "preview": ("/api/v1/deadline-rules/preview/", "post"),
    }[target]
    before = counts()
    r = getattr(api(cast.lead), method)(url, data=json.dumps(body), content_type="application/json")
    assert r.status_code < 500, (url, body, r.content[:300])
    if r.status_code >= 400:
        assert r.json()["detail"]
        assert counts() == before


@pytest.mark.parametrize("url", [
    "/api/v1/deadlines/?status=%00", "/api/v1/deadlines/?case=%00", "/api/v1/deadlines/?case=1e5",
    "/api/v1/deadlines/?page=-1", "/api/v1/deadlines/?page_size=abc", "/api/v1/deadlines/99999999999999999999/",
    "/api/v1/deadline-rules/preview/?rule=%00&trigger_date=2025-01-01",
    "/api/v1/deadline-rules/preview/?rule=ru-cpc-appeal&trigger_date=%00",
    "/deadlines/new/?case=%00", "/deadlines/new/?case=99999999999999999999999", "/deadlines/month/0000/01/",
    "/deadlines/calendar/%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00/" + "0" * 64 + ".ics",
])
def test_query_strings_and_paths_never_give_5xx(cast, api, client, url):
    client.force_login(cast.lead)
    assert api(cast.lead).get(url).status_code < 500, url
    assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b"{" * 5000, b""])
def test_undecodable_bodies_are_400(cast, api, raw):
    r = api(cast.lead).generic("POST", "/api/v1/deadlines/", raw, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"]
