"""Court-ready .docx documents, built with python-docx from the plain data in ``documents.data``.

No ORM here: ``documents.selectors`` gathers and filters the data for the caller; these functions only lay it out.

The court look, shared by every document: A4, margins 25 mm left, 15 mm right, 20 mm top and bottom; a header
with the case reference and title; "Page N of M" (PAGE / NUMPAGES fields) in the footer; Times New Roman set for
the Latin, East-Asian and complex-script slots (Cyrillic renders in Word and LibreOffice alike); table header rows
repeated on every page (``w:tblHeader``) and rows that do not split across pages.

Tables grow in linear time: the header row comes from python-docx, every body row is a ``w:tr`` element built
directly with lxml and appended to the table (python-docx's ``table.cell(i, j)`` walks the whole grid on every call
and makes a large table quadratic).
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import wraps

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from documents.data import (
    CaseInfo,
    ChronologyEntry,
    CustodyRow,
    DocumentMeta,
    DossierFilter,
    DossierIncident,
    EntryKind,
    ExhibitRow,
)

FONT = "Times New Roman"
MONO = "DejaVu Sans Mono"
BODY_PT = 11
TABLE_PT = 9
MARGINS_MM = {"left": 25, "right": 15, "top": 20, "bottom": 20}
A4_MM = (210, 297)
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Characters XML 1.0 cannot hold; user text is cleaned of them rather than making lxml raise.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_TR, _TRPR, _TC, _TCPR, _TCW = qn("w:tr"), qn("w:trPr"), qn("w:tc"), qn("w:tcPr"), qn("w:tcW")
_P, _R, _T, _BR, _RPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:br"), qn("w:rPr")
_CANTSPLIT, _TBLHEADER, _VAL, _W_ATTR, _TYPE = qn("w:cantSplit"), qn("w:tblHeader"), qn("w:val"), qn("w:w"), qn("w:type")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def clean(text: object) -> str:
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


# --- Formatting --------------------------------------------------------------------------------------------------
def fmt_date(value: date | datetime | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M" if language == "ru" else "%Y-%m-%d %H:%M")
    return value.strftime("%d.%m.%Y" if language == "ru" else "%Y-%m-%d")


def fmt_size(size: int, language: str) -> str:
    text = f"{int(size):,}"
    return text.replace(",", "\u00a0") if language == "ru" else text


def split_hash(sha256: str) -> list[str]:
    """A SHA-256 in two lines of 32 characters (one run with a line break), so it fits a narrow column."""
    return [sha256[:32], sha256[32:]] if len(sha256) > 32 else [sha256]


def _localised(func: Callable) -> Callable:
    """Run a generator in the document's language (``meta.language``), whatever the request's language."""

    @wraps(func)
    def wrapper(*args, meta: DocumentMeta, **kwargs):
        with translation.override(meta.language or "en"):
            return func(*args, meta=meta, **kwargs)

    return wrapper


# --- The document shell -----------------------------------------------------------------------------------------
def _set_fonts(rpr, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        style_ref = rpr.find(qn("w:rStyle"))
        rpr.insert(1 if style_ref is not None else 0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _style_fonts(doc, language: str) -> None:
    lang_tag = "ru-RU" if language == "ru" else "en-GB"
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        try:
            style = doc.styles[style_name]
        except KeyError:  # pragma: no cover - the default template has them all
            continue
        rpr = style.element.get_or_add_rPr()
        _set_fonts(rpr, FONT)
        if style_name.startswith("Heading") or style_name == "Title":
            style.font.color.rgb = None
            for color in rpr.findall(qn("w:color")):
                rpr.remove(color)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = etree.SubElement(rpr, qn("w:lang"))
        lang.set(qn("w:val"), lang_tag)
        lang.set(qn("w:eastAsia"), lang_tag)
        lang.set(qn("w:bidi"), lang_tag)
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.styles["Title"].font.size = Pt(16)
    doc.styles["Heading 1"].font.size = Pt(13)
    doc.styles["Heading 2"].font.size = Pt(11.5)
    # Document defaults too, so text outside any style (table cells built by hand) uses the same font.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            default_rpr = rpr_default.find(qn("w:rPr"))
            _set_fonts(default_rpr, FONT)
            default_lang = default_rpr.find(qn("w:lang"))
            if default_lang is not None:
                for attr in ("w:val", "w:eastAsia", "w:bidi"):
                    default_lang.set(qn(attr), lang_tag)


def _add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (PAGE, NUMPAGES) that Word and LibreOffice both update when they lay out the pages."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", placeholder), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = etree.SubElement(run._r, qn("w:instrText"))
            instr.set(_XML_SPACE, "preserve")
            instr.text = f" {text} "
        elif kind == "text":
            run.text = text
        else:
            fld = etree.SubElement(run._r, qn("w:fldChar"))
            fld.set(qn("w:fldCharType"), kind)


def new_document(*, case: CaseInfo, meta: DocumentMeta, title: str, landscape: bool = False):
    doc = Document()
    _style_fonts(doc, meta.language)
    section = doc.sections[0]
    width, height = A4_MM
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.header_distance = section.footer_distance = Mm(10)

    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header_run = header.add_run(" · ".join(clean(x) for x in (case.reference, case.title) if x))
    header_run.font.size = Pt(8)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_("Page") + " ")
    _add_field(footer, "PAGE")
    footer.add_run(" " + _("of") + " ")
    _add_field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)

    props = doc.core_properties
    props.title = clean(f"{title} — {case.title}")[:250]
    props.author = clean(meta.generated_by)[:250] or "Docket"
    props.language = "ru-RU" if meta.language == "ru" else "en-GB"
    props.comments = ""
    if meta.generated_at:
        props.created = meta.generated_at
        props.modified = meta.generated_at

    doc.add_paragraph(clean(title), style="Title")
    intro = doc.add_paragraph()
    intro.add_run(_("Case") + ": ").bold = True
    intro.add_run(clean(case.title))
    if case.reference:
        intro.add_run("\n" + _("Reference") + ": ").bold = True
        intro.add_run(clean(case.reference))
    if case.court:
        intro.add_run("\n" + _("Court") + ": ").bold = True
        intro.add_run(clean(case.court))
    if meta.generated_at:
        stamp = doc.add_paragraph()
        text = _("Generated on %(when)s") % {"when": fmt_date(meta.generated_at, meta.language)}
        if meta.generated_by:
            text += " " + _("by %(user)s") % {"user": clean(meta.generated_by)}
        run = stamp.add_run(text + ".")
        run.italic = True
        run.font.size = Pt(9)
    return doc


def usable_width_mm(doc) -> float:
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


# --- Fast tables --------------------------------------------------------------------------------------------------
Cell = str | Sequence[str] | None  # a string, or lines shown with line breaks between them


class FastTable:
    """A table whose header comes from python-docx and whose body rows are appended as raw ``w:tr`` elements."""

    def __init__(self, doc, headers: Sequence[str], widths_mm: Sequence[float], *, mono: Iterable[int] = (),
                 font_pt: float = TABLE_PT) -> None:
        self.widths = [int(Mm(w).twips) for w in widths_mm]
        self.mono = frozenset(mono)
        self.half_points = str(int(font_pt * 2))
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl = table._tbl  # autofit=False above already made the layout fixed (w:tblLayout)
        tbl_width = tbl.tblPr.find(qn("w:tblW"))
        if tbl_width is not None:
            tbl_width.set(qn("w:type"), "dxa")
            tbl_width.set(qn("w:w"), str(sum(self.widths)))
        for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), self.widths):
            col.set(qn("w:w"), str(width))
        header_tr = tbl.tr_lst[0]
        trpr = header_tr.get_or_add_trPr()
        etree.SubElement(trpr, _CANTSPLIT)
        etree.SubElement(trpr, _TBLHEADER)  # repeat this row at the top of every page
        for cell, text, width in zip(table.rows[0].cells, headers, self.widths):
            cell.width = width * 635  # twips → EMU
            run = cell.paragraphs[0].add_run(clean(text))
            run.bold = True
            run.font.size = Pt(font_pt)
            shading = etree.SubElement(cell._tc.get_or_add_tcPr(), qn("w:shd"))
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), "E7E6E6")
        self.table = table
        self._tbl = tbl
        self.rows = 0

    def _run(self, p, text: str, *, mono: bool, bold: bool = False):
        r = etree.SubElement(p, _R)
        rpr = etree.SubElement(r, _RPR)
        if mono:
            fonts = etree.SubElement(rpr, qn("w:rFonts"))
            for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(slot), MONO)
        if bold:
            etree.SubElement(rpr, qn("w:b"))
        size = etree.SubElement(rpr, qn("w:sz"))
        size.set(_VAL, str(int(int(self.half_points) * (0.8 if mono else 1))))
        size_cs = etree.SubElement(rpr, qn("w:szCs"))
        size_cs.set(_VAL, size.get(_VAL))
        return r

    def add_row(self, values: Sequence[Cell], *, bold: bool = False) -> None:
        tr = etree.SubElement(self._tbl, _TR)
        trpr = etree.SubElement(tr, _TRPR)
        etree.SubElement(trpr, _CANTSPLIT)
        for index, (value, width) in enumerate(zip(values, self.widths)):
            tc = etree.SubElement(tr, _TC)
            tcpr = etree.SubElement(tc, _TCPR)
            tcw = etree.SubElement(tcpr, _TCW)
            tcw.set(_W_ATTR, str(width))
            tcw.set(_TYPE, "dxa")
            p = etree.SubElement(tc, _P)
            if value is None or value == "":
                continue
            lines = [value] if isinstance(value, str) else list(value)
            r = self._run(p, "", mono=index in self.mono, bold=bold)
            for n, line in enumerate(lines):
                for m, part in enumerate(clean(line).split("\n")):
                    if n or m:
                        etree.SubElement(r, _BR)
                    t = etree.SubElement(r, _T)
                    t.set(_XML_SPACE, "preserve")
                    t.text = part
        self.rows += 1


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _widths(doc, fractions: Sequence[float]) -> list[float]:
    total = usable_width_mm(doc)
    scale = total / sum(fractions)
    return [f * scale for f in fractions]


def _note(doc, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.font.size = Pt(9)
    run.italic = True


# --- The exhibit list ----------------------------------------------------------------------------------------------
@_localised
def exhibit_list_docx(*, case: CaseInfo, exhibits: Sequence[ExhibitRow], meta: DocumentMeta) -> bytes:
    """Every exhibit: number, title, kind, date obtained, source, SHA-256 and size in bytes."""
    doc = new_document(case=case, meta=meta, title=_("List of exhibits"))
    _note(
        doc,
        _("Each SHA-256 digest was computed from the exhibit's bytes when they were received; any copy can be "
          "checked against it."),
    )
    table = FastTable(
        doc,
        [_("No."), _("Title"), _("Kind"), _("Date obtained"), _("Source"), _("SHA-256"), _("Size, bytes")],
        _widths(doc, [11, 35, 15, 20, 17, 58, 18]),
        mono={5},
    )
    lang = meta.language
    for ex in exhibits:
        title = clean(ex.title)
        if ex.restricted:
            title += "\n" + _("(restricted)")
        table.add_row(
            [str(ex.number), title, ex.kind, fmt_date(ex.obtained_on, lang), ex.source, split_hash(ex.sha256),
             fmt_size(ex.size, lang)]
        )
    if not exhibits:
        doc.add_paragraph(_("The case has no exhibits yet."))
    else:
        total = sum(ex.size for ex in exhibits)
        doc.add_paragraph(
            _("Exhibits: %(count)s; total size: %(size)s bytes.") % {"count": len(exhibits), "size": fmt_size(total, lang)}
        )
    return to_bytes(doc)


# --- The chronology ------------------------------------------------------------------------------------------------
def chronology_sorted(entries: Iterable[ChronologyEntry]) -> list[ChronologyEntry]:
    """Date order; on the same day incidents, then proceedings, deadlines and exhibits; then by title."""
    order = {kind: n for n, kind in enumerate(EntryKind.ORDER)}
    return sorted(entries, key=lambda e: (e.on, order.get(e.kind, len(order)), e.title))


def entry_kind_label(kind: str) -> str:
    return {
        EntryKind.INCIDENT: _("Incident"),
        EntryKind.PROCEEDING: _("Proceeding"),
        EntryKind.DEADLINE: _("Deadline"),
        EntryKind.EXHIBIT: _("Exhibit"),
    }.get(kind, kind)


@_localised
def chronology_docx(*, case: CaseInfo, entries: Iterable[ChronologyEntry], meta: DocumentMeta) -> bytes:
    """Incidents, proceeding events, deadlines and exhibits of the case, in date order."""
    doc = new_document(case=case, meta=meta, title=_("Chronology"))
    ordered = chronology_sorted(entries)
    table = FastTable(doc, [_("Date"), _("Type"), _("Event"), _("Details")], _widths(doc, [18, 17, 55, 60]))
    for entry in ordered:
        table.add_row([fmt_date(entry.on, meta.language), entry_kind_label(entry.kind), entry.title, entry.detail])
    if not ordered:
        doc.add_paragraph(_("Nothing has been recorded for this case yet."))
    return to_bytes(doc)


# --- The incident dossier -------------------------------------------------------------------------------------------
@_localised
def incident_dossier_docx(*, case: CaseInfo, incidents: Sequence[DossierIncident], meta: DocumentMeta,
                          selection: DossierFilter | None = None) -> bytes:
    """The chosen incidents with their details, the persons involved and the exhibits that document them."""
    doc = new_document(case=case, meta=meta, title=_("Incident dossier"))
    lang = meta.language
    if selection is not None:
        parts = []
        if selection.category:
            parts.append(_("category: %(value)s") % {"value": selection.category})
        if selection.location:
            parts.append(_("location: %(value)s") % {"value": selection.location})
        if selection.date_from:
            parts.append(_("from %(value)s") % {"value": fmt_date(selection.date_from, lang)})
        if selection.date_to:
            parts.append(_("to %(value)s") % {"value": fmt_date(selection.date_to, lang)})
        if selection.incident_ids:
            parts.append(_("chosen incidents: %(count)s") % {"count": len(selection.incident_ids)})
        if parts:
            _note(doc, _("Selection") + ": " + "; ".join(clean(p) for p in parts) + ".")
    _note(doc, _("Incidents: %(count)s.") % {"count": len(incidents)})

    # A summary table first, then one section per incident.
    summary = FastTable(
        doc, [_("No."), _("Date"), _("Incident"), _("Location"), _("Category")], _widths(doc, [8, 22, 55, 40, 25])
    )
    for n, incident in enumerate(incidents, 1):
        summary.add_row([str(n), fmt_date(incident.occurred_at, lang), incident.title, incident.location,
                         incident.category])

    width = _widths(doc, [35, 115])
    for n, incident in enumerate(incidents, 1):
        doc.add_heading(f"{n}. {clean(incident.title)}", level=1)
        facts = FastTable(doc, [_("Field"), _("Value")], width)
        for label, value in (
            (_("Date and time"), fmt_date(incident.occurred_at, lang)),
            (_("Location"), incident.location),
            (_("Category"), incident.category),
            (_("Agency"), incident.agency),
            (_("System involved"), incident.system_involved),
        ):
            if value:
                facts.add_row([label, value])
        if incident.persons:
            facts.add_row(
                [_("Persons involved"),
                 [f"{clean(p.label)} ({clean(p.part)})" if p.part else clean(p.label) for p in incident.persons]]
            )
        facts.add_row([_("Exhibits"), list(incident.exhibits) if incident.exhibits else _("none")])
        if incident.description:
            doc.add_heading(_("Description"), level=2)
            for paragraph in clean(incident.description).split("\n\n"):
                doc.add_paragraph(paragraph.strip())
    if not incidents:
        doc.add_paragraph(_("No incident matches this selection."))
    return to_bytes(doc)


# --- The custody report ---------------------------------------------------------------------------------------------
@_localised
def custody_report_docx(*, case: CaseInfo, rows: Sequence[CustodyRow], meta: DocumentMeta,
                        exhibits: Sequence[ExhibitRow] = ()) -> bytes:
    """The chain of custody of a case's exhibits (or of one exhibit): every event, oldest first per exhibit."""
    title = _("Chain of custody report")
    if len(exhibits) == 1:
        title += " — " + _("exhibit No. %(number)s") % {"number": exhibits[0].number}
    doc = new_document(case=case, meta=meta, title=title)
    if exhibits:
        doc.add_heading(_("Exhibits"), level=1)
        summary = FastTable(doc, [_("No."), _("Title"), _("SHA-256"), _("Size, bytes")], _widths(doc, [11, 60, 56, 23]),
                            mono={2})
        for ex in exhibits:
            summary.add_row([str(ex.number), ex.title, split_hash(ex.sha256), fmt_size(ex.size, meta.language)])
    doc.add_heading(_("Custody events"), level=1)
    table = FastTable(
        doc,
        [_("No."), _("Date and time"), _("Action"), _("By"), _("SHA-256"), _("Details")],
        _widths(doc, [11, 24, 17, 18, 54, 26]),
        mono={4},
    )
    for row in rows:
        table.add_row(
            ["" if row.exhibit_number is None else str(row.exhibit_number), fmt_date(row.at, meta.language),
             row.action, row.user, split_hash(row.sha256), row.detail]
        )
    if not rows:
        doc.add_paragraph(_("No custody event has been recorded."))
    return to_bytes(doc)
