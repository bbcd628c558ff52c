"""The python-docx generators on plain data (no database): content, order, wording and the court layout."""
from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from documents import case_documents as cd, formatting as fmt, generators as g
from documents.data import (
    CaseInfo,
    ChronologyEntry,
    CustodyCheck,
    CustodyExhibit,
    CustodyRow,
    DocumentMeta,
    DossierFilter,
    DossierIncident,
    ExhibitRow,
    PartyLine,
    PersonRef,
    Signature,
)

MSK = ZoneInfo("Europe/Moscow")
CASE = CaseInfo(
    id=7, title="Иванова против ГУ МВД по г. Москве", reference="DRDC-2026/3", court="Тверской районный суд г. Москвы",
    court_case_number="2а-123/2026", procedure="cas",
    parties=(PartyLine("Административный истец", "Иванова Мария Петровна"),
             PartyLine("Административный ответчик", "ГУ МВД России по г. Москве"),
             PartyLine("Заинтересованное лицо", "Департамент информационных технологий г. Москвы")),
)
META = DocumentMeta(language="en", generated_at=datetime(2026, 11, 24, 12, 0, tzinfo=MSK), generated_by="coordinator",
                    zone="Europe/Moscow (MSK, UTC+03:00)",
                    signature=Signature(full_name="Voronova Anna Sergeyevna", position="Advocate",
                                        power_of_attorney="power of attorney No. 77 AA 1234567", place="Moscow",
                                        signed_on=date(2026, 11, 24)))
RU = DocumentMeta(language="ru", generated_at=META.generated_at, zone="Europe/Moscow (МСК, UTC+03:00)",
                  signature=Signature(full_name="Воронова Анна Сергеевна", position="Адвокат",
                                      power_of_attorney="доверенность от 10 января 2025 г. № 77 АА 1234567",
                                      place="г. Москва", signed_on=date(2026, 11, 24)))


@pytest.fixture(autouse=True)
def moscow(settings):
    """Documents write times in the site's zone: here Moscow, as the demo sets it."""
    settings.TIME_ZONE = "Europe/Moscow"


def sha(n: int) -> str:
    return f"{n:064x}"


def exhibits(n: int) -> list[ExhibitRow]:
    return [ExhibitRow(number=k, title=f"Exhibit title {k}", kind="Photo",
                       obtained_on=date(2025, 1, 1 + k % 28) if k % 5 else None, source="Applicant",
                       sha256=sha(k), size=1000 + k, file_name=f"{k:03d}_photo_{k}.jpg",
                       pages=None if k % 7 == 0 else k % 4 + 1) for k in range(1, n + 1)]


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def text_of(doc) -> str:
    """Paragraphs, then the text of every table cell (the signature block is a table of its own)."""
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_exhibit_list_columns_a_court_expects():
    rows = exhibits(40)
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=rows, meta=META))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["No.", "Title", "File name", "Pages", "Date obtained", "SHA-256"]
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(body) == 40
    for cells, row in zip(body, rows):
        assert cells[0] == str(row.number)
        assert cells[1] == row.title
        assert cells[2] == row.file_name
        assert cells[3] == ("" if row.pages is None else str(row.pages))
        # Unknown stays blank: no fallback to another date.
        assert cells[4] == ("" if row.obtained_on is None else fmt.format_date(row.obtained_on, "en"))
        assert cells[5] == row.sha256  # one unbroken 64-character string


