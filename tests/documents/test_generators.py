"""The python-docx generators on plain data (no database): content, order, and the court layout."""
from __future__ import annotations

import io
from datetime import date, datetime

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from documents import generators as g
from documents.data import (
    CaseInfo,
    ChronologyEntry,
    CustodyRow,
    DocumentMeta,
    DossierFilter,
    DossierIncident,
    ExhibitRow,
    PersonRef,
)

CASE = CaseInfo(id=7, title="Иванова против ГУ МВД по г. Москве", reference="2а-123/2026", court="Тверской суд")
META = DocumentMeta(language="en", generated_at=datetime(2026, 11, 24, 12, 0), generated_by="coordinator")


def sha(n: int) -> str:
    return f"{n:064x}"


def exhibits(n: int) -> list[ExhibitRow]:
    return [ExhibitRow(number=k, title=f"Exhibit title {k}", kind="Photo", obtained_on=date(2025, 1, 1 + k % 28),
                       source="Applicant", sha256=sha(k), size=1000 + k) for k in range(1, n + 1)]


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def test_exhibit_list_lists_every_exhibit_with_its_hash_in_order():
    rows = exhibits(40)
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=rows, meta=META))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["No.", "Title", "Kind", "Date obtained", "Source", "SHA-256",
                                                     "Size, bytes"]
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(body) == 40
    for cells, row in zip(body, rows):
        assert cells[0] == str(row.number)
        assert cells[1] == row.title
        assert cells[3] == row.obtained_on.isoformat()
        assert cells[5].replace("\n", "") == row.sha256
        assert cells[6] == f"{row.size:,}"


def test_court_layout_a4_margins_header_footer_page_numbers_repeated_header_rows():
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(3), meta=META))
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert [round(x / Mm(1)) for x in (section.left_margin, section.right_margin, section.top_margin,
                                       section.bottom_margin)] == [25, 15, 20, 20]
    assert section.header.paragraphs[0].text == "2а-123/2026 · Иванова против ГУ МВД по г. Москве"
    footer_xml = section.footer._element.xml
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    header_row = doc.tables[0].rows[0]._tr
    assert header_row.trPr.find(qn("w:tblHeader")) is not None
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert all(fonts.get(qn(f"w:{slot}")) == g.FONT for slot in ("ascii", "hAnsi", "eastAsia", "cs"))


def test_russian_documents_use_russian_dates_and_language_tag():
    meta = DocumentMeta(language="ru", generated_at=datetime(2026, 11, 24, 12, 0))
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(2), meta=meta))
    assert doc.tables[0].rows[1].cells[3].text == "02.01.2025"
    assert doc.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "ru-RU"
    assert doc.core_properties.language == "ru-RU"


def test_chronology_sorts_every_entry_by_date_then_kind():
    entries = [
        ChronologyEntry(on=date(2025, 5, 1), kind="exhibit", title="Exhibit No. 2: photo"),
        ChronologyEntry(on=date(2025, 5, 1), kind="incident", title="Stop at the metro"),
        ChronologyEntry(on=date(2024, 12, 31), kind="deadline", title="Appeal due"),
        ChronologyEntry(on=date(2025, 2, 1), kind="proceeding", title="First instance: filed", detail="Court\nNo. 1"),
    ]
    doc = open_docx(g.chronology_docx(case=CASE, entries=entries, meta=META))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert [r[2] for r in rows] == ["Appeal due", "First instance: filed", "Stop at the metro", "Exhibit No. 2: photo"]
    assert [r[1] for r in rows] == ["Deadline", "Proceeding", "Incident", "Exhibit"]
    assert rows[1][3] == "Court\nNo. 1"


def test_dossier_has_each_incident_with_persons_and_exhibits():
    incidents = [
        DossierIncident(title="Stop at Park Kultury", occurred_at=datetime(2025, 3, 1, 9, 30), location="Moscow",
                        category="Wrongful stop", agency="Metro police", description="First.\n\nSecond.",
                        persons=(PersonRef("Applicant A", "Affected"),), exhibits=("No. 1 — Statement",)),
        DossierIncident(title="Second stop", occurred_at=datetime(2025, 4, 1, 10, 0)),
    ]
    content = g.incident_dossier_docx(case=CASE, incidents=incidents, meta=META,
                                      selection=DossierFilter(category="Wrongful stop", date_from=date(2025, 1, 1)))
    doc = open_docx(content)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "1. Stop at Park Kultury" in text and "2. Second stop" in text
    assert "Selection: category: Wrongful stop; from 2025-01-01." in text
    assert "First." in text and "Second." in text
    summary = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert [r[2] for r in summary] == ["Stop at Park Kultury", "Second stop"]
    facts = {r.cells[0].text: r.cells[1].text for r in doc.tables[1].rows[1:]}
    assert facts["Persons involved"] == "Applicant A (Affected)"
    assert facts["Exhibits"] == "No. 1 — Statement"
    assert facts["Date and time"] == "2025-03-01 09:30"


def test_custody_report_lists_every_event():
    rows = [CustodyRow(exhibit_number=1, exhibit_title="x", at=datetime(2025, 1, 1, 10, 0), action=action,
                       user="lead", sha256=sha(1)) for action in ("Uploaded", "Downloaded", "Exported")]
    doc = open_docx(g.custody_report_docx(case=CASE, rows=rows, meta=META, exhibits=exhibits(1)))
    events = [[c.text for c in r.cells] for r in doc.tables[1].rows[1:]]
    assert [e[2] for e in events] == ["Uploaded", "Downloaded", "Exported"]
    assert all(e[4].replace("\n", "") == sha(1) for e in events)


def test_control_characters_in_user_text_do_not_break_the_document():
    row = ExhibitRow(number=1, title="bad\x00title\x0b", sha256=sha(1), size=1)
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=[row], meta=META))
    assert doc.tables[0].rows[1].cells[1].text == "badtitle"


def test_empty_case_documents_say_so():
    assert "no exhibits yet" in "\n".join(
        p.text for p in open_docx(g.exhibit_list_docx(case=CASE, exhibits=[], meta=META)).paragraphs)
    assert "Nothing has been recorded" in "\n".join(
        p.text for p in open_docx(g.chronology_docx(case=CASE, entries=[], meta=META)).paragraphs)


def test_table_rows_are_built_without_the_quadratic_cell_lookup(monkeypatch):
    """Body rows must not go through python-docx's table.cell()/add_row() (quadratic for big tables)."""
    from docx.table import Table

    def forbidden(*args, **kwargs):
        raise AssertionError("per-cell python-docx access in a generator")

    monkeypatch.setattr(Table, "cell", forbidden)
    monkeypatch.setattr(Table, "add_row", forbidden)
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(300), meta=META))
    assert len(doc.tables[0].rows) == 301


def test_table_properties_are_schema_ordered_and_not_duplicated():
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(2), meta=META))
    tbl_pr = doc.tables[0]._tbl.tblPr
    tags = [child.tag.split("}")[1] for child in tbl_pr]
    assert tags.count("tblLayout") == 1
    order = ["tblStyle", "tblW", "jc", "tblLayout", "tblLook"]
    assert [t for t in tags if t in order] == order
