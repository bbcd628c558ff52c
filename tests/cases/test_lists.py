"""The case, incident and person lists: sortable columns (a whitelist, ties broken by id), page numbers, the case
search over the fields the global search reads, and bulk actions on incidents (through the services, one incident
at a time, all or nothing, the link rule applied to each)."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases import services
from cases.models import Incident
from cases.services_bulk import BulkRefused, incident_bulk
from tests.factories import CaseFactory, IncidentFactory, UserFactory, add_member
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def row_titles(page: str) -> list[str]:
    """The titles in the list's first column, in order."""
    return re.findall(r'<td class="primary"[^>]*><a href="[^"]*">([^<]*)</a>', page)


@pytest.fixture
def lead():
    return UserFactory(username="lead")


# --- Sorting ---------------------------------------------------------------------------------------------------
def test_case_list_sorts_by_whitelisted_columns_with_ties_by_id(lead):
    for title, court in [("Bravo", "Court X"), ("Alpha", "Court Y"), ("Charlie", "Court X"), ("Delta", "Court X")]:
        CaseFactory(lead=lead, title=title, court=court)
    c = client(lead)
    assert row_titles(c.get("/cases/?sort=title").content.decode()) == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert row_titles(c.get("/cases/?sort=-title").content.decode()) == ["Delta", "Charlie", "Bravo", "Alpha"]
    # Equal courts keep the order of their ids, both ways.
    assert row_titles(c.get("/cases/?sort=court").content.decode()) == ["Bravo", "Charlie", "Delta", "Alpha"]
    assert row_titles(c.get("/cases/?sort=-court").content.decode()) == ["Alpha", "Delta", "Charlie", "Bravo"]
    default = row_titles(c.get("/cases/").content.decode())
    for bad in ("privileged_notes", "-summary", "title;drop", "created_by__password"):
        page = c.get(f"/cases/?sort={bad}")
        assert page.status_code == 200 and row_titles(page.content.decode()) == default, bad
    page = c.get("/cases/?sort=title").content.decode()
    assert 'aria-sort="ascending"' in page and 'href="?sort=-title"' in page  # the header flips the order


def test_api_sorts_and_refuses_an_unknown_key(lead):
    for title in ("Bravo", "Alpha"):
        CaseFactory(lead=lead, title=title)
        IncidentFactory(user=lead, title=f"Stop {title}")
    api = APIClient()
    api.force_authenticate(lead)
    assert [c["title"] for c in api.get("/api/v1/cases/?sort=title").json()["results"]] == ["Alpha", "Bravo"]
    assert [i["title"] for i in api.get("/api/v1/incidents/?sort=-title").json()["results"]] == ["Stop Bravo",
                                                                                                  "Stop Alpha"]
    response = api.get("/api/v1/cases/?sort=privileged_notes")
    assert response.status_code == 400 and "sort" in response.json()["errors"]


def test_sorting_keeps_filters_and_goes_back_to_page_one(lead):
    CaseFactory(lead=lead, title="Alpha", status="filed")
    page = client(lead).get("/cases/?status=filed&page=1&sort=title").content.decode()
    hrefs = re.findall(r'<a class="sort" href="([^"]*)"', page)
    assert hrefs and all("status=filed" in h and "page=" not in h for h in hrefs)


# --- Page numbers ----------------------------------------------------------------------------------------------
def render_nav(number: int, pages: int, query: str = "sort=title") -> str:
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    page = Paginator(range(pages * 25), 25).get_page(number)
    return render_to_string("cases/_pagination.html", {"page": page},
                            request=RequestFactory().get(f"/cases/?page={number}&{query}"))


def test_page_numbers_first_last_current_and_a_few_around():
    nav = render_nav(6, 12)
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', nav)
    assert numbers == ["1", "4", "5", "6", "7", "8", "12"]
    assert nav.count("…") == 2
    assert 'aria-current="page" href="?page=6&amp;sort=title"' in nav
    assert 'rel="prev" href="?page=5&amp;sort=title"' in nav and 'rel="next" href="?page=7&amp;sort=title"' in nav
    assert 'href="?sort=title"><span class="visually-hidden">Page </span>1<' in nav  # page 1 has no number
    first = render_nav(1, 3)
    assert re.findall(r'Page </span>(\d+)</a>', first) == ["1", "2", "3"] and 'rel="prev"' not in first
    assert "…" not in first and 'rel="next"' in first
    assert render_nav(1, 1) .strip() == ""  # one page: no navigation


