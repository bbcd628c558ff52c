"""Court-ready .docx documents, built with python-docx from the plain data in ``documents.data``.

No ORM here: ``documents.selectors`` gathers and filters the data for the caller; these functions only lay it out.

The court look, shared by every document: A4 (landscape for the tables that carry SHA-256 digests), margins 25 mm
left, 15 mm right, 20 mm top and bottom; a page header with the court's number and the case; "Page N of M"
(PAGE / NUMPAGES fields) in the footer; Times New Roman in every font slot (Cyrillic renders in Word and LibreOffice
alike); then the header block (court, the court's case number, the internal reference labelled as such, the parties
in the procedure's own words), the title, when the document was made (with the time zone named), the body, and the
signature block (full name, position, power of attorney, place, date).

Tables: header rows repeat on every page (``w:tblHeader``), rows do not split across pages, and every column is at
least as wide as its longest word, measured in the fonts LibreOffice renders with (``documents.formatting``), so no
word is broken mid-word; a SHA-256 is set in DejaVu Sans Mono 8.5 pt in a column wide enough for all 64 characters
on one line. Body rows are ``w:tr`` elements built directly with lxml (python-docx's ``table.cell(i, j)`` walks the
whole grid on every call and makes a large table quadratic).
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from functools import wraps

from django.utils import translation
from django.utils.translation import npgettext, pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from documents import formatting as fmt
from documents.data import CaseInfo, DocumentMeta, ExhibitRow

FONT = "Times New Roman"
MONO = "DejaVu Sans Mono"
BODY_PT = 11
TABLE_PT = 9
HASH_PT = 8.5
MARGINS_MM = {"left": 25, "right": 15, "top": 20, "bottom": 20}
A4_MM = (210, 297)
CELL_PADDING_MM = 2 * 1.9 + 1.2  # Word's default cell margins (0.19 cm each side) and a little air
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Characters XML 1.0 cannot hold; user text is cleaned of them rather than making lxml raise.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_TR, _TRPR, _TC, _TCPR, _TCW = qn("w:tr"), qn("w:trPr"), qn("w:tc"), qn("w:tcPr"), qn("w:tcW")
_P, _R, _T, _BR, _RPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:br"), qn("w:rPr")
_CANTSPLIT, _TBLHEADER, _VAL, _W_ATTR, _TYPE = qn("w:cantSplit"), qn("w:tblHeader"), qn("w:val"), qn("w:w"), qn("w:type")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


_NUMBER_SIGN = re.compile(r"(№|\bNo\.) (?=\d)")


def clean(text: object) -> str:
    """Text XML can hold, with a no-break space after "№"/"No." so a number never starts a line on its own."""
    return _NUMBER_SIGN.sub("\\1\u00a0", _XML_ILLEGAL.sub("", "" if text is None else str(text)))


# Kept for callers that format outside a document (the template context).
fmt_date = fmt.format_date
fmt_size = fmt.format_size


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
    title = doc.styles["Title"]
    title.font.size = Pt(15)
    title.font.bold = True
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The default Title style draws a blue rule under the title: a court document has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
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


def _no_hyphenation(doc) -> None:
    """Words are never hyphenated automatically (a court reader must not find "Адми-нистративный")."""
    settings = doc.settings.element
    auto = settings.find(qn("w:autoHyphenation"))
    if auto is None:
        auto = etree.SubElement(settings, qn("w:autoHyphenation"))
    auto.set(qn("w:val"), "false")


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


def number_label(case: CaseInfo) -> str:
    if case.procedure == "echr":
        return pgettext("doc", "Application No.")
    return pgettext("doc", "Court's case No.")


def number_line(case: CaseInfo) -> str:
    """"Дело № 2-1187/2025" (an ECHR application: "Жалоба № 12345/25"); without the court's number, the internal one."""
    if case.court_case_number:
        if case.procedure == "echr":
            return pgettext("doc", "Application No. %(number)s") % {"number": case.court_case_number}
        return pgettext("doc", "Case No. %(number)s") % {"number": case.court_case_number}
    return case.reference


def _header_block(doc, case: CaseInfo, *, indent_mm: float) -> None:
    """Court, the court's number, the internal reference (labelled as Docket's own), the parties by role."""
    lines: list[tuple[str, str]] = []
    if case.court:
        lines.append((pgettext("doc", "Court"), case.court))
    if case.court_case_number:
        lines.append((number_label(case), case.court_case_number))
    if case.reference:
        lines.append((pgettext("doc", "Internal reference"), case.reference))
    for party in case.parties:
        lines.append((party.role, party.name))
    for label, value in lines:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Mm(indent_mm)
        p.paragraph_format.space_after = Pt(0)
        p.add_run(clean(label) + ": ").bold = True
        p.add_run(clean(value))
    if lines:
        doc.paragraphs[-1].paragraph_format.space_after = Pt(10)


