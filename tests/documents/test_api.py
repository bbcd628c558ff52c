"""API.md "Court-ready documents": every endpoint, allowed and denied, with the documents' content checked."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from documents.models import DocumentExport
from tests.documents.conftest import docx_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ENDPOINTS = [
    "documents/exhibit-list.docx",
    "documents/chronology.docx",
    "documents/custody-report.docx",
    "documents/incident-dossier.docx",
]


def url(case, tail: str) -> str:
    return f"/api/v1/cases/{case.pk}/{tail}"


@pytest.mark.parametrize("tail", ENDPOINTS)
@pytest.mark.parametrize("role", ["lead", "lawyer", "coordinator"])
def test_generating_roles_get_a_docx(populated, api, role, tail):
    """Leads, lawyers and coordinators get a real .docx, whatever Accept header they send, and it is recorded."""
    case, users, _ = populated
    response = api(users[role]).get(url(case, tail), HTTP_ACCEPT=DOCX)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    Document(io.BytesIO(response.content))  # opens
    assert DocumentExport.objects.filter(case=case, user=users[role]).count() == 1


@pytest.mark.parametrize("tail", ENDPOINTS + ["bundle.zip"])
@pytest.mark.parametrize("role", ["researcher", "observer"])
def test_members_without_generate_documents_get_403(populated, api, role, tail):
    case, users, _ = populated
    response = api(users[role]).get(url(case, tail))
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not DocumentExport.objects.exists()


@pytest.mark.parametrize("tail", ENDPOINTS + ["bundle.zip"])
def test_outsider_and_missing_case_get_404_json(populated, api, tail):
    case, users, _ = populated
    assert api(users["outsider"]).get(url(case, tail)).status_code == 404
    response = api(users["lead"]).get(f"/api/v1/cases/{case.pk + 999}/{tail}")
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}
    assert not DocumentExport.objects.exists()


@pytest.mark.parametrize("tail", ENDPOINTS + ["bundle.zip"])
def test_no_credentials_get_401(populated, api, tail):
    case, _users, _ = populated
    response = api().get(url(case, tail))
    assert response.status_code == 401
    assert "detail" in response.json()


def test_exhibit_list_has_every_exhibit_with_its_hash(populated, api):
    case, users, data = populated
    response = api(users["coordinator"]).get(url(case, "documents/exhibit-list.docx"))
    doc = Document(io.BytesIO(response.content))
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    items = sorted(data["items"], key=lambda i: i.exhibit.number)
    assert [int(r[0]) for r in rows] == [i.exhibit.number for i in items]
    for row, item in zip(rows, items):
        assert row[5].replace("\n", "") == item.sha256
        assert item.title in row[1]
    assert response["X-Docket-SHA256"] == DocumentExport.objects.get().sha256


def test_chronology_lists_every_entry_in_date_order(populated, api):
    case, users, _ = populated
    from deadlines.services import deadline_create

    deadline_create(user=users["lead"], case=case, title="Appeal against the decision", rule="ru-cas-appeal",
                    trigger_date=dt.date(2025, 7, 1))
    response = api(users["lead"]).get(url(case, "documents/chronology.docx"))
    rows = [[c.text for c in row.cells] for row in Document(io.BytesIO(response.content)).tables[0].rows[1:]]
    titles = [r[2] for r in rows]
    assert titles == [
        "Stop at Park Kultury",                      # 2025-03-01 incident
        "Exhibit No. 1: Applicant's statement",      # 2025-03-02
        "Exhibit No. 3: Witness recording",          # 2025-04-01
        "First instance: filed",                     # 2025-04-15
        "Camera deployment on line 5",               # 2025-05-10
        "Exhibit No. 2: Решение суда",               # 2025-06-01
        "First instance: decided",                   # 2025-07-01
        "Appeal against the decision",               # one month later, by the rule
    ]
    assert "ru-cas-appeal" in rows[-1][3] and rows[-1][1] == "Deadline"
    dates = [r[0] for r in rows]
    assert dates == sorted(dates)


def test_chronology_in_russian_on_request(populated, api):
    case, users, _ = populated
    response = api(users["lead"]).get(url(case, "documents/chronology.docx") + "?lang=ru")
    text = docx_text(response.content)
    assert "01.03.2025" in text  # Russian date format
    assert "Хронология" in text and "Инцидент" in text  # documents/locale/ru
    assert "Дата | Тип | Событие | Подробности" in text
    assert DocumentExport.objects.get().language == "ru"


def test_dossier_filters_and_shows_identities_only_to_who_may_see_them(populated, api):
    case, users, data = populated
    response = api(users["coordinator"]).get(url(case, "documents/incident-dossier.docx"),
                                             {"category": "wrongful_stop", "from": "2025-01-01", "to": "2025-12-31"})
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "Stop at Park Kultury" in text
    assert "Camera deployment on line 5" not in text
    assert "Ivan Secretov (Applicant A)" in text  # coordinators may see identities
    assert "No. 1 — Applicant's statement" in text  # the exhibit documenting the incident


def test_dossier_by_chosen_incidents(populated, api):
    case, users, data = populated
    chosen = data["incidents"][1]
    response = api(users["lead"]).get(url(case, "documents/incident-dossier.docx"), {"incidents": str(chosen.pk)})
    text = docx_text(response.content)
    assert chosen.title in text and "Stop at Park Kultury" not in text


@pytest.mark.parametrize("params", [
    {"category": "nonsense"}, {"from": "2025-13-45"}, {"from": "2025-05-01", "to": "2025-01-01"},
    {"incidents": "1,abc"},
])
def test_dossier_bad_parameters_give_400(populated, api, params):
    case, users, _ = populated
    response = api(users["lead"]).get(url(case, "documents/incident-dossier.docx"), params)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not DocumentExport.objects.exists()


def test_custody_report_of_one_exhibit_and_of_an_unknown_one(populated, api):
    case, users, data = populated
    item = data["items"][0]
    response = api(users["lead"]).get(url(case, "documents/custody-report.docx"), {"exhibit": item.exhibit.number})
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    events = [[c.text for c in row.cells] for row in doc.tables[1].rows[1:]]
    assert events and all(e[0] == str(item.exhibit.number) for e in events)
    assert events[0][2] == "Uploaded"
    assert api(users["lead"]).get(url(case, "documents/custody-report.docx"), {"exhibit": 99}).status_code == 404
    assert api(users["lead"]).get(url(case, "documents/custody-report.docx"), {"exhibit": "x"}).status_code == 400


def test_dossier_selector_gives_pseudonyms_to_roles_without_identities(populated):
    """Observers never see identities: the selector the dossier is built from gives them pseudonyms only."""
    from documents.data import DossierFilter
    from documents.selectors import dossier_incidents

    case, users, _ = populated
    observer_view = dossier_incidents(user=users["observer"], case=case, selection=DossierFilter())
    persons = [p.label for i in observer_view for p in i.persons]
    assert persons == ["Applicant A"]
    lawyer_view = dossier_incidents(user=users["lawyer"], case=case, selection=DossierFilter())
    assert [p.label for i in lawyer_view for p in i.persons] == ["Ivan Secretov (Applicant A)"]


def test_exhibit_list_queries_do_not_grow_with_the_exhibits(team, api, django_assert_max_num_queries):
    from tests.documents.conftest import make_many_exhibits

    case, users = team
    client = api(users["coordinator"])
    make_many_exhibits(case, users["lead"], 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(case, "documents/exhibit-list.docx")).status_code == 200
    make_many_exhibits(case, users["lead"], 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(case, "documents/exhibit-list.docx")).status_code == 200
