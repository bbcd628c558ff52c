"""POST /api/v1/incidents/import/: all or nothing, row errors with line and field, idempotent by external_id."""
from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from cases.models import Incident, IncidentPerson, Person
from tests.exchange.conftest import HEADER, csv_bytes, post_import, sample_rows, xlsx_bytes
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def history_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m.__name__.startswith("Historical")}


@pytest.fixture
def researcher(db):
    return UserFactory(username="researcher")


def test_import_creates_with_history_then_reimport_is_unchanged(api, researcher):
    content = xlsx_bytes(sample_rows(30))
    response = post_import(api(researcher), content)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 30, "updated": 0, "unchanged": 0, "errors": [], "dry_run": False}
    incidents = Incident.objects.order_by("pk")
    assert incidents.count() == 30
    first = incidents.first()
    assert first.external_id == "P-0" and first.owner == researcher and first.created_by == researcher
    assert float(first.latitude) == 55.7 and first.category == "detention"
    records = Incident.history.filter(id=first.pk)
    assert records.count() == 1 and records.get().history_user == researcher and records.get().history_type == "+"
    # The importer sees and may change them (owner of unlinked incidents).
    listed = api(researcher).get("/api/v1/incidents/?page_size=100").json()
    assert listed["count"] == 30
    before = history_counts()
    again = post_import(api(researcher), content)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 30, "errors": [], "dry_run": False}
    assert Incident.objects.count() == 30 and history_counts() == before


def test_reimport_with_a_change_updates_in_place_with_history(api, researcher):
    rows = sample_rows(5)
    post_import(api(researcher), xlsx_bytes(rows))
    rows[3][1] = "Stop at station 2 (corrected)"  # line 4: P-2
    rows[4][6] = "data_leak"
    response = post_import(api(researcher), csv_bytes(rows), name="again.csv")
    assert response.json() == {"created": 0, "updated": 2, "unchanged": 3, "errors": [], "dry_run": False}
    changed = Incident.objects.get(external_id="P-2")
    assert changed.title == "Stop at station 2 (corrected)"
    last = Incident.history.filter(id=changed.pk).order_by("-history_id").first()
    assert last.history_user == researcher and last.history_type == "~"


def test_dry_run_reports_and_writes_nothing(api, researcher):
    before = history_counts()
    response = post_import(api(researcher), xlsx_bytes(sample_rows(10)), dry_run=True)
    assert response.status_code == 200
    assert response.json()["created"] == 10 and response.json()["dry_run"] is True
    assert Incident.objects.count() == 0 and history_counts() == before


def test_any_row_error_is_a_400_with_line_and_field_and_nothing_is_written(api, researcher):
    rows = sample_rows(6)
    rows[3][2] = "not a date"        # line 4
    rows[5][4] = 123.0               # line 6: latitude out of range
    rows[6][6] = "teleportation"     # line 7
    before = history_counts()
    response = post_import(api(researcher), xlsx_bytes(rows))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(4, "occurred_at"), (6, "latitude"), (7, "category")}
    assert all(e["message"] for e in errors) and "line 4" in response.json()["detail"]
    assert Incident.objects.count() == 0 and history_counts() == before


def test_a_hidden_case_answers_as_a_missing_one_and_nothing_is_written(api, researcher):
    lead = UserFactory(username="lead")
    hidden, viewable = CaseFactory(lead=lead), CaseFactory(lead=lead)
    add_member(viewable, researcher, "observer")
    answers = {}
    for case_id in (hidden.pk, viewable.pk, 999999):
        rows = [HEADER + ["cases"], ["X-1", "Stop", "2025-03-01", "", "", "", "", "", "", "", case_id]]
        response = post_import(api(researcher), csv_bytes(rows), name="x.csv")
        assert response.status_code == 400
        answers[case_id] = response.json()["errors"][0]["message"].replace(str(case_id), "N")
    assert len(set(answers.values())) == 1
    assert Incident.objects.count() == 0


