"""Every list page runs the same number of SQL queries at 5 and at 50 rows (no per-row queries)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Role
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def build(n: int) -> dict:
    """``n`` cases, each with an incident, a party, a proceeding; ``n`` trashed cases and incidents;
    one case with ``n`` of everything; an observer and a lead as viewers."""
    lead = UserFactory(username=f"lead{n}")
    observer = UserFactory(username=f"observer{n}")
    big = CaseFactory(lead=lead, title="Big case")
    add_member(big, observer, Role.OBSERVER)
    big_incident = IncidentFactory(user=lead, cases=[big], title="Big incident")
    for i in range(n):
        case = CaseFactory(lead=lead, title=f"Case {i}")
        add_member(case, observer, Role.OBSERVER)
        IncidentFactory(user=lead, cases=[case, big], title=f"Incident {i}")
        person = PersonFactory(user=lead, pseudonym=f"Person {i}")
        services.party_create(user=lead, case=big, role="claimant", person=person)
        services.proceeding_create(user=lead, case=big, stage="appeal", court=f"Court {i}")
        services.incident_person_add(user=lead, incident=big_incident, person=person, part="witness")
        member = UserFactory(username=f"member{n}-{i}")
        add_member(big, member, Role.RESEARCHER)
        services.case_trash(user=lead, case=CaseFactory(lead=lead, title=f"Trashed {i}"))
        services.incident_trash(user=lead, incident=IncidentFactory(user=lead, title=f"Trashed incident {i}"))
    return {"lead": lead, "observer": observer, "big": big, "big_incident": big_incident}


def count(user, url: str) -> int:
    client = Client()
    client.force_login(user)
    client.get(url)  # warm caches (sessions, content types) so only the page's own queries are counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = [
    ("dashboard", lambda w: "/"),
    ("case list", lambda w: "/cases/"),
    ("case list page 2", lambda w: "/cases/?page=2"),
    ("case list filtered", lambda w: "/cases/?q=case&status=preparing&jurisdiction=RU"),
    ("incident list", lambda w: "/incidents/"),
    ("incident list filtered", lambda w: f"/incidents/?q=incident&category=wrongful_stop&case={w['big'].pk}"
                                         "&occurred_from=2000-01-01&occurred_to=2100-01-01"),
    ("trash", lambda w: "/trash/"),
    ("case page", lambda w: f"/cases/{w['big'].pk}/"),
    ("case members", lambda w: f"/cases/{w['big'].pk}/members/"),
    ("incident page", lambda w: f"/incidents/{w['big_incident'].pk}/"),
]


@pytest.mark.parametrize("viewer", ["lead", "observer"])
def test_list_pages_run_constant_queries(viewer):
    small = build(5)
    large = build(50)
    results = {}
    for name, url in PAGES:
        if name == "case members" and viewer == "observer":
            continue
        results[name] = (count(small[viewer], url(small)), count(large[viewer], url(large)))
    varying = {name: counts for name, counts in results.items() if counts[0] != counts[1]}
    assert not varying, f"query count grows with rows (5 rows, 50 rows): {varying}"
    # And the pages are not wasteful in absolute terms either.
    assert max(c for pair in results.values() for c in pair) <= 30, results


def test_large_lists_are_paginated_by_25():
    world = build(50)
    client = Client()
    client.force_login(world["lead"])
    page = client.get("/cases/").content.decode()
    assert page.count('<tr>') - 1 == 25  # header row + 25 rows
    assert "Page 1 of 3" in page  # 50 cases + the big case = 51
    assert "Page 3 of 3" in client.get("/cases/?page=3").content.decode()
    assert "Page 3 of 3" in client.get("/cases/?page=999").content.decode()
    assert "Page 1 of 3" in client.get("/cases/?page=zero").content.decode()


# --- The lists at 10 and at 1,000 rows (issue 15: sortable columns, page numbers, persons, bulk-action form) ----
def build_rows(n: int) -> dict:
    """``n`` cases (the lead's), ``n`` incidents in one shared case and ``n`` persons (each in one incident and a
    party to the shared case), all through the services; an observer of the shared case."""
    lead = UserFactory(username=f"rows-lead{n}")
    observer = UserFactory(username=f"rows-observer{n}")
    hub = CaseFactory(lead=lead, title="Hub case")
    add_member(hub, observer, Role.OBSERVER)
    for i in range(n):
        CaseFactory(lead=lead, title=f"Row case {i}", reference=f"R-{n}-{i}")
        incident = IncidentFactory(user=lead, cases=[hub], title=f"Row incident {i}")
        person = PersonFactory(user=lead, pseudonym=f"Row person {i}")
        services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
        services.party_create(user=lead, case=hub, role="claimant", person=person)
    return {"lead": lead, "observer": observer, "hub": hub}


LIST_PAGES = [
    ("case list", lambda w: "/cases/"),
    ("case list sorted", lambda w: "/cases/?sort=-title"),
    ("case list searched", lambda w: "/cases/?q=row&sort=court"),
    ("incident list", lambda w: "/incidents/"),
    ("incident list sorted, filtered", lambda w: f"/incidents/?sort=title&case={w['hub'].pk}&q=row"),
    ("persons", lambda w: "/persons/"),
    ("persons sorted, searched", lambda w: "/persons/?q=row&sort=-recorded"),
]


@pytest.mark.slow
def test_list_pages_same_queries_at_10_and_1000_rows():
    small, large = build_rows(10), build_rows(1000)
    for viewer in ("lead", "observer"):
        results = {name: (count(small[viewer], url(small)), count(large[viewer], url(large)))
                   for name, url in LIST_PAGES}
        varying = {name: counts for name, counts in results.items() if counts[0] != counts[1]}
        assert not varying, f"{viewer}: query count grows with rows (10 rows, 1,000 rows): {varying}"
        assert max(c for pair in results.values() for c in pair) <= 30, (viewer, results)
    client = Client()
    client.force_login(large["observer"])
    page = client.get("/persons/?sort=pseudonym&page=40").content.decode()
    assert "Page 40 of 40" in page and "Row person 999" in page  # 1,000 persons, 25 a page
    assert "Page 40 of 40" in client.get("/incidents/?page=40").content.decode()