def new_document(*, case: CaseInfo, meta: DocumentMeta, title: str, landscape: bool = False):
    doc = Document()
    _style_fonts(doc, meta.language)
    _no_hyphenation(doc)
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
    header_run = header.add_run(" · ".join(clean(x) for x in (number_line(case), case.title) if x))
    header_run.font.size = Pt(8)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(pgettext("doc", "Page") + " ")
    _add_field(footer, "PAGE")
    footer.add_run(" " + pgettext("doc", "of") + " ")
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

    usable = (width - MARGINS_MM["left"] - MARGINS_MM["right"])
    _header_block(doc, case, indent_mm=usable * (0.5 if landscape else 0.4))
    doc.add_paragraph(clean(title), style="Title")
    intro = doc.add_paragraph()
    intro.alignment = WD_ALIGN_PARAGRAPH.CENTER
    intro.add_run(pgettext("doc", "Case") + ": ").bold = True
    intro.add_run(clean(case.title))
    if meta.generated_at:
        stamp = doc.add_paragraph()
        text = pgettext("doc", "Made on %(when)s.") % {"when": fmt.format_datetime(meta.generated_at, meta.language)}
        if meta.zone:
            text += " " + pgettext("doc", "Times are given in the time zone %(zone)s.") % {"zone": meta.zone}
        run = stamp.add_run(text)
        run.italic = True
        run.font.size = Pt(9)
    return doc


def add_signature(doc, meta: DocumentMeta, lead: str = "") -> None:
    """Position, power of attorney, a line to sign on with the full name, then place and date — in one borderless
    table row that may not split, with ``lead`` (e.g. the total) above it, so the signature never stands alone on
    a page of its own."""
    sig = meta.signature
    if sig is None:
        if lead:
            doc.add_paragraph(clean(lead))
        return
    block = doc.add_table(rows=1, cols=1)
    block.autofit = True
    etree.SubElement(block.rows[0]._tr.get_or_add_trPr(), _CANTSPLIT)
    cell = block.rows[0].cells[0]
    first = cell.paragraphs[0]
    lines: list[tuple[str, bool]] = []
    if lead:
        lines += [(clean(lead), False), ("", False)]
    else:
        lines += [("", False)]
    if sig.position:
        lines.append((clean(sig.position), False))
    if sig.power_of_attorney:
        lines.append((pgettext("doc", "Acting under: %(poa)s") % {"poa": clean(sig.power_of_attorney)}, False))
    for n, (text, _bold) in enumerate(lines):
        p = first if n == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        if text:
            p.add_run(text)
    line = cell.add_paragraph()
    line.paragraph_format.space_before = Pt(14)
    line.add_run("_" * 24 + "  ")
    line.add_run(clean(sig.full_name)).bold = True
    when = fmt.format_date(sig.signed_on, meta.language) if sig.signed_on else ""
    place = clean(sig.place) if sig.place else "_" * 16
    cell.add_paragraph(", ".join(x for x in (place, when) if x))


def usable_width_mm(doc) -> float:
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


# --- Fast tables --------------------------------------------------------------------------------------------------
Cell = str | Sequence[str] | None  # a string, or lines shown with line breaks between them


def _cell_lines(value: Cell) -> list[str]:
    if value is None or value == "":
        return []
    lines = [value] if isinstance(value, str) else list(value)
    return [part for line in lines for part in clean(line).split("\n")]


def fit_widths(total_mm: float, fractions: Sequence[float], minimum: Sequence[float]) -> list[float]:
    """Widths in proportion to ``fractions``, but none below its minimum (the space is taken from the others)."""
    widths = [0.0] * len(fractions)
    fixed: set[int] = set()
    while True:
        free = total_mm - sum(minimum[i] for i in fixed)
        share = sum(fractions[i] for i in range(len(fractions)) if i not in fixed) or 1.0
        changed = False
        for i, frac in enumerate(fractions):
            if i in fixed:
                widths[i] = minimum[i]
                continue
            widths[i] = max(free, 0.0) * frac / share
            if widths[i] < minimum[i]:
                fixed.add(i)
                changed = True
        if not changed:
            return widths