def test_a_hash_is_one_run_in_a_readable_monospace_column_wide_enough_for_it():
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(3), meta=META))
    cell = doc.tables[0].rows[1].cells[5]
    runs = cell._tc.findall(".//" + qn("w:r"))
    assert len(runs) == 1 and runs[0].find(qn("w:br")) is None  # no line break inside
    size = runs[0].find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val"))
    assert int(size) >= 16  # 8 pt or more: no 7 pt hashes
    fonts = runs[0].find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == g.MONO
    width_mm = int(doc.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))[5].get(qn("w:w"))) / 56.7
    assert width_mm >= fmt.text_width_mm(sha(1), g.HASH_PT, "mono") + 3.8  # fits on one line with the cell margins


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_column_is_narrower_than_its_longest_word(language):
    """Mid-word breaks come from columns narrower than a word: every column fits its longest word."""
    long_title = "Видеонаблюдение Административный Распознавание"
    rows = [ExhibitRow(number=1, title=long_title, sha256=sha(1), file_name="001_x.pdf", pages=12,
                       obtained_on=date(2025, 3, 1))]
    meta = RU if language == "ru" else META
    with translation.override(language):
        doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=rows, meta=meta))
    table = doc.tables[0]
    widths = [int(c.get(qn("w:w"))) / 56.7 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    for col, width in enumerate(widths):
        for row in table.rows:
            text = row.cells[col].text
            face = "mono" if col == 5 and row._index else ("serif-bold" if row._index == 0 else "serif")
            size = g.HASH_PT if face == "mono" else g.TABLE_PT
            need = (fmt.text_width_mm(text, size, face) if face == "mono" else fmt.longest_word_mm(text, size, face))
            assert need + 3.8 <= width, (col, text, need, width)
    assert sum(widths) <= 297 - 25 - 15 + 0.5  # and the table still fits the landscape page


def test_header_block_court_numbers_parties_and_the_signature_block():
    with translation.override("ru"):
        doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(1), meta=RU))
    text = text_of(doc)
    assert "Суд: Тверской районный суд г. Москвы" in text
    assert "Номер дела в суде: 2а-123/2026" in text
    assert "Внутренний номер: DRDC-2026/3" in text  # labelled as what it is: not the court's number
    assert "Административный истец: Иванова Мария Петровна" in text
    assert "Заинтересованное лицо: Департамент информационных технологий г. Москвы" in text
    assert "Воронова Анна Сергеевна" in text and "Адвокат" in text
    assert "г. Москва, 24\u00a0ноября 2026\u00a0г." in text
    assert doc.sections[0].header.paragraphs[0].text.startswith("Дело №\u00a02а-123/2026 · ")


def test_court_layout_landscape_a4_margins_page_numbers_repeated_header_rows_no_hyphenation():
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(3), meta=META))
    section = doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (297, 210)
    assert [round(x / Mm(1)) for x in (section.left_margin, section.right_margin, section.top_margin,
                                       section.bottom_margin)] == [25, 15, 20, 20]
    footer_xml = section.footer._element.xml
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert all(fonts.get(qn(f"w:{slot}")) == g.FONT for slot in ("ascii", "hAnsi", "eastAsia", "cs"))
    assert doc.settings.element.find(qn("w:autoHyphenation")).get(qn("w:val")) == "false"


def test_russian_documents_use_russian_dates_times_and_language_tag():
    with translation.override("ru"):
        doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=exhibits(2), meta=RU))
    assert doc.tables[0].rows[1].cells[4].text == "2\u00a0января 2025\u00a0г."
    assert "Составлено 24\u00a0ноября 2026\u00a0г., 12:00\u00a0МСК." in text_of(doc)
    assert "Время указано по часовому поясу Europe/Moscow (МСК, UTC+03:00)." in text_of(doc)
    assert doc.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "ru-RU"
    assert doc.core_properties.language == "ru-RU"


def test_chronology_sorts_by_date_then_kind_then_time_or_number():
    entries = [
        ChronologyEntry(on=date(2025, 5, 1), kind="exhibit", title="Exhibit No. 10 obtained", order=(10,)),
        ChronologyEntry(on=date(2025, 5, 1), kind="exhibit", title="Exhibit No. 9 obtained", order=(9,)),
        ChronologyEntry(on=date(2025, 5, 1), kind="incident", title="B late stop", order=("23:00:00", 2)),
        ChronologyEntry(on=date(2025, 5, 1), kind="incident", title="A early stop", order=("01:30:00", 1)),
        ChronologyEntry(on=date(2024, 12, 31), kind="deadline", title="Appeal due"),
        ChronologyEntry(on=date(2025, 2, 1), kind="proceeding", title="Appeal lodged", detail="Court\ncase No. 1"),
    ]
    doc = open_docx(cd.chronology_docx(case=CASE, entries=entries, meta=META))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert [r[2] for r in rows] == ["Appeal due", "Appeal lodged", "A early stop", "B late stop",
                                    "Exhibit No.\u00a09 obtained", "Exhibit No.\u00a010 obtained"]
    assert [r[1] for r in rows] == ["Time-limit", "Court proceedings", "Incident", "Incident", "Exhibit", "Exhibit"]
    assert rows[1][3] == "Court\ncase No.\u00a01"
    assert rows[0][0] == "31\u00a0December 2024"


def test_a_warning_heads_the_chronology_when_given():
    doc = open_docx(cd.chronology_docx(case=CASE, entries=[], meta=META, warning="The Convention ceased to apply."))
    assert "Warning: The Convention ceased to apply." in text_of(doc)