def test_rows_link_to_cases_where_the_importer_may_add_incidents_with_history(api, researcher):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    add_member(case, researcher, "researcher")
    rows = [HEADER + ["cases"], ["C-1", "Linked stop", "2025-03-01 09:00", "Moscow", "", "", "", "", "", "", case.pk]]
    assert post_import(api(researcher), csv_bytes(rows), name="x.csv").json()["created"] == 1
    incident = Incident.objects.get()
    assert list(incident.cases.all()) == [case]
    member = api(lead).get(f"/api/v1/incidents/{incident.pk}/history/").json()
    assert any(c["field"] == "cases" and c["new"] == [case.pk] for e in member for c in e["changes"])
    assert all(e["user"] == "researcher" for e in member)


def test_reimport_only_touches_incidents_the_importer_may_change(api, researcher):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    add_member(case, researcher, "observer")
    IncidentFactory(user=lead, cases=[case], title="Theirs")
    Incident.objects.update(external_id="SHARED-1")  # set up directly: the import is what is tested
    rows = [HEADER, ["SHARED-1", "Mine now", "2025-03-01", "", "", "", "", "", "", ""]]
    response = post_import(api(researcher), csv_bytes(rows), name="x.csv")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "external_id"
    assert Incident.objects.get().title == "Theirs"
    # Someone who cannot see it at all gets their own incident instead (no oracle).
    outsider = UserFactory(username="outsider")
    assert post_import(api(outsider), csv_bytes(rows), name="x.csv").json()["created"] == 1
    assert Incident.objects.filter(external_id="SHARED-1").count() == 2


def test_persons_by_pseudonym(api, researcher):
    known = PersonFactory(user=researcher, pseudonym="Applicant K")
    rows = [HEADER + ["persons"],
            ["P-1", "Stop one", "2025-03-01", "", "", "", "", "", "", "", "Applicant K; Witness W"],
            ["P-2", "Stop two", "2025-03-02", "", "", "", "", "", "", "", "Witness W"]]
    response = post_import(api(researcher), csv_bytes(rows), name="p.csv")
    assert response.status_code == 200, response.content
    assert Person.objects.filter(pseudonym="Witness W").count() == 1
    assert IncidentPerson.objects.filter(person=known).count() == 1
    assert IncidentPerson.objects.filter(person__pseudonym="Witness W").count() == 2
    assert post_import(api(researcher), csv_bytes(rows), name="p.csv").json()["unchanged"] == 2


def test_russian_excel_csv_semicolons_cp1251_and_russian_dates(api, researcher):
    rows = [["title", "occurred_at", "location", "category"],
            ["Задержание у турникета", "17.04.2025 08:30", "Станция «Охотный Ряд»", "Задержание"]]
    response = post_import(api(researcher), csv_bytes(rows, delimiter=";", encoding="cp1251"), name="ru.csv")
    assert response.status_code == 200, response.content
    incident = Incident.objects.get()
    assert incident.location == "Станция «Охотный Ряд»" and incident.category == "detention"
    assert incident.occurred_at.date() == dt.date(2025, 4, 17)


@pytest.mark.parametrize("content, name", [
    (b"", "empty.csv"), (b"PK\x03\x04garbage", "broken.xlsx"), (b"\xd0\xcf\x11\xe0old", "old.xls"),
    (b"title,occurred_at,colour\nA,2025-01-01,red\n", "unknown.csv"), (b"\x00\x01\x02\xff\xfe", "binary.csv"),
    (b"title,title\nA,B\n", "twice.csv"),
])
def test_files_that_cannot_be_imported_are_a_400(api, researcher, content, name):
    response = post_import(api(researcher), content, name=name)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] and response.json()["detail"]
    assert Incident.objects.count() == 0


def test_anonymous_is_401(api):
    assert post_import(api(), csv_bytes(sample_rows(1)), name="x.csv").status_code == 401
