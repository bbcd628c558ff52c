"""API.md "Documents as PDF": the documents converted to PDF/A by LibreOffice in the test, and what the PDF's text
holds — each exhibit's whole hash as one string, local dates, the court's number, the parties, no word broken."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest

from cases import services as case_services
from documents import conversion
from documents.models import DocumentExport
from tests.conftest import system_tool
from tests.documents.conftest import add_exhibit, docx_text
from tests.factories import IncidentFactory, PersonFactory

MSK = ZoneInfo("Europe/Moscow")
KINDS = ["exhibit-list", "chronology", "custody-report"]


@pytest.fixture
def filed_case(team, settings):
    """A КАС case in Moscow time: a court, the court's number, parties, an incident at 01:30 on 1 March."""
    from bench.bundle_data import pdf_bytes

    settings.TIME_ZONE = "Europe/Moscow"
    case, users = team
    lead = users["lead"]
    case_services.proceeding_create(user=lead, case=case, stage="first_instance",
                                    court="Мещанский районный суд г. Москвы", case_number="2а-1187/2025",
                                    filed_on=dt.date(2025, 2, 10))
    person = PersonFactory(user=lead, pseudonym="Заявительница А.", real_name="Воронова Анна Сергеевна")
    case_services.party_create(user=lead, case=case, role="claimant", person=person)
    case_services.party_create(user=lead, case=case, role="respondent", name="ГУП «Московский метрополитен»")
    case_services.party_create(user=lead, case=case, role="third_party",
                               name="Департамент информационных технологий г. Москвы")
    IncidentFactory(user=lead, cases=[case], title="Задержание на станции «Новослободская»",
                    occurred_at=dt.datetime(2025, 3, 1, 1, 30, tzinfo=MSK))
    items = [
        add_exhibit(case, lead, content=pdf_bytes(1, 3), name="Решение суда.pdf", title="Решение суда",
                    obtained_at=dt.datetime(2025, 3, 1, 1, 30, tzinfo=MSK)),
        add_exhibit(case, lead, content=b"witness statement\n", name="statement.txt",
                    title="Показания свидетеля"),
    ]
    return case, users, items


def pdf_text(tmp_path, content: bytes, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    out = subprocess.run([system_tool("pdftotext"), str(path), "-"], capture_output=True, timeout=120, check=True)
    return out.stdout.decode("utf-8")


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-zА-Яа-яЁё]{4,}", text.replace("\u00a0", " ")))


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ru", "en"])
def test_documents_as_pdfa_hold_whole_hashes_local_dates_the_court_number_and_the_parties(
        filed_case, api, tmp_path, language):
    system_tool("soffice")
    case, users, items = filed_case
    client = api(users["lead"])
    for kind in KINDS:
        response = client.get(f"/api/v1/cases/{case.pk}/documents/{kind}.pdf", {"lang": language})
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == "application/pdf" and response["Content-Language"] == language
        assert b"<pdfaid:part>2</pdfaid:part>" in response.content  # PDF/A-2
        text = pdf_text(tmp_path, response.content, f"{kind}-{language}")
        flat = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
        assert "2а-1187/2025" in flat and "Мещанский районный суд г. Москвы" in flat
        assert "Воронова Анна Сергеевна" in flat and "ГУП «Московский метрополитен»" in flat
        if language == "ru":
            assert "Административный истец" in flat and "Административный ответчик" in flat
            assert "Заинтересованное лицо" in flat and "Внутренний номер" in flat
        else:
            assert "Administrative claimant" in flat and "Interested party" in flat
        if kind != "chronology":
            for item in items:
                assert item.sha256 in text, (kind, item.pk)  # one unbroken string, found by a text search
        if kind == "chronology":
            assert ("1 марта 2025 г." if language == "ru" else "1 March 2025") in flat
            assert ("01:30 МСК" if language == "ru" else "01:30 MSK") in flat
        # No word broken over a line: every word of the .docx is a whole word of the PDF.
        docx = client.get(f"/api/v1/cases/{case.pk}/documents/{kind}.docx", {"lang": language}).content
        missing = words(docx_text(docx)) - words(text)
        assert not missing, (kind, sorted(missing)[:20])
    exhibit_list = pdf_text(tmp_path, client.get(f"/api/v1/cases/{case.pk}/documents/exhibit-list.pdf",
                                                 {"lang": language}).content, "list-again")
    assert "001_Решение_суда.pdf" in exhibit_list  # the bundle's file name
    assert DocumentExport.objects.filter(detail__format="pdf").count() == 4


def test_without_libreoffice_the_pdf_is_a_503_naming_what_is_missing(populated, api, monkeypatch):
    case, users, _ = populated
    monkeypatch.setattr(conversion, "soffice_path", lambda: None)
    for kind in KINDS:
        response = api(users["lead"]).get(f"/api/v1/cases/{case.pk}/documents/{kind}.pdf")
        assert response.status_code == 503
        body = response.json()
        assert "LibreOffice" in body["detail"] and body["missing"] == ["soffice"]
    assert not DocumentExport.objects.exists()
    # The .docx still works, and the 404/403 answers come first.
    assert api(users["lead"]).get(f"/api/v1/cases/{case.pk}/documents/exhibit-list.docx").status_code == 200
    assert api(users["observer"]).get(f"/api/v1/cases/{case.pk}/documents/exhibit-list.pdf").status_code == 403
    assert api(users["outsider"]).get(f"/api/v1/cases/{case.pk}/documents/exhibit-list.pdf").status_code == 404


def test_a_failed_conversion_records_nothing(populated, api, monkeypatch):
    case, users, _ = populated
    monkeypatch.setattr(conversion, "soffice_path", lambda: "/bin/false")

    def fail(_content, **_kwargs):
        raise conversion.ConversionFailed("LibreOffice could not convert the document to PDF")

    monkeypatch.setattr(conversion, "docx_to_pdfa", fail)
    response = api(users["lead"]).get(f"/api/v1/cases/{case.pk}/documents/chronology.pdf")
    assert response.status_code == 503 and "could not" in response.json()["detail"]
    assert not DocumentExport.objects.exists()