def test_list_pages_show_page_numbers(lead):
    for i in range(26):
        IncidentFactory(user=lead, title=f"Stop {i:02d}")
    c = client(lead)
    page = c.get("/incidents/?sort=title").content.decode()
    assert "Page 1 of 2" in page and 'href="?sort=title&amp;page=2"' in page and "Stop 25" not in page
    assert "Stop 25" in c.get("/incidents/?sort=title&page=2").content.decode()


# --- Case search -----------------------------------------------------------------------------------------------
def test_case_search_covers_summary_and_proceedings(lead):
    target = CaseFactory(lead=lead, title="Target", summary="Камеры в метро")
    other = CaseFactory(lead=lead, title="Other", summary="Nothing")
    services.proceeding_create(user=lead, case=target, stage="appeal", court="Moscow City Court",
                               case_number="33-4471/2026", judge="Judge Ivanova")
    services.case_update(user=lead, case=other, data={"privileged_notes": "33-4471 secret strategy"})
    hidden = CaseFactory(title="Hidden")  # someone else's
    services.proceeding_create(user=hidden.created_by, case=hidden, stage="appeal", case_number="33-4471/2026")
    for q in ("33-4471", "ivanova", "City Court", "метро", "Target"):
        assert row_titles(client(lead).get("/cases/", {"q": q}).content.decode()) == ["Target"], q
    api = APIClient()
    api.force_authenticate(lead)
    assert [c["id"] for c in api.get("/api/v1/cases/", {"q": "33-4471"}).json()["results"]] == [target.pk]


# --- Bulk actions ----------------------------------------------------------------------------------------------
@pytest.fixture
def bulk_world(lead):
    case_a = CaseFactory(lead=lead, title="Case A")
    case_b = CaseFactory(lead=lead, title="Case B")
    researcher = UserFactory(username="researcher")
    add_member(case_a, researcher, "researcher")
    add_member(case_b, researcher, "researcher")
    in_a = [IncidentFactory(user=lead, cases=[case_a], title=f"Linked stop {i}") for i in range(3)]
    own = IncidentFactory(user=researcher, title="Researcher's own stop")
    return {"lead": lead, "researcher": researcher, "a": case_a, "b": case_b, "in_a": in_a, "own": own}


def test_bulk_link_set_category_and_trash_as_lead(bulk_world):
    w = bulk_world
    ids = [i.pk for i in w["in_a"]]
    assert incident_bulk(user=w["lead"], ids=ids, action="link", case=w["b"].pk) == 3
    assert all(set(i.cases.values_list("pk", flat=True)) == {w["a"].pk, w["b"].pk} for i in w["in_a"])
    assert incident_bulk(user=w["lead"], ids=ids, action="category", category="detention") == 3
    assert set(Incident.objects.filter(pk__in=ids).values_list("category", flat=True)) == {"detention"}
    # Each change is in the incident's history with the author.
    for incident in w["in_a"]:
        assert incident.history.latest("history_date").history_user == w["lead"]
    assert incident_bulk(user=w["lead"], ids=ids, action="trash") == 3
    assert Incident.objects.filter(pk__in=ids, deleted_at__isnull=False).count() == 3