def column_widths(doc, headers: Sequence[str], rows: Iterable[Sequence[Cell]], fractions: Sequence[float], *,
                  mono: Iterable[int] = (), font_pt: float = TABLE_PT) -> list[float]:
    """Column widths (mm) that fill the page width, each wide enough for the longest word it holds."""
    mono = frozenset(mono)
    need = [fmt.longest_word_mm(clean(h), font_pt, "serif-bold") for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            for line in _cell_lines(value):
                if i in mono:
                    width = fmt.text_width_mm(line, HASH_PT, "mono")
                else:
                    width = fmt.longest_word_mm(line, font_pt, "serif")
                if width > need[i]:
                    need[i] = width
    # No column claims more than a quarter of the page for one "word": longer ones (file names, URLs) get break
    # opportunities of their own (``breakable``), and the SHA-256 column keeps its full width.
    cap = usable_width_mm(doc) * 0.25
    minimum = [min(n, cap) + CELL_PADDING_MM if i not in mono else n + CELL_PADDING_MM for i, n in enumerate(need)]
    return fit_widths(usable_width_mm(doc), fractions, minimum)


ZWSP = "\u200b"


def breakable(name: str, limit_mm: float) -> str:
    """A file name too long for its column, with places to wrap after "_", "-" and "." (zero-width spaces), so it
    wraps there and not in the middle of one of its words. Names that fit are left exactly as they are (a text
    search of the PDF finds them)."""
    if fmt.text_width_mm(name or "", TABLE_PT, "serif") + CELL_PADDING_MM <= limit_mm:
        return name or ""
    return re.sub(r"([_.\-])(?=.)", "\\1" + ZWSP, name or "")


class FastTable:
    """A table whose header comes from python-docx and whose body rows are appended as raw ``w:tr`` elements."""

    def __init__(self, doc, headers: Sequence[str], widths_mm: Sequence[float], *, mono: Iterable[int] = (),
                 font_pt: float = TABLE_PT, header_row: bool = True) -> None:
        self.widths = [int(Mm(w).twips) for w in widths_mm]
        self.mono = frozenset(mono)
        self.half_points = str(int(round(font_pt * 2)))
        self.hash_half_points = str(int(round(HASH_PT * 2)))
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

    def _run(self, p, *, mono: bool, bold: bool = False):
        r = etree.SubElement(p, _R)
        rpr = etree.SubElement(r, _RPR)
        if mono:
            fonts = etree.SubElement(rpr, qn("w:rFonts"))
            for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(slot), MONO)
        if bold:
            etree.SubElement(rpr, qn("w:b"))
        size = etree.SubElement(rpr, qn("w:sz"))
        size.set(_VAL, self.hash_half_points if mono else self.half_points)
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
            lines = _cell_lines(value)
            if not lines:
                continue
            r = self._run(p, mono=index in self.mono, bold=bold)
            for n, part in enumerate(lines):
                if n:
                    etree.SubElement(r, _BR)
                t = etree.SubElement(r, _T)
                t.set(_XML_SPACE, "preserve")
                t.text = part
        self.rows += 1


def table(doc, headers: Sequence[str], rows: Sequence[Sequence[Cell]], fractions: Sequence[float], *,
          mono: Iterable[int] = ()) -> FastTable:
    """A table sized for its content (no word broken) and filled with ``rows``."""
    widths = column_widths(doc, headers, rows, fractions, mono=mono)
    result = FastTable(doc, headers, widths, mono=mono)
    for row in rows:
        result.add_row(row)
    return result


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _note(doc, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(clean(text))
    run.font.size = Pt(9)
    run.italic = True


def _hash_paragraph(doc, label: str, sha256: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.add_run(clean(label) + ": ")
    run = p.add_run(fmt.hash_text(sha256))
    run.font.name = MONO
    rpr = run._r.get_or_add_rPr()
    _set_fonts(rpr, MONO)
    run.font.size = Pt(HASH_PT + 0.5)


# --- The exhibit list ----------------------------------------------------------------------------------------------
def pages_text(ex: ExhibitRow) -> str:
    return "" if ex.pages is None else str(ex.pages)


@_localised
def exhibit_list_docx(*, case: CaseInfo, exhibits: Sequence[ExhibitRow], meta: DocumentMeta) -> bytes:
    """Every exhibit: number, title, file name (as in the bundle), pages, date obtained and SHA-256."""
    doc = new_document(case=case, meta=meta, title=pgettext("doc", "List of exhibits"), landscape=True)
    _note(doc, pgettext(
        "doc",
        "Each SHA-256 digest was computed from the exhibit's bytes when they were received; any copy can be checked "
        "against it. The file name is the exhibit's name in the court bundle. Pages: pages of a PDF file, 1 for an "
        "image. The date obtained is left blank when it is not known.",
    ))
    rows = []
    for ex in exhibits:
        title = clean(ex.title)
        if ex.restricted:
            title += "\n" + pgettext("doc", "(restricted access)")
        rows.append([str(ex.number), title, breakable(ex.file_name, usable_width_mm(doc) * 0.25), pages_text(ex),
                     fmt.format_date(ex.obtained_on, meta.language),
                     fmt.hash_text(ex.sha256)])
    headers = [pgettext("doc", "No."), pgettext("doc", "Title"), pgettext("doc", "File name"),
               pgettext("doc", "Pages"), pgettext("doc", "Date obtained"), pgettext("doc", "SHA-256")]
    if exhibits:
        table(doc, headers, rows, [5, 62, 22, 7, 12, 60], mono={5})
        total = npgettext("doc", "%(count)s exhibit in total.", "%(count)s exhibits in total.",
                          len(exhibits)) % {"count": len(exhibits)}
    else:
        total = pgettext("doc", "The case has no exhibits yet.")
    add_signature(doc, meta, lead=total)
    return to_bytes(doc)
