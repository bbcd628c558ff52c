"""API.md's Search section, exactly: GET /api/v1/search/?q=…[&type=…] → {"count", "results": [{type, id, title,
snippet}]}; the query language, filters, pagination, and no 5xx for any input."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from cases import services
from tests.factories import CaseFactory, IncidentFactory, UserFactory
from tests.search.conftest import api_for, api_search, found, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(search_backend):
    lead = UserFactory(username="lead")
    filed = CaseFactory(lead=lead, title="Камеры распознавания лиц в метро", summary="Иск о камерах", status="filed")
    closed = CaseFactory(lead=lead, title="Утечка базы данных", summary="Продажа доступа к камерам",
                         status="closed")
    stop = IncidentFactory(
        user=lead, cases=[filed], title="Задержание на станции", category="wrongful_stop",
        description="Камера ошибочно опознала пассажира", occurred_at=timezone.make_aware(dt.datetime(2024, 3, 5)),
    )
    leak = IncidentFactory(
        user=lead, cases=[closed], title="Утечка фотографий", category="data_leak",
        description="Снимки с камер продавались в Telegram", occurred_at=timezone.make_aware(dt.datetime(2025, 1, 9)),
    )
    item = upload_evidence(lead, "Камерами зафиксировано лицо заявителя.\n".encode(), "note.txt", case=filed.pk,
                           title="Справка")
    return {"lead": lead, "filed": filed, "closed": closed, "stop": stop, "leak": leak, "item": item}


def test_response_shape(data):
    body = api_search(data["lead"], q="камера")
    assert set(body) >= {"count", "results"}
    assert body["count"] == len(body["results"]) == 5
    for result in body["results"]:
        assert set(result) >= {"type", "id", "title", "snippet"}
        assert result["type"] in ("case", "incident", "evidence", "person")
        assert isinstance(result["id"], int)
    titles = {r["title"] for r in body["results"]}
    assert "Справка" in titles and "Задержание на станции" in titles


@pytest.mark.parametrize("type_", ["case", "incident", "evidence"])
def test_type_filter(data, type_):
    body = api_search(data["lead"], q="камера", type=type_)
    assert body["count"] >= 1
    assert {r["type"] for r in body["results"]} == {type_}


def test_snippet_highlights_the_match_escaped(data):
    body = api_search(data["lead"], q="камерами", type="evidence")
    assert body["results"][0]["snippet"].startswith("<mark>Камерами</mark> зафиксировано")


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "*"}, {"q": "AND OR NOT"}, {"q": '""'}])
def test_empty_query_is_a_400_with_a_message(data, params):
    response = api_for(data["lead"]).get("/api/v1/search/", params)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"type": "deadline"}, {"page": "0"}, {"page": "x"}, {"page_size": "1000"}, {"date_from": "2024-13-01"},
     {"category": "nope"}, {"status": "nope"}, {"case": "abc"}, {"date_from": "2025-01-02", "date_to": "2025-01-01"}],
)
def test_bad_parameters_are_400(data, params):
    response = api_for(data["lead"]).get("/api/v1/search/", {"q": "камера", **params})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_query_language(data):
    lead = data["lead"]
    filed, closed, stop, leak = (("case", data["filed"].pk), ("case", data["closed"].pk),
                                 ("incident", data["stop"].pk), ("incident", data["leak"].pk))
    assert found(lead, "утечка", type="case") == {closed}
    assert found(lead, "камера метро") == {filed}  # all words must match
    assert found(lead, "камера AND метро") == {filed}
    assert found(lead, "метро OR утечка", type="case") == {filed, closed}
    assert found(lead, "камера NOT метро", type="case") == {closed}
    assert found(lead, "камера -метро", type="case") == {closed}
    assert found(lead, '"распознавания лиц"') == {filed}
    assert found(lead, '"лиц распознавания"') == set()
    assert found(lead, "утеч*") == {closed, leak}
    assert found(lead, "(метро OR станции) камера", type="incident") == {stop}
    assert found(lead, "NOT камера", type="case") == set()


def test_filters(data):
    lead = data["lead"]
    assert found(lead, "камера", case=data["filed"].pk) == {
        ("case", data["filed"].pk), ("incident", data["stop"].pk), ("evidence", data["item"].pk)}
    assert found(lead, "камера", category="data_leak") == {("incident", data["leak"].pk)}
    assert found(lead, "камера", status="closed") == {("case", data["closed"].pk)}
    assert found(lead, "камера", type="incident", date_from="2025-01-01") == {("incident", data["leak"].pk)}
    assert found(lead, "камера", type="incident", date_to="2024-12-31") == {("incident", data["stop"].pk)}
    assert found(lead, "камера", type="incident", date_from="2024-03-05", date_to="2024-03-05") == {
        ("incident", data["stop"].pk)}


def test_pagination_keeps_the_keys(data):
    lead = data["lead"]
    everything = api_search(lead, q="камера", page_size=100)
    pages = [api_search(lead, q="камера", page_size=2, page=n) for n in (1, 2, 3)]
    assert all(p["count"] == everything["count"] == 5 for p in pages)
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    ids = [(r["type"], r["id"]) for p in pages for r in p["results"]]
    assert ids == [(r["type"], r["id"]) for r in everything["results"]]
    assert api_search(lead, q="камера", page_size=2, page=9)["results"] == []


def test_changes_are_searchable_after_commit_and_removed_after_purge(data):
    lead = data["lead"]
    services.case_update(user=lead, case=data["closed"], data={"summary": "новоеслово"})
    assert found(lead, "новоеслово") == {("case", data["closed"].pk)}
    assert found(lead, "продажа", type="case") == set()
    services.incident_trash(user=lead, incident=data["leak"])
    assert ("incident", data["leak"].pk) not in found(lead, "утечка")
    services.incident_purge(user=lead, incident=data["leak"])
    services.case_trash(user=lead, case=data["closed"])
    services.case_purge(user=lead, case=data["closed"])
    assert found(lead, "новоеслово") == set()


def test_a_rolled_back_change_is_not_indexed(data):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_update(user=data["lead"], case=data["filed"], data={"summary": "откатслово"})
        raise RuntimeError("roll back")
    assert found(data["lead"], "откатслово") == set()


query_text = st.one_of(
    st.lists(
        st.sampled_from(list('камераcameraё*"()-:^~!?\\/[]{}<>&|\'') + [" ", " AND ", " OR ", " NOT ", "ИЛИ", "\x00",
                                                                     "\u202e", "𝔸", "кам*", '"камера'])
        , max_size=30,
    ).map("".join),
    st.text(max_size=40),
)


@hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=query_text, page=st.one_of(st.none(), st.text(max_size=4), st.integers(-3, 5).map(str)),
       type_=st.sampled_from(["", "case", "incident", "evidence", "person", "x", "case,incident"]))
def test_no_input_gives_a_5xx(data, q, page, type_):
    params = {"q": q, "type": type_}
    if page is not None:
        params["page"] = page
    response = api_for(data["lead"]).get("/api/v1/search/", params)
    assert response.status_code in (200, 400), (params, response.content)
    body = response.json()
    if response.status_code == 200:
        assert body["count"] >= len(body["results"])
        for result in body["results"]:
            snippet = result["snippet"].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in snippet
    else:
        assert body["detail"]