def test_bulk_link_refused_for_one_changes_nothing_and_names_it(bulk_world):
    """The researcher may link their own unlinked incident, but not one of case A's (only a lead of case A may
    move it elsewhere): the whole batch is refused, naming that incident, and nothing changes."""
    w = bulk_world
    before = history_counts()
    with pytest.raises(BulkRefused) as refused:
        incident_bulk(user=w["researcher"], ids=[w["own"].pk, w["in_a"][1].pk], action="link", case=w["b"].pk)
    assert refused.value.status == 403 and refused.value.incident_id == w["in_a"][1].pk
    assert "Linked stop 1" in refused.value.message and "Nothing was changed" in refused.value.message
    assert history_counts() == before
    assert not w["own"].cases.exists()
    # Alone, the researcher's own incident may be linked (its owner moves it).
    assert incident_bulk(user=w["researcher"], ids=[w["own"].pk], action="link", case=w["b"].pk) == 1
    # The category of case A's incidents is theirs to set (they edit incidents there).
    assert incident_bulk(user=w["researcher"], ids=[i.pk for i in w["in_a"]], action="category",
                         category="other") == 3


def test_bulk_hidden_and_bad_input(bulk_world):
    w = bulk_world
    outsider = UserFactory(username="outsider")
    with pytest.raises(BulkRefused) as hidden:
        incident_bulk(user=outsider, ids=[w["in_a"][0].pk], action="trash")
    with pytest.raises(BulkRefused) as missing:
        incident_bulk(user=outsider, ids=[99999999], action="trash")
    assert hidden.value.status == missing.value.status == 404
    assert hidden.value.message.replace(str(w["in_a"][0].pk), "N") == missing.value.message.replace("99999999", "N")
    for kwargs in ({"ids": [], "action": "trash"}, {"ids": ["x"], "action": "trash"},
                   {"ids": [w["own"].pk], "action": "explode"},
                   {"ids": [w["own"].pk], "action": "category", "category": "nope"},
                   {"ids": [w["own"].pk], "action": "link", "case": None},
                   {"ids": [w["own"].pk], "action": "link", "case": CaseFactory(title="Not theirs").pk}):
        with pytest.raises(BulkRefused) as bad:
            incident_bulk(user=w["researcher"], **kwargs)
        assert bad.value.status == 400, kwargs


def test_bulk_page_keeps_the_ticks_and_says_who_was_refused(bulk_world):
    w = bulk_world
    c = client(w["researcher"])
    response = c.post("/incidents/?category=wrongful_stop", {
        "ids": [w["own"].pk, w["in_a"][2].pk], "bulk_action": "link", "bulk_case": w["b"].pk})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Nothing was changed" in page and "Linked stop 2" in page
    assert f'value="{w["own"].pk}" id="pick-{w["own"].pk}" checked' in page
    response = c.post("/incidents/?category=wrongful_stop", {
        "ids": [w["in_a"][0].pk], "bulk_action": "category", "bulk_category": "data_leak"})
    assert response.status_code == 302 and response["Location"] == "/incidents/?category=wrongful_stop"
    assert "1 incident recategorised." in c.get(response["Location"]).content.decode()


def test_incident_list_offers_a_slot_for_more_actions_with_the_filters(lead, settings, tmp_path):
    """Another app (export) adds its button by providing incidents/_list_actions.html; it gets the filters."""
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "_list_actions.html").write_text(
        '<a class="btn" id="export" href="/export.csv?{{ query }}">Export</a>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    IncidentFactory(user=lead, category="detention")
    page = client(lead).get("/incidents/?category=detention&sort=title&page=1").content.decode()
    assert 'id="export" href="/export.csv?category=detention&amp;sort=title"' in page


def test_incident_filter_is_reusable_by_other_lists(lead):
    """The filter set other pages (export, statistics, map) use: the same rules as the list, hidden cases included."""
    from cases.filters import IncidentFilter

    mine = IncidentFactory(user=lead, category="detention", title="Mine")
    IncidentFactory(user=lead, category="other")
    hidden_case = CaseFactory(title="Not mine")
    IncidentFactory(user=hidden_case.created_by, cases=[hidden_case], category="detention")
    assert list(IncidentFilter({"category": "detention"}, user=lead).qs) == [mine]
    hidden = IncidentFilter({"case": str(hidden_case.pk)}, user=lead)
    missing = IncidentFilter({"case": "99999999"}, user=lead)
    assert hidden.is_valid() and missing.is_valid() and not hidden.qs.exists() and not missing.qs.exists()
    assert not IncidentFilter({"sort": "description"}, user=lead).is_valid()