def test_dossier_has_each_incident_with_persons_and_exhibits():
    incidents = [
        DossierIncident(title="Stop at Park Kultury", occurred_at=datetime(2025, 3, 1, 9, 30, tzinfo=MSK),
                        location="Moscow", category="Wrongful stop", agency="Metro police",
                        description="First.\n\nSecond.", persons=(PersonRef("Applicant A", "Affected person"),),
                        exhibits=("No. 1 — Statement",)),
        DossierIncident(title="Second stop", occurred_at=datetime(2025, 4, 1, 10, 0, tzinfo=MSK)),
    ]
    content = cd.incident_dossier_docx(case=CASE, incidents=incidents, meta=META,
                                      selection=DossierFilter(category="Wrongful stop", date_from=date(2025, 1, 1)))
    doc = open_docx(content)
    text = text_of(doc)
    assert "1. Stop at Park Kultury" in text and "2. Second stop" in text
    assert "Selection: category: Wrongful stop; from 1\u00a0January 2025." in text
    assert "First." in text and "Second." in text
    summary = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert [r[2] for r in summary] == ["Stop at Park Kultury", "Second stop"]
    facts = {r.cells[0].text: r.cells[1].text for r in doc.tables[1].rows[1:]}
    assert facts["Persons involved"] == "Applicant A (Affected person)"
    assert facts["Exhibits"] == "No.\u00a01 — Statement"
    assert facts["Date and time"] == "1\u00a0March 2025, 09:30\u00a0MSK"


def test_custody_report_has_entry_hashes_the_head_seal_the_check_and_how_to_recheck():
    row = exhibits(1)[0]
    entries = tuple(CustodyRow(exhibit_number=1, seq=n, at=datetime(2025, 1, 1, 10, n, tzinfo=MSK), event=event,
                               user="Воронова А. С. (lead)", entry_hash=sha(100 + n))
                    for n, event in enumerate(["File received and stored", "File downloaded", "Exported"], start=1))
    item = CustodyExhibit(exhibit=row, rows=entries, head_seq=3, head_entry_hash=sha(103), head_seal=sha(999),
                          check=CustodyCheck(ok=True, file_ok=True, chain_ok=True, entries=3),
                          checked_at=datetime(2026, 11, 24, 12, 0, tzinfo=MSK))
    doc = open_docx(cd.custody_report_docx(case=CASE, exhibits=[item], meta=META))
    events = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert [e[2] for e in events] == ["File received and stored", "File downloaded", "Exported"]
    assert [e[4] for e in events] == [sha(101), sha(102), sha(103)]
    text = text_of(doc)
    assert f"SHA-256 of the file: {sha(1)}" in text
    assert f"Seal of the head (HMAC-SHA256): {sha(999)}" in text
    assert "Checked when this report was made (24\u00a0November 2026, 12:00\u00a0MSK): the file matches" in text
    assert "How to check this report" in text and "certutil -hashfile" in text
    broken = CustodyExhibit(exhibit=row, rows=entries, check=CustodyCheck(
        ok=False, file_ok=False, chain_ok=True, entries=3, problems=("the stored file does not match its digest",)))
    text = text_of(open_docx(cd.custody_report_docx(case=CASE, exhibits=[broken], meta=META)))
    assert "THE FILE DOES NOT MATCH ITS SHA-256 OR IS MISSING" in text
    assert "the stored file does not match its digest" in text


def test_control_characters_in_user_text_do_not_break_the_document():
    row = ExhibitRow(number=1, title="bad\x00title\x0b", sha256=sha(1), size=1)
    doc = open_docx(g.exhibit_list_docx(case=CASE, exhibits=[row], meta=META))
    assert doc.tables[0].rows[1].cells[1].text == "badtitle"


def test_empty_case_documents_say_so():
    assert "no exhibits yet" in text_of(open_docx(g.exhibit_list_docx(case=CASE, exhibits=[], meta=META)))
    assert "Nothing has been recorded" in text_of(open_docx(cd.chronology_docx(case=CASE, entries=[], meta=META)))


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


def test_fit_widths_keeps_every_minimum_and_fills_the_width():
    widths = g.fit_widths(100, [1, 1, 1], [50, 5, 5])
    assert widths[0] == 50 and abs(sum(widths) - 100) < 1e-6 and widths[1] == widths[2] == 25
