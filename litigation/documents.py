"""The table of authorities and the request letter, as .docx (python-docx), in English or Russian.

The court look follows documents/generators.py: A4, margins 25 mm left, 15 mm right, 20 mm top and bottom, Times
New Roman in every script slot (Cyrillic renders in Word and LibreOffice alike), "Page N of M" in the footer,
table header rows repeated on every page and rows that never split. It lives here, not in documents/, while that app
is being rewritten; the shell is small enough to fold into documents' own once it settles.

No ORM here: ``litigation.selectors`` gathers what the caller may see; these functions only lay it out.
A SHA-256 is always one unbroken 64-character string, in a monospaced run of its own that fits the line.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

FONT = "Times New Roman"
MONO = "DejaVu Sans Mono"
MARGINS_MM = {"left": 25, "right": 15, "top": 20, "bottom": 20}
A4_MM = (210, 297)
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def clean(text: object) -> str:
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def fmt_date(value: dt.date | None, language: str) -> str:
    """31.01.2026 in Russian (as courts write it), 31 January 2026 in English (as the ECHR does)."""
    if value is None:
        return ""
    if language == "ru":
        return value.strftime("%d.%m.%Y")
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


# --- The shell ------------------------------------------------------------------------------------------------
def _set_fonts(rpr, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _styles(doc, language: str) -> None:
    tag = "ru-RU" if language == "ru" else "en-GB"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = doc.styles[name]
        rpr = style.element.get_or_add_rPr()
        _set_fonts(rpr, FONT)
        if name != "Normal" and name != "Table Grid":
            style.font.color.rgb = None
            for color in rpr.findall(qn("w:color")):
                rpr.remove(color)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = etree.SubElement(rpr, qn("w:lang"))
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attr), tag)
    doc.styles["Normal"].font.size = Pt(12)
    doc.styles["Title"].font.size = Pt(15)
    doc.styles["Heading 1"].font.size = Pt(13)
    doc.styles["Heading 2"].font.size = Pt(12)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        _set_fonts(rpr, FONT)


def _field(paragraph, instruction: str) -> None:
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            instr = etree.SubElement(run._r, qn("w:instrText"))
            instr.set(_XML_SPACE, "preserve")
            instr.text = f" {instruction} "
        elif kind == "text":
            run.text = "1"
        else:
            etree.SubElement(run._r, qn("w:fldChar")).set(qn("w:fldCharType"), kind)


def new_document(*, language: str, title: str, header: str = "", author: str = "", when: dt.datetime | None = None):
    doc = Document()
    _styles(doc, language)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.header_distance = section.footer_distance = Mm(10)
    if header:
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(clean(header)).font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" " + _("of") + " ")
    _field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)
    props = doc.core_properties
    props.title = clean(title)[:250]
    props.author = clean(author)[:250] or "Docket"
    props.language = "ru-RU" if language == "ru" else "en-GB"
    props.comments = ""
    if when is not None:
        props.created = props.modified = when
    return doc


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    etree.SubElement(trpr, qn("w:cantSplit"))
    etree.SubElement(trpr, qn("w:tblHeader"))


def _no_split(row) -> None:
    etree.SubElement(row._tr.get_or_add_trPr(), qn("w:cantSplit"))


def _table(doc, headers: Sequence[str], widths_mm: Sequence[float]):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(width).twips)))  # LibreOffice lays columns out from the grid
    _repeat_header(table.rows[0])
    for cell, text, width in zip(table.rows[0].cells, headers, widths_mm):
        cell.width = Mm(width)
        run = cell.paragraphs[0].add_run(clean(text))
        run.bold = True
        run.font.size = Pt(10)
        shading = etree.SubElement(cell._tc.get_or_add_tcPr(), qn("w:shd"))
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "E7E6E6")
    return table


def _row(table, widths_mm: Sequence[float], cells: Sequence[Sequence[tuple[str, bool, bool]]]) -> None:
    """A body row; each cell is a list of lines (text, bold, italic), one paragraph each. Built as a raw ``w:tr``
    with lxml: python-docx's ``row.cells`` walks the whole table on every call, which makes a long table quadratic."""
    tr = etree.SubElement(table._tbl, qn("w:tr"))
    etree.SubElement(etree.SubElement(tr, qn("w:trPr")), qn("w:cantSplit"))
    for width, lines in zip(widths_mm, cells):
        tc = etree.SubElement(tr, qn("w:tc"))
        tcw = etree.SubElement(etree.SubElement(tc, qn("w:tcPr")), qn("w:tcW"))
        tcw.set(qn("w:w"), str(int(Mm(width).twips)))
        tcw.set(qn("w:type"), "dxa")
        for text, bold, italic in lines or [("", False, False)]:
            r = etree.SubElement(etree.SubElement(tc, qn("w:p")), qn("w:r"))
            rpr = etree.SubElement(r, qn("w:rPr"))
            if bold:
                etree.SubElement(rpr, qn("w:b"))
            if italic:
                etree.SubElement(rpr, qn("w:i"))
            for tag in ("w:sz", "w:szCs"):
                etree.SubElement(rpr, qn(tag)).set(qn("w:val"), "20")  # 10 pt
            t = etree.SubElement(r, qn("w:t"))
            t.set(_XML_SPACE, "preserve")
            t.text = clean(text)


