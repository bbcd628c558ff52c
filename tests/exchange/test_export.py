"""Exports of the filtered lists: only what the caller may view, no identities, no privileged notes, no derived
data of evidence; CSV with a BOM and no formula; XLSX that LibreOffice Calc opens; export → import is unchanged."""
from __future__ import annotations

import csv
import io
import subprocess

import pytest
from openpyxl import load_workbook

from cases import services
from cases.models import Incident
from tests.conftest import system_tool
from tests.evidence.conftest import upload
from tests.exchange.conftest import post_import
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Метро: камеры", privileged_notes="PRIVILEGED-STRATEGY")
    observer = UserFactory(username="observer")
    add_member(case, observer, "observer")
    person = PersonFactory(user=lead, pseudonym="Applicant A", real_name="REAL-NAME-SECRET")
    incident = IncidentFactory(user=lead, cases=[case], title="Задержание на «Охотном Ряду»",
                               description="=HYPERLINK(\"http://evil.example\",\"click\")", category="detention")
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    IncidentFactory(user=lead, cases=[case], title="Camera on Tverskaya", category="camera_deployment")
    hidden = CaseFactory(lead=UserFactory(username="other"), title="Hidden case")
    IncidentFactory(user=hidden.created_by, cases=[hidden], title="HIDDEN-INCIDENT")
    return {"lead": lead, "observer": observer, "case": case, "incident": incident, "hidden": hidden}


def rows_of_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode()), "CSV must start with a byte-order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_incident_csv_has_a_bom_the_lists_filters_and_only_visible_rows(api, world):
    response = api(world["observer"]).get("/api/v1/incidents/export.csv?category=detention")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = rows_of_csv(response)
    assert rows[0][:3] == ["id", "external_id", "title"]
    assert [r[2] for r in rows[1:]] == ["Задержание на «Охотном Ряду»"]
    text = "\n".join(",".join(r) for r in rows)
    assert "REAL-NAME-SECRET" not in text and "Applicant A" in text
    assert rows[1][8].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    everything = rows_of_csv(api(world["lead"]).get("/api/v1/incidents/export.csv"))
    assert "HIDDEN-INCIDENT" not in str(everything) and len(everything) == 3
    assert len(rows_of_csv(api(UserFactory(username="outsider")).get("/api/v1/incidents/export.csv"))) == 1


def test_a_filter_by_a_hidden_case_answers_as_a_missing_one(api, world):
    client = api(world["observer"])
    hidden = rows_of_csv(client.get(f"/api/v1/incidents/export.csv?case={world['hidden'].pk}"))
    missing = rows_of_csv(client.get("/api/v1/incidents/export.csv?case=999999"))
    assert hidden == missing and len(hidden) == 1
    assert client.get("/api/v1/incidents/export.csv?case=abc").status_code == 400
    assert client.get("/api/v1/incidents/export.xlsx?category=nope").status_code == 400
    assert api().get("/api/v1/incidents/export.csv").status_code == 401


def test_xlsx_keeps_text_as_text_and_opens_in_libreoffice_calc(api, world, tmp_path):
    response = api(world["lead"]).get("/api/v1/incidents/export.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    path = tmp_path / "incidents.xlsx"
    path.write_bytes(content)
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][2] == "title" and "Задержание на «Охотном Ряду»" in [r[2] for r in values]
    formula_cell = next(row[8] for row in sheet.iter_rows(min_row=2) if row[2].value.startswith("Задержание"))
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("=HYPERLINK")
    soffice = system_tool("soffice")
    out = tmp_path / "out"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    converted = (out / "incidents.csv").read_text(encoding="utf-8")
    assert "Задержание на «Охотном Ряду»" in converted and "Camera on Tverskaya" in converted
    assert "=HYPERLINK" in converted and "evil.example" in converted  # as text, not evaluated


def test_export_then_import_is_unchanged(api, world):
    client = api(world["lead"])
    for incident in Incident.objects.filter(cases=world["case"]):
        incident.external_id = f"E-{incident.pk}"
        incident.save()
    content = b"".join(client.get("/api/v1/incidents/export.xlsx").streaming_content)
    response = post_import(client, content, name="back.xlsx")
    assert response.status_code == 200, response.content
    assert response.json()["unchanged"] == 2 and response.json()["created"] == 0
    csv_content = b"".join(client.get("/api/v1/incidents/export.csv").streaming_content)
    again = post_import(client, csv_content, name="back.csv")
    assert again.status_code == 200 and again.json()["unchanged"] == 2, again.content


def test_cases_export_never_holds_privileged_notes(api, world):
    for who in ("lead", "observer"):
        rows = rows_of_csv(api(world[who]).get("/api/v1/cases/export.csv"))
        assert [r[1] for r in rows[1:]] == ["Метро: камеры"]
        assert "PRIVILEGED-STRATEGY" not in str(rows)
    assert rows_of_csv(api(world["observer"]).get("/api/v1/cases/export.csv?status=closed"))[1:] == []
    assert api(world["lead"]).get("/api/v1/cases/export.xlsx").status_code == 200


def test_deadlines_export(api, world):
    from deadlines import services as deadline_services

    import datetime as dt

    deadline_services.deadline_create(user=world["lead"], case=world["case"], title="Appeal due",
                                      due_date=dt.date(2026, 12, 21))
    rows = rows_of_csv(api(world["observer"]).get(f"/api/v1/deadlines/export.csv?case={world['case'].pk}"))
    assert rows[0][:4] == ["id", "case", "case_reference", "title"]
    assert [r[3] for r in rows[1:]] == ["Appeal due"] and rows[1][5] == "2026-12-21"
    assert rows_of_csv(api(UserFactory(username="x")).get("/api/v1/deadlines/export.csv"))[1:] == []
    assert api(world["lead"]).get("/api/v1/deadlines/export.csv?status=bogus").status_code == 400


def test_evidence_register_export_has_no_derived_data(api, world):
    lead = world["lead"]
    body = upload(api(lead), content=b"statement with GPS 55.75 37.61\n", name="s.txt", case=world["case"].pk,
                  restricted="true").json()
    from evidence.models import EvidenceItem

    EvidenceItem.objects.filter(pk=body["id"]).update(metadata={"gps": "55.75,37.61"},
                                                      extracted_text="SECRET-EXTRACTED-TEXT")
    for who in ("lead", "observer"):
        rows = rows_of_csv(api(world[who]).get(f"/api/v1/evidence/export.csv?case={world['case'].pk}"))
        assert len(rows) == 2 and rows[1][5] == body["sha256"]
        assert "SECRET-EXTRACTED-TEXT" not in str(rows) and "55.75,37.61" not in str(rows)
    assert rows_of_csv(api(UserFactory(username="y")).get("/api/v1/evidence/export.csv"))[1:] == []
