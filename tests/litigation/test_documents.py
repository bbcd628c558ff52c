"""The table of authorities and the request letter: grouped by kind, the claims citing each, correct Russian terms,
A4 and page numbers, a SHA-256 that is one unbroken string (also once LibreOffice has laid the pages out)."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from docx import Document
from docx.shared import Mm

from litigation import services
from litigation.documents import AuthorityRow, CaseHead, CitedIn, content_digest
from litigation.services.documents import request_letter_generate, table_of_authorities_generate
from tests.conftest import system_tool
from tests.litigation.factories import make_authority, make_claim, make_request

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


@pytest.fixture
def cited(cast):
    art8 = make_claim(cast.lawyer, cast.case, right="Article 8 of the Convention")
    art13 = make_claim(cast.lawyer, cast.case, right="Article 13 of the Convention")
    glukhin = make_authority(cast.lawyer, title="Glukhin v. Russia", citation="Glukhin v. Russia, no. 11519/20, "
                             "4 July 2023", identifier="11519/20", date=D("2023-07-04"))
    zakharov = make_authority(cast.lawyer, title="Roman Zakharov v. Russia", citation="Roman Zakharov v. Russia [GC], "
                              "no. 47143/06, 4 December 2015", identifier="47143/06", date=D("2015-12-04"))
    law = make_authority(cast.lawyer, kind="statute", title='Federal Law No. 152-FZ "On Personal Data"',
                         identifier="152-FZ", date=D("2006-07-27"))
    make_authority(cast.lawyer, title="Uncited judgment")
    services.citation_add(user=cast.lawyer, claim=art8, authority=glukhin, pinpoint="§ 72")
    services.citation_add(user=cast.lawyer, claim=art8, authority=zakharov)
    services.citation_add(user=cast.lawyer, claim=art13, authority=zakharov)
    services.citation_add(user=cast.lawyer, claim=art8, authority=law, pinpoint="art. 11(1)")
    return cast


def _text(content: bytes) -> tuple[Document, str]:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return doc, "\n".join(parts)


def test_table_of_authorities_groups_by_kind_with_the_claims_citing_each(cited):
    doc, text = _text(table_of_authorities_generate(user=cited.lawyer, case=cited.case, language="en").content)
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert "Table of authorities" in text
    assert text.index("Judgments") < text.index("Legislation")
    assert "Uncited judgment" not in text
    assert len(doc.tables) == 2  # judgments, legislation
    judgments = [row.cells[1].text for row in doc.tables[0].rows[1:]]
    assert judgments[0].startswith("Glukhin") and judgments[1].startswith("Roman Zakharov")  # alphabetical
    zakharov_cited = doc.tables[0].rows[2].cells[2].text
    assert "Claim 1 (Article 8 of the Convention)" in zakharov_cited
    assert "Claim 2 (Article 13 of the Convention)" in zakharov_cited
    assert "Claim 1 (Article 8 of the Convention): § 72" in doc.tables[0].rows[1].cells[2].text
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    digests = [p.text for p in doc.paragraphs if HEX64.fullmatch(p.text.strip())]
    assert len(digests) == 1


def test_table_of_authorities_in_russian(cited):
    doc, text = _text(table_of_authorities_generate(user=cited.lawyer, case=cited.case, language="ru").content)
    for term in ("Перечень источников права", "Судебные решения и постановления", "Нормативные правовые акты",
                 "Приводится в обоснование", "Требование 1", "SHA-256 содержания перечня"):
        assert term in text, term
    assert "04.07.2023" in text  # dates as Russian courts write them
    assert "Страница" in doc.sections[0].footer.paragraphs[0].text


def test_the_digest_is_of_the_content_not_of_the_file(cited):
    first = table_of_authorities_generate(user=cited.lawyer, case=cited.case, language="en").content
    second = table_of_authorities_generate(user=cited.lawyer, case=cited.case, language="en").content
    digest = lambda content: HEX64.search(_text(content)[1]).group(0)  # noqa: E731
    assert digest(first) == digest(second)
    claim = cited.case.claims.first()
    services.claim_update(user=cited.lawyer, claim=claim, data={"right": "Article 8 (private life)"})
    assert digest(table_of_authorities_generate(user=cited.lawyer, case=cited.case, language="en").content) \
        != digest(first)
    head = CaseHead("Case", "2-1/2025")
    rows = [("judgment", [AuthorityRow("judgment", "A", cited_in=[CitedIn(1, "Art. 8", "§ 1")])])]
    assert content_digest(head, rows) == content_digest(head, rows) and len(content_digest(head, rows)) == 64


def test_empty_table_says_so(cast):
    _, text = _text(table_of_authorities_generate(user=cast.lawyer, case=cast.case, language="en").content)
    assert "No claim of this case cites an authority yet." in text


def test_hash_stays_on_one_line_in_the_pdf(cited, tmp_path):
    soffice = system_tool("soffice")
    system_tool("pdftotext")
    path = tmp_path / "toa.docx"
    path.write_bytes(table_of_authorities_generate(user=cited.lawyer, case=cited.case, language="ru").content)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "toa.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert len(HEX64.findall(text)) == 1
    assert "Перечень источников права" in text and "Glukhin" in text


@pytest.mark.parametrize(("kind", "lang", "phrases"), [
    ("ru-152fz-access", "ru", ["ЗАПРОС СУБЪЕКТА ПЕРСОНАЛЬНЫХ ДАННЫХ", "части 7 статьи 14", "десяти рабочих дней",
                               "Кому", "[серия и номер, дата выдачи, выдавший орган]"]),
    ("ru-59fz-appeal", "ru", ["ОБРАЩЕНИЕ", "59-ФЗ", "30 дней со дня его регистрации"]),
    ("ru-8fz-information", "ru", ["ЗАПРОС ИНФОРМАЦИИ", "статьёй 18", "тридцатидневный срок"]),
    ("gdpr-access", "en", ["SUBJECT ACCESS REQUEST", "Article 15", "within one month of receipt"]),
    ("dpa-complaint", "en", ["COMPLAINT", "Article 77", "three months"]),
])
def test_letters_by_kind(cast, kind, lang, phrases):
    req = make_request(cast.lawyer, cast.case, kind=kind, addressee="Moscow Metro", subject="Biometric data",
                       body="Please state whether images of my face are processed.")
    _, text = _text(request_letter_generate(user=cast.lawyer, request=req, language=lang).content)
    for phrase in phrases + ["Moscow Metro", "Please state whether images of my face are processed."]:
        assert phrase in text, phrase
    assert cast.case.title not in text  # the internal case title does not go to the addressee


def test_claims_in_the_chronology_and_the_dossier(cited):
    """Claims are shown in the chronology (dated by their proceeding's filing, the outcome on its decision) and in
    the incident dossier (right, basis, relief, outcome, authorities cited), for whoever may generate them."""
    from cases.services import proceeding_create
    from documents.data import DossierFilter
    from documents.generation import chronology_generate, incident_dossier_generate

    cast = cited
    proceeding = proceeding_create(user=cast.lead, case=cast.case, stage="first_instance", court="Тверской суд",
                                   case_number="2а-1187/2026", filed_on=D("2026-02-10"), decided_on=D("2026-05-20"))
    art8 = cast.case.claims.get(right="Article 8 of the Convention")
    services.claim_update(user=cast.lawyer, claim=art8, data={"proceeding": proceeding.pk, "relief": "Declare unlawful",
                                                              "outcome": "Dismissed"})
    chronology = chronology_generate(user=cast.coordinator, case=cast.case, language="en")
    _doc, text = _text(chronology.content)
    assert "Claim 1: Article 8 of the Convention" in text and "Outcome of claim 1" in text
    assert "Claim 2: Article 13 of the Convention" in text
    dossier = incident_dossier_generate(user=cast.coordinator, case=cast.case, language="en",
                                        selection=DossierFilter())
    _doc, text = _text(dossier.content)
    assert "Claims" in text and "Declare unlawful" in text and "Dismissed" in text
    assert "§ 72" in text and "Glukhin v. Russia" in text
    # In Russian, with the terms of the documents.
    _doc, text = _text(incident_dossier_generate(user=cast.coordinator, case=cast.case, language="ru",
                                                 selection=DossierFilter()).content)
    assert "Требование 1" in text or "Требования" in text