def _digest_paragraphs(doc, label: str, sha256: str) -> None:
    """The label on one line, the 64 hex digits on the next, monospaced and small enough never to wrap."""
    p = doc.add_paragraph()
    run = p.add_run(label)
    run.font.size = Pt(9)
    run.italic = True
    p = doc.add_paragraph()
    run = p.add_run(sha256)
    run.font.size = Pt(8)
    run.font.name = MONO
    _set_fonts(run._r.get_or_add_rPr(), MONO)


# --- The table of authorities ---------------------------------------------------------------------------------
@dataclass
class CaseHead:
    title: str
    reference: str = ""
    court: str = ""


@dataclass
class CitedIn:
    claim_number: int
    claim_right: str
    pinpoint: str


@dataclass
class AuthorityRow:
    kind: str
    title: str
    citation: str = ""
    court: str = ""
    date: dt.date | None = None
    identifier: str = ""
    url: str = ""
    cited_in: Sequence[CitedIn] = ()


def group_heading(kind: str) -> str:
    return {"judgment": _("Judgments"), "decision": _("Decisions"), "statute": _("Legislation"),
            "other": _("Other authorities")}.get(kind, kind)


def content_digest(case: CaseHead, groups: Sequence[tuple[str, Sequence[AuthorityRow]]]) -> str:
    """SHA-256 of the table's content (not of the .docx, whose bytes change with every save): two printouts with
    the same digest list the same authorities for the same claims."""
    payload = {
        "case": [case.title, case.reference, case.court],
        "groups": [[kind, [[r.title, r.citation, r.court, r.date.isoformat() if r.date else "", r.identifier,
                            r.url, [[c.claim_number, c.claim_right, c.pinpoint] for c in r.cited_in]]
                           for r in rows]] for kind, rows in groups],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def table_of_authorities_docx(*, case: CaseHead, groups: Sequence[tuple[str, Sequence[AuthorityRow]]],
                              language: str, generated_by: str = "", generated_at: dt.datetime | None = None) -> bytes:
    """The authorities cited by the case's claims, grouped by kind, each with the claims citing it and where."""
    with translation.override(language):
        title = _("Table of authorities")
        header = " · ".join(clean(x) for x in (case.reference, case.title) if x)
        doc = new_document(language=language, title=f"{title} — {case.title}", header=header,
                           author=generated_by, when=generated_at)
        doc.add_paragraph(title, style="Title")
        intro = doc.add_paragraph()
        intro.add_run(_("Case") + ": ").bold = True
        intro.add_run(clean(case.title))
        if case.reference:
            intro.add_run("\n" + _("Reference") + ": ").bold = True
            intro.add_run(clean(case.reference))
        if case.court:
            intro.add_run("\n" + _("Court") + ": ").bold = True
            intro.add_run(clean(case.court))
        widths = (12, 98, 60)
        number = 0
        for kind, rows in groups:
            doc.add_heading(group_heading(kind), level=1)
            table = _table(doc, [_("No."), _("Authority"), _("Cited in")], widths)
            for row in rows:
                number += 1
                described = [(row.citation or row.title, True, False)]
                if row.citation and row.title and row.title.lower() not in row.citation.lower():
                    described.append((row.title, False, False))
                facts = "; ".join(x for x in (row.court, fmt_date(row.date, language), row.identifier) if x)
                if facts:
                    described.append((facts, False, False))
                if row.url:
                    described.append((row.url, False, True))
                cited = [(_("Claim %(n)s (%(right)s)") % {"n": c.claim_number, "right": c.claim_right}
                          + (f": {c.pinpoint}" if c.pinpoint else ""), False, False) for c in row.cited_in]
                _row(table, widths, [[(str(number), False, False)], described, cited])
        if not groups:
            doc.add_paragraph(_("No claim of this case cites an authority yet."))
        else:
            note = doc.add_paragraph()
            run = note.add_run(_("Pinpoints refer to paragraphs of judgments and decisions and to articles of "
                                 "statutes. Authorities: %(count)s.") % {"count": number})
            run.font.size = Pt(9)
            run.italic = True
        stamp = _("Generated on %(when)s") % {"when": fmt_date((generated_at or dt.datetime.now()).date(), language)}
        if generated_by:
            stamp += " " + _("by %(user)s") % {"user": clean(generated_by)}
        _digest_paragraphs(doc, stamp + ". " + _("SHA-256 of the table's content:"), content_digest(case, groups))
        return to_bytes(doc)


# --- The request letter ---------------------------------------------------------------------------------------
@dataclass
class LetterData:
    kind: str
    addressee: str
    requester: str
    subject: str = ""
    body: str = ""
    reply_to: str = ""
    reference: str = ""
    sent_on: dt.date | None = None


def _letter_title(kind: str) -> str:
    return {
        "ru-152fz-access": pgettext("letter title", "Request of a personal data subject"),
        "ru-59fz-appeal": pgettext("letter title", "Appeal"),
        "ru-8fz-information": pgettext("letter title", "Request for information"),
        "gdpr-access": pgettext("letter title", "Subject access request"),
        "dpa-complaint": pgettext("letter title", "Complaint"),
    }.get(kind, pgettext("letter title", "Request"))


def _letter_paragraphs(kind: str) -> tuple[list[str], str]:
    """The standard opening paragraphs and the closing paragraph on the time to reply, per kind."""
    if kind == "ru-152fz-access":
        return ([
            _("Under Articles 14 and 20 of Federal Law No. 152-FZ of 27 July 2006 \"On Personal Data\", I ask you to "
              "confirm whether you process my personal data and, if you do, to provide me with the information "
              "listed in Article 14(7) of that Law: the legal grounds and purposes of the processing; the purposes "
              "and methods of processing you apply; your name and address and those of anyone who has access to "
              "the data or to whom it may be disclosed; the personal data processed and its source; the periods "
              "of processing and storage; and the name of any person processing the data on your behalf."),
            _("Identity document of the data subject: [series and number, date of issue, issuing authority]. "
              "Information confirming the processing: [e.g. the date and place where the data was collected]."),
        ], _("Please reply within ten working days of receiving this request (Article 20(1) of Federal Law "
             "No. 152-FZ)."))
    if kind == "ru-59fz-appeal":
        return ([_("I submit this appeal under Federal Law No. 59-FZ of 2 May 2006 \"On the Procedure for "
                   "Considering Appeals of Citizens of the Russian Federation\".")],
                _("Please consider this appeal and reply in writing on the merits within 30 days of its registration "
                  "(Article 12(1) of Federal Law No. 59-FZ)."))
    if kind == "ru-8fz-information":
        return ([_("Under Article 18 of Federal Law No. 8-FZ of 9 February 2009 \"On Ensuring Access to "
                   "Information on the Activities of State Bodies and Local Self-Government Bodies\", I ask you to "
                   "provide the following information.")],
                _("Please reply within thirty days of the registration of this request (Article 18 of Federal Law "
                  "No. 8-FZ)."))
    if kind == "gdpr-access":
        return ([_("Under Article 15 of the General Data Protection Regulation (EU) 2016/679, I ask you to confirm "
                   "whether you process personal data concerning me and, if so, to give me a copy of that data and "
                   "the information listed in Article 15(1)(a) to (h).")],
                _("Please reply without undue delay and in any event within one month of receipt of this request "
                  "(Article 12(3) GDPR)."))
    if kind == "dpa-complaint":
        return ([_("Under Article 77 of the General Data Protection Regulation (EU) 2016/679, I lodge a complaint "
                   "about the processing of personal data described below.")],
                _("Please inform me of the progress and the outcome of this complaint (Article 77(2) GDPR); "
                  "Article 78(2) GDPR gives a judicial remedy if I am not informed within three months."))
    return [], ""


def request_letter_docx(*, letter: LetterData, language: str, generated_by: str = "",
                        generated_at: dt.datetime | None = None) -> bytes:
    """A letter ready to sign: addressee and sender blocks, the kind's legal basis, the text of the request and
    the time the law gives for the reply. Identity details the law requires are left as bracketed blanks: they are
    filled in by hand and never stored here."""
    with translation.override(language):
        title = _letter_title(letter.kind)
        doc = new_document(language=language, title=f"{title} — {letter.addressee}", author=generated_by,
                           when=generated_at)
        block = doc.add_paragraph()
        block.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        block.add_run(pgettext("letter", "To") + ": ").bold = True
        block.add_run(clean(letter.addressee))
        block.add_run("\n" + pgettext("letter", "From") + ": ").bold = True
        block.add_run(clean(letter.requester) or _("[name of the applicant]"))
        block.add_run("\n" + _("Address for the reply") + ": ").bold = True
        block.add_run(clean(letter.reply_to) or _("[postal or e-mail address]"))
        if letter.reference:
            block.add_run("\n" + _("Reference") + ": ").bold = True
            block.add_run(clean(letter.reference))
        heading = doc.add_paragraph(title.upper(), style="Title")
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if letter.subject:
            subject = doc.add_paragraph()
            subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
            subject.add_run(clean(letter.subject)).italic = True
        opening, closing = _letter_paragraphs(letter.kind)
        for text in opening:
            doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for part in clean(letter.body).split("\n\n"):
            if part.strip():
                doc.add_paragraph(part.strip()).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if closing:
            doc.add_paragraph(closing).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        when = fmt_date(letter.sent_on, language) if letter.sent_on else _("[date]")
        sign = doc.add_paragraph()
        sign.add_run("\n" + _("Date") + ": " + when)
        sign.add_run("\n" + _("Signature") + ": ____________________ / " + (clean(letter.requester) or "") + " /")
        return to_bytes(doc)
