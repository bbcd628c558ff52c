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
        assert row[5] == item.sha256  # one unbroken string
        assert item.title in row[1]
    assert rows[0][2] == "001_statement.txt" and rows[1][2] == "002_Решение_суда.pdf"  # as in the bundle
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
        "Stop at Park Kultury",                                   # 1 March 2025 incident
        "Exhibit No.\u00a01 obtained: Applicant's statement",          # 2 March
        "Exhibit No.\u00a03 obtained: Witness recording",              # 1 April
        "Administrative statement of claim filed",                # 15 April, case No. 2a-1/2025 (CAS)
        "Camera deployment on line 5",                            # 10 May
        "Exhibit No.\u00a02 obtained: Решение суда",                   # 1 June
        "First-instance judgment given",                          # 1 July
        "Appeal against the decision",                            # one month later, by the rule
    ]
    # The deadline's rule by its name and basis in words, and its status: no rule code, no raw status.
    assert rows[-1][1] == "Time-limit"
    assert rows[-1][3] == ("Appeal against a first-instance decision (administrative procedure) (CAS RF art. 298(1)); "
                           "time-limit expired")
    assert "ru-cas-appeal" not in rows[-1][3]
    assert [r[0] for r in rows][:2] == ["1\u00a0March 2025", "2\u00a0March 2025"]


def test_same_day_rows_follow_the_exhibit_numbers(team, api):
    """Exhibits obtained on one day are listed 2, 10 (by number), not "10", "2" (by title or text)."""
    from django.utils import timezone

    from tests.documents.conftest import add_exhibit

    case, users = team
    day = timezone.make_aware(dt.datetime(2025, 3, 1, 12, 0))
    for n, title in enumerate(["Zeta photo", "Alpha photo", *[f"Filler {k}" for k in range(8)]], start=1):
        add_exhibit(case, users["lead"], content=f"exhibit {n}".encode(), name=f"e{n}.txt", title=title,
                    obtained_at=day if n in (2, 10) else None)
    rows = Document(io.BytesIO(api(users["lead"]).get(url(case, "documents/chronology.docx")).content)).tables[0].rows
    titles = [r.cells[2].text for r in rows[1:]]
    assert titles == ["Exhibit No.\u00a02 obtained: Alpha photo", "Exhibit No.\u00a010 obtained: Filler 7"]


def test_chronology_in_russian_on_request(populated, api):
    case, users, _ = populated
    response = api(users["lead"]).get(url(case, "documents/chronology.docx") + "?lang=ru")
    text = docx_text(response.content)
    assert "1\u00a0марта 2025\u00a0г." in text  # a Russian date, as a Russian court writes it
    assert "Хронология событий" in text and "Инцидент" in text  # documents/locale/ru
    assert "Дата | Вид | Событие | Подробности" in text
    assert "Подано административное исковое заявление" in text  # КАС: the case number is 2a-1/2025
    assert "Вынесено решение суда первой инстанции" in text
    assert "Административный истец" not in text  # no party recorded: no invented parties
    assert response["Content-Language"] == "ru"
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
    assert "No.\u00a01 — Applicant's statement" in text  # the exhibit documenting the incident
    assert "(Affected person)" in text  # a part that does not presume the person's gender


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
    from evidence.models import CustodyEvent, CustodyHead

    case, users, data = populated
    item = data["items"][0]
    response = api(users["lead"]).get(url(case, "documents/custody-report.docx"), {"exhibit": item.exhibit.number})
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = docx_text(response.content)
    events = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]
    chain = list(CustodyEvent.objects.filter(item=item).order_by("seq"))
    assert [e[0] for e in events] == [str(e.seq) for e in chain]
    assert [e[4] for e in events] == [e.entry_hash for e in chain]  # each entry's hash, whole
    assert events[0][2].startswith("File received and stored; its SHA-256 computed on receipt (file name: "
                                   "statement.txt; 27 bytes; type: text/plain; this case, exhibit No.\u00a01)")
    assert "duplicate_of" not in text and "stored_new_blob" not in text and "None" not in text
    head = CustodyHead.objects.get(item=item)
    assert head.seal in text and head.entry_hash in text
    assert "Checked when this report was made" in text and "the chain of 1 entry is intact" in text
    assert "How to check this report" in text and "sha256sum" in text
    assert api(users["lead"]).get(url(case, "documents/custody-report.docx"), {"exhibit": 99}).status_code == 404
    assert api(users["lead"]).get(url(case, "documents/custody-report.docx"), {"exhibit": "x"}).status_code == 400


