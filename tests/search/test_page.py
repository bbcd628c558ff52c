"""The results page: filters, highlighted and escaped snippets, links to the objects, pagination, errors."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import CaseFactory, IncidentFactory, UserFactory
from tests.search.conftest import page_html, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lead(search_backend):
    return UserFactory(username="lead")


def test_results_link_to_the_objects_with_highlights(lead):
    case = CaseFactory(lead=lead, title="Дело о камерах", summary="Камерами в метро снимают всех")
    incident = IncidentFactory(user=lead, cases=[case], title="Задержание", description="камера ошиблась")
    item = upload_evidence(lead, "камерами\n".encode(), "x.txt", case=case.pk, title="Справка")
    html = page_html(lead, "камера")
    assert f'href="/cases/{case.pk}/"' in html
    assert f'href="/incidents/{incident.pk}/"' in html
    assert f'href="/evidence/{item.pk}/"' in html
    assert "<mark>Камерами</mark> в метро" in html
    assert "3 results" in html


def test_snippets_and_titles_are_escaped(lead):
    CaseFactory(lead=lead, title='<script>alert("t")</script> камера',
                summary='<img src=x onerror=alert(1)> камера <b>bold</b> & "quotes"')
    html = page_html(lead, "камера")
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<mark>камера</mark>" in html


def test_the_search_box_of_every_page_lands_here(lead):
    client = Client()
    client.force_login(lead)
    response = client.get("/search/")
    assert response.status_code == 200
    assert b'name="q"' in response.content


def test_filters_and_pagination_on_the_page(lead):
    case = CaseFactory(lead=lead, title="Дело", summary="")
    for n in range(25):
        IncidentFactory(user=lead, cases=[case], title=f"Инцидент камера {n}", category="data_leak")
    html = page_html(lead, "камера", type="incident", category="data_leak")
    assert "25 results" in html
    assert "Page 1 of 2" in html
    assert "page=2" in html
    assert "Page 2 of 2" in page_html(lead, "камера", type="incident", page=2)
    assert "0 results" in page_html(lead, "камера", type="incident", category="detention")


def test_bad_input_on_the_page_is_a_400_with_a_message(lead):
    client = Client()
    client.force_login(lead)
    response = client.get("/search/", {"q": "камера", "date_from": "not-a-date"})
    assert response.status_code == 400
    assert "date_from must be a date" in response.content.decode()
    response = client.get("/search/", {"q": "*"})
    assert response.status_code == 400


def test_no_inline_script_or_style(lead):
    CaseFactory(lead=lead, title="камера", summary="")
    html = Client()
    html.force_login(lead)
    body = html.get("/search/", {"q": "камера"}).content.decode()
    assert "<script>" not in body and "style=" not in body and "<style" not in body


@pytest.mark.parametrize(
    "params",
    [{"q": '"unclosed'}, {"q": "((("}, {"q": ")))"}, {"q": "NOT"}, {"q": "\x00"}, {"q": "a" * 5000},
     {"q": "камера", "page": "-1"}, {"q": "камера", "type": "nope"}, {"q": "камера", "case": "1e9"},
     {"q": "камера", "date_to": "2024-02-30"}, {"q": "кам* OR -(метро"}],
)
def test_malformed_input_on_the_page_is_never_a_5xx(lead, params):
    client = Client()
    client.force_login(lead)
    response = client.get("/search/", params)
    assert response.status_code in (200, 400)