def test_custody_report_words_every_event_in_russian_and_reports_a_broken_file(populated, api, data_dir):
    from evidence import storage
    from evidence.services import evidence_update

    case, users, data = populated
    item = data["items"][1]
    evidence_update(user=users["lead"], item=item, data={"title": "Решение суда (копия)", "source": "суд"})
    path = storage.blob_path(item.sha256)
    path.chmod(0o640)
    path.write_bytes(b"tampered")
    response = api(users["lead"]).get(url(case, "documents/custody-report.docx"),
                                      {"exhibit": item.exhibit.number, "lang": "ru"})
    text = docx_text(response.content)
    assert "Журнал хранения и проверки целостности доказательств" in text
    assert "Отчёт о цепочке хранения" not in text  # the calque the issue names
    assert "Изменены сведения о доказательстве: источник, наименование" in text  # not "Description edited"
    assert "ФАЙЛ НЕ СООТВЕТСТВУЕТ СВОЕМУ SHA-256 ИЛИ ОТСУТСТВУЕТ" in text
    assert "Uploaded" not in text and "edited" not in text


def test_file_responses_say_their_language_and_keep_a_cyrillic_name(populated, api):
    from cases import services as case_services

    case, users, _ = populated
    case_services.case_update(user=users["lead"], case=case, data={"reference": "Дело/7"})
    response = api(users["lead"]).get(url(case, "documents/exhibit-list.docx"), {"lang": "ru"})
    assert response["Content-Language"] == "ru"
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%94%D0%B5%D0%BB%D0%BE-7-exhibit-list.docx" in header
    english = api(users["lead"]).get(url(case, "documents/exhibit-list.docx"), {"lang": "en"})
    assert english["Content-Language"] == "en"


@pytest.mark.parametrize("value", ["gpk", "1", "CPC; DROP"])
def test_unknown_procedure_is_a_400(populated, api, value):
    case, users, _ = populated
    response = api(users["lead"]).get(url(case, "documents/exhibit-list.docx"), {"procedure": value})
    assert response.status_code == 400
    assert "procedure" in response.json()["detail"]
    assert not DocumentExport.objects.exists()


def test_times_are_in_the_sites_zone_and_say_so(team, api, settings):
    """An incident at 01:30 Moscow time on 1 March is dated 1 March, and its time says MSK."""
    from django.utils import timezone
    from zoneinfo import ZoneInfo

    from tests.factories import IncidentFactory

    settings.TIME_ZONE = "Europe/Moscow"
    case, users = team
    moment = dt.datetime(2025, 3, 1, 1, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    IncidentFactory(user=users["lead"], cases=[case], title="Night stop", occurred_at=moment)
    with timezone.override("Europe/Moscow"):
        pass
    response = api(users["lead"]).get(url(case, "documents/chronology.docx"))
    rows = [[c.text for c in r.cells] for r in Document(io.BytesIO(response.content)).tables[0].rows[1:]]
    assert rows[0][0] == "1\u00a0March 2025" and rows[0][3].startswith("01:30\u00a0MSK")
    text = docx_text(response.content)
    assert "Times are given in the time zone Europe/Moscow (MSK, UTC+03:00)." in text
    russian = docx_text(api(users["lead"]).get(url(case, "documents/chronology.docx"), {"lang": "ru"}).content)
    assert "1\u00a0марта 2025\u00a0г." in russian and "01:30\u00a0МСК" in russian
    assert "Europe/Moscow (МСК, UTC+03:00)" in russian


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


def test_a_restricted_pdfs_page_count_is_given_only_to_who_may_download_it(team, api, monkeypatch):
    """The page count is read from the file: derived data, so it follows the download right (like EXIF)."""
    from bench.bundle_data import pdf_bytes
    from cases import permissions as cp
    from tests.documents.conftest import add_exhibit
    from tests.factories import UserFactory, add_member

    case, users = team
    add_exhibit(case, users["lead"], content=pdf_bytes(1, 3), name="open.pdf", title="Open decision")
    add_exhibit(case, users["lead"], content=pdf_bytes(2, 5), name="sealed.pdf", title="Sealed decision",
                restricted=True)
    rows = lambda user: [[c.text for c in r.cells] for r in Document(io.BytesIO(  # noqa: E731
        api(user).get(url(case, "documents/exhibit-list.docx")).content)).tables[0].rows[1:]]
    assert [(r[1], r[3]) for r in rows(users["coordinator"])] == [("Open decision", "3"), (
        "Sealed decision\n(restricted access)", "5")]
    monkeypatch.setitem(cp.ROLE_PERMISSIONS, "coordinator",
                        cp.ROLE_PERMISSIONS["coordinator"] - {cp.DOWNLOAD_RESTRICTED})
    clerk = UserFactory(username="clerk")
    add_member(case, clerk, "coordinator")
    assert [(r[1], r[3]) for r in rows(clerk)] == [("Open decision", "3"), (
        "Sealed decision\n(restricted access)", "")]
