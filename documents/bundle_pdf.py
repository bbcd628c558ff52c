"""The paginated court bundle: one PDF with a cover, an index and every exhibit, its pages numbered.

What ``bundle_pdf_prepare`` makes (API.md, "Documents as PDF and the paginated court bundle"):

- page 1 the cover (court, the court's number, the internal reference, the parties, counts, when it was made);
- the index: exhibit number, title, date obtained, first page, number of pages and SHA-256 (one unbroken string);
  restricted exhibits the caller may not download are listed as not included;
- every exhibit in order: a PDF as it is (all its pages), an image on a page of its own (turned as its EXIF says,
  with a caption naming the exhibit), any other file (audio, video, a damaged PDF...) as a page naming the file,
  its type, size and SHA-256 and where its exact bytes are (the ZIP bundle);
- a page number "n / N" stamped at the foot of every page, upright however the page is rotated; a PDF bookmark for
  the cover, the index and each exhibit.

Memory stays flat whatever the size: each exhibit file is re-hashed in 1 MB blocks (a file that no longer matches
its digest stops the bundle before anything is recorded); pages are assembled with pikepdf (qpdf) with every large
stream moved to a spool file first and spliced back as the bundle is streamed (``documents.pdf_splice``), so the
bundle is never held in memory; the spool and the small assembled file live in ``UPLOAD_TMP_DIR`` and are deleted
when the response ends. Only the cover, the index and the image and
placeholder pages are drawn (reportlab, DejaVu fonts embedded, so Cyrillic prints).

The export is recorded (a ``DocumentExport`` row and one ``exported`` custody event per included exhibit, with
``"format": "pdf"``) in one transaction after the file is complete and before its first byte is sent: no bundle
without its record, and no record of a bundle that could not be made.
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import npgettext, pgettext

from cases.models import Case
from documents import formatting as fmt
from documents import pdf_tools, selectors
from documents.bundle import BundleError, bundle_plan
from documents.data import CaseInfo, ExhibitRow
from documents.generation import document_filename, export_record
from documents.models import DocumentExport
from documents.pdf_splice import SplicedFile, StreamSpool, externalise, save_for_splice, splice

logger = logging.getLogger("docket")

CHUNK = 1024 * 1024
MM = 72.0 / 25.4
A4 = (210 * MM, 297 * MM)
MAX_IMAGE_PIXELS = 60_000_000  # larger images get a placeholder page instead of being decoded
STAMP_PT = 9


class BundlePdfUnavailable(Exception):
    """The server lacks something the PDF bundle needs (fonts): a 503."""


@dataclass
class PlacedExhibit:
    row: ExhibitRow
    kind: str  # pdf_tools.PDF / IMAGE / OTHER as shown in the bundle
    pages: int
    first_page: int = 0
    path: Path | None = None  # a PDF exhibit's own file
    drawn: int | None = None  # else its page in the drawn pages (an image, or a placeholder)


@dataclass
class PreparedPdf:
    filename: str
    file: SplicedFile
    size: int
    export: DocumentExport
    pages: int
    exhibits: list[PlacedExhibit] = field(default_factory=list)
    withheld: list[int] = field(default_factory=list)
    workdir: Path | None = None

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes; the spooled file and its folder are removed when the stream ends or is closed."""
        try:
            yield from self.file.chunks()
        finally:
            self.cleanup()

    def cleanup(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


# --- Fonts and drawing (reportlab) -----------------------------------------------------------------------------------
_FONTS_READY = False


def _fonts() -> None:
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = {"DocketSerif": "serif", "DocketSerif-Bold": "serif-bold", "DocketMono": "mono"}
    for name, face in files.items():
        path = fmt.font_file(face)
        if path is None:
            raise BundlePdfUnavailable(
                "The PDF bundle needs the DejaVu fonts (fonts-dejavu-core), which are not installed on this server.")
        pdfmetrics.registerFont(TTFont(name, path))
    from reportlab.lib.fonts import addMapping

    addMapping("DocketSerif", 0, 0, "DocketSerif")
    addMapping("DocketSerif", 1, 0, "DocketSerif-Bold")
    addMapping("DocketSerif", 0, 1, "DocketSerif")
    addMapping("DocketSerif", 1, 1, "DocketSerif-Bold")
    _FONTS_READY = True


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName="DocketSerif", fontSize=10.5, leading=13.5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", parent=body, fontName="DocketSerif-Bold", fontSize=8.5, leading=10.5),
        "hash": ParagraphStyle("hash", parent=body, fontName="DocketMono", fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", parent=body, fontName="DocketSerif-Bold", fontSize=16, leading=20,
                                alignment=1, spaceBefore=12, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=body, fontName="DocketSerif-Bold", fontSize=12.5, leading=16,
                             spaceBefore=6, spaceAfter=6),
        "right": ParagraphStyle("right", parent=body, leftIndent=95 * MM),
        "cover": ParagraphStyle("cover", parent=body, spaceAfter=5),
        "cover_small": ParagraphStyle("cover_small", parent=body, fontSize=8.5, leading=10.5, spaceAfter=4),
    }


def _p(text: str, style) -> object:
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _header_flowables(case: CaseInfo, styles) -> list:
    from documents.generators import number_label

    lines = []
    if case.court:
        lines.append((pgettext("doc", "Court"), case.court))
    if case.court_case_number:
        lines.append((number_label(case), case.court_case_number))
    if case.reference:
        lines.append((pgettext("doc", "Internal reference"), case.reference))
    for party in case.parties:
        lines.append((party.role, party.name))
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return [Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", styles["right"]) for label, value in lines]


def _front_matter(path: Path, *, case: CaseInfo, entries: list[PlacedExhibit], withheld: list[ExhibitRow],
                  total_pages: int, language: str, made_at, zone: str, made_by: str) -> int:
    """Draw the cover and the index into ``path``; the number of pages drawn."""
    from reportlab.lib.pagesizes import landscape
    from reportlab.platypus import LongTable, PageBreak, SimpleDocTemplate, Spacer, TableStyle

    styles = _styles()
    size = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=25 * MM, rightMargin=15 * MM, topMargin=18 * MM,
                            bottomMargin=18 * MM, title=pgettext("doc", "Court bundle") + " — " + case.title,
                            author=made_by or "Docket", lang="ru-RU" if language == "ru" else "en-GB")
    story = _header_flowables(case, styles)
    story += [Spacer(1, 8 * MM), _p(pgettext("doc", "Court bundle"), styles["title"]),
              _p(pgettext("doc", "Case") + ": " + case.title, styles["cover"]), Spacer(1, 4 * MM)]
    exhibits_line = npgettext("doc", "%(count)s exhibit", "%(count)s exhibits", len(entries)) % {"count": len(entries)}
    pages_line = npgettext("doc bundle pages", "%(count)s page", "%(count)s pages", total_pages) % {
        "count": total_pages}
    story.append(_p(pgettext("doc", "This bundle holds %(exhibits)s on %(pages)s, numbered at the foot of each "
                                    "page.") % {"exhibits": exhibits_line, "pages": pages_line}, styles["cover"]))
    if withheld:
        story.append(_p(pgettext("doc", "Not included (restricted, not downloadable by the person who made this "
                                        "bundle): exhibits No. %(numbers)s.")
                        % {"numbers": ", ".join(str(r.number) for r in withheld)}, styles["cover"]))
    story.append(_p(pgettext("doc", "Made on %(when)s.") % {"when": fmt.format_datetime(made_at, language)}
                    + " " + pgettext("doc", "Times are given in the time zone %(zone)s.") % {"zone": zone},
                    styles["cover_small"]))
    story.append(_p(pgettext(
        "doc", "Each SHA-256 in the index was computed from the exhibit's bytes when they were received. PDF exhibits "
               "appear as they are; an image is shown on a page of its own; any other file is represented by a page "
               "naming it, and its exact bytes are in the ZIP bundle of the case."), styles["cover_small"]))
    story.append(PageBreak())
    story.append(_p(pgettext("doc", "Index"), styles["h2"]))

    headers = [pgettext("doc", "No."), pgettext("doc", "Title"), pgettext("doc", "Date obtained"),
               pgettext("doc", "First page"), pgettext("doc", "Pages"), pgettext("doc", "SHA-256")]
    rows = []
    placed = {e.row.number: e for e in entries}
    everything = sorted([e.row for e in entries] + list(withheld), key=lambda r: r.number)
    for row in everything:
        entry = placed.get(row.number)
        title = row.title if entry is not None else (
            row.title + "\n" + pgettext("doc", "(restricted: not included)"))
        rows.append([str(row.number), title, fmt.format_date(row.obtained_on, language),
                     str(entry.first_page) if entry else "—", str(entry.pages) if entry else "—",
                     fmt.hash_text(row.sha256)])
    widths = _index_widths(size[0] - 40 * MM, headers, rows)
    data = [[_p(h, styles["head"]) for h in headers]]
    for r in rows:
        data.append([_p(r[0], styles["cell"]), _p(r[1], styles["cell"]), _p(r[2], styles["cell"]),
                     _p(r[3], styles["cell"]), _p(r[4], styles["cell"]), _p(r[5], styles["hash"])])
    index = LongTable(data, colWidths=widths, repeatRows=1)
    index.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, "#555555"),
        ("BACKGROUND", (0, 0), (-1, 0), "#E7E6E6"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2 * MM),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * MM),
    ]))
    story.append(index)
    counter = {"pages": 0}

    def count(canvas, _doc):
        counter["pages"] = canvas.getPageNumber()

    doc.build(story, onFirstPage=count, onLaterPages=count)
    return counter["pages"]


def _index_widths(total: float, headers: list[str], rows: list[list[str]]) -> list[float]:
    """Points: every column wide enough for its longest word; the SHA-256 column for all 64 characters."""
    from documents.generators import fit_widths

    pad = 4 * MM + 1
    need = [fmt.longest_word_mm(h, 8.5, "serif-bold") for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            width = fmt.text_width_mm(value, 8.5, "mono") if i == 5 else fmt.longest_word_mm(value, 8.5, "serif")
            need[i] = max(need[i], width)
    minimum = [n * MM + pad for n in need]
    minimum[1] = min(minimum[1], 60 * MM)
    return fit_widths(total, [6, 60, 14, 8, 8, 66], minimum)


def _image_facts(blob: Path, row: ExhibitRow) -> tuple[int, int, int] | None:
    """(width, height, EXIF orientation) of a readable image of reasonable size, else None."""
    from PIL import Image

    try:
        with Image.open(blob) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                return None
            img.verify()
        with Image.open(blob) as img:
            orientation = int(img.getexif().get(0x0112, 1) or 1)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        logger.info("bundle.pdf: exhibit %s is not a readable image (%s)", row.number, exc)
        return None
    return width, height, orientation


class DrawnPages:
    """The pages Docket draws itself (images, and placeholders for files with no pages), in one PDF that shares
    its fonts: drawn page by page, in exhibit order, and later copied into the bundle by index."""

    def __init__(self, path: Path, language: str) -> None:
        from reportlab.pdfgen.canvas import Canvas

        self.path = path
        self.language = language
        self.styles = _styles()
        self.canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
        self.count = 0

    def _paragraph(self, text: str, style, x: float, top: float, width: float) -> float:
        para = _p(text, style)
        _w, height = para.wrap(width, A4[1])
        para.drawOn(self.canvas, x, top - height)
        return height

    def image(self, blob: Path, row: ExhibitRow, facts: tuple[int, int, int]) -> int:
        """The image on a page of its own, turned upright by its EXIF orientation, under a caption."""
        from reportlab.lib.utils import ImageReader

        width, height, orientation = facts
        turned = orientation in (5, 6, 7, 8)
        shown_w, shown_h = (height, width) if turned else (width, height)
        page = A4 if shown_h >= shown_w else (A4[1], A4[0])
        self.canvas.setPageSize(page)
        caption = pgettext("doc", "Exhibit No. %(number)s: %(title)s") % {"number": row.number, "title": row.title}
        used = self._paragraph(f"{caption} — {row.file_name}", self.styles["small"], 15 * MM, page[1] - 12 * MM,
                               page[0] - 30 * MM)
        box_w, box_h = page[0] - 30 * MM, page[1] - 12 * MM - used - 4 * MM - 16 * MM
        scale = min(box_w / shown_w, box_h / shown_h)
        draw_w, draw_h = shown_w * scale, shown_h * scale
        self.canvas.saveState()
        self.canvas.translate((page[0] - draw_w) / 2 + draw_w / 2, 16 * MM + (box_h - draw_h) / 2 + draw_h / 2)
        self.canvas.rotate({3: 180, 4: 180, 6: -90, 5: -90, 8: 90, 7: 90}.get(orientation, 0))
        img_w, img_h = (draw_h, draw_w) if turned else (draw_w, draw_h)
        self.canvas.drawImage(ImageReader(str(blob)), -img_w / 2, -img_h / 2, width=img_w, height=img_h)
        self.canvas.restoreState()
        return self._next()

    def placeholder(self, row: ExhibitRow, reason: str) -> int:
        """A page standing for a file that has no pages: what it is, its SHA-256, where its exact bytes are."""
        self.canvas.setPageSize(A4)
        lang = self.language
        x, width = 25 * MM, A4[0] - 40 * MM
        top = A4[1] - 25 * MM
        title = pgettext("doc", "Exhibit No. %(number)s: %(title)s") % {"number": row.number, "title": row.title}
        top -= self._paragraph(title, self.styles["h2"], x, top, width) + 4 * MM
        facts = [
            (pgettext("doc", "File name"), row.file_name),
            (pgettext("doc", "Original file name"), row.original_filename),
            (pgettext("doc", "File type"), row.media_type),
            (pgettext("doc", "Size"), npgettext("doc", "%(size)s byte", "%(size)s bytes", row.size)
             % {"size": fmt.format_size(row.size, lang)}),
            (pgettext("doc", "Date obtained"), fmt.format_date(row.obtained_on, lang)),
        ]
        for label, value in facts:
            if value:
                top -= self._paragraph(f"{label}: {value}", self.styles["body"], x, top, width)
        top -= 3 * MM
        top -= self._paragraph("SHA-256:", self.styles["body"], x, top, width)
        top -= self._paragraph(fmt.hash_text(row.sha256), self.styles["hash"], x, top, width) + 6 * MM
        self._paragraph(reason, self.styles["body"], x, top, width)
        return self._next()

    def _next(self) -> int:
        self.canvas.showPage()
        self.count += 1
        return self.count - 1

    def save(self) -> Path | None:
        if not self.count:
            return None
        self.canvas.save()
        return self.path


# --- Assembly (pikepdf) ----------------------------------------------------------------------------------------------
def _verify(row: ExhibitRow, work: Path) -> Path:
    """A local file holding the exhibit's stored bytes, re-hashed in blocks: they must still match the digest
    recorded at upload. With the local storage it is the stored file itself; with object storage the bytes are
    copied into the bundle's work folder while they are hashed (removed with it)."""
    from evidence import storage

    digest, size = hashlib.sha256(), 0
    try:
        path = storage.local_path(row.sha256)
        copy = None
        if path is None:
            path = work / f"blob-{row.sha256}"
            copy = open(path, "wb")  # noqa: SIM115 (closed below)
        try:
            with (open(path, "rb") if copy is None else storage.open_blob(row.sha256)) as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    if copy is not None:
                        copy.write(chunk)
        finally:
            if copy is not None:
                copy.close()
    except OSError:
        raise BundleError(pgettext("doc", "The stored file of exhibit No. %(number)s is missing; the bundle was "
                                          "not produced.") % {"number": row.number}) from None
    if digest.hexdigest() != row.sha256 or size != row.size:
        logger.error("bundle.pdf: exhibit %s (item %s) no longer matches its digest", row.number, row.item_id)
        raise BundleError(pgettext("doc", "The stored file of exhibit No. %(number)s no longer matches its SHA-256; "
                                          "the bundle was not produced.") % {"number": row.number})
    return path


def _place(row: ExhibitRow, blob: Path, drawn: DrawnPages) -> PlacedExhibit:
    kind = pdf_tools.file_class(row.media_type)
    if kind == pdf_tools.PDF:
        pages = pdf_tools.pdf_page_count(blob)
        if pages:
            return PlacedExhibit(row=row, kind=pdf_tools.PDF, pages=pages, path=blob)
        reason = pgettext("doc", "This PDF file could not be read to show its pages (it is damaged or protected by "
                                 "a password). Its exact bytes are in the ZIP bundle of the case under the name "
                                 "above; the SHA-256 above checks them.")
    elif kind == pdf_tools.IMAGE:
        facts = _image_facts(blob, row)
        if facts is not None:
            return PlacedExhibit(row=row, kind=pdf_tools.IMAGE, pages=1, drawn=drawn.image(blob, row, facts))
        reason = pgettext("doc", "This image could not be shown on a page (too large or unreadable). Its exact bytes "
                                 "are in the ZIP bundle of the case under the name above; the SHA-256 above checks "
                                 "them.")
    else:
        reason = pgettext("doc", "This file has no pages to print (a recording, a video or another kind of file). "
                                 "Its exact bytes are in the ZIP bundle of the case under the name above; the SHA-256 "
                                 "above checks them.")
    return PlacedExhibit(row=row, kind=pdf_tools.OTHER, pages=1, drawn=drawn.placeholder(row, reason))


def _stamp(pdf, page, number: int, total: int, font) -> None:
    """``number / total`` at the foot of the page as the reader sees it (after /Rotate), on a white patch."""
    import pikepdf

    box = page.cropbox if "/CropBox" in page.obj else page.mediabox
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    rotation = int(page.obj.get("/Rotate", 0)) % 360
    # display (u, v) → user space: x = a*u + c*v + e, y = b*u + d*v + f
    matrix, shown_w = {
        0: ((1, 0, 0, 1, x0, y0), x1 - x0),
        90: ((0, 1, -1, 0, x1, y0), y1 - y0),
        180: ((-1, 0, 0, -1, x1, y1), x1 - x0),
        270: ((0, -1, 1, 0, x0, y1), y1 - y0),
    }[rotation]
    text = f"{number} / {total}"
    text_w = 0.556 * STAMP_PT * len(text)  # Helvetica digits, space and slash are all about 0.28-0.56 em
    u = shown_w - 12 * MM - text_w
    v = 6 * MM
    name = page.add_resource(font, pikepdf.Name.Font, prefix="DocketNo")
    a, b, c, d, e, f = matrix
    stamp = (
        f"q {a} {b} {c} {d} {e:.3f} {f:.3f} cm 1 g {u - 2:.2f} {v - 2.5:.2f} {text_w + 4:.2f} {STAMP_PT + 3:.2f} re f "
        f"0 g BT {name} {STAMP_PT} Tf {u:.2f} {v:.2f} Td ({text}) Tj ET Q\n"
    ).encode("ascii")
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + stamp)


def _assemble(work: Path, front: Path, drawn: Path | None, placed: list[PlacedExhibit], *, index_first: int,
              language: str) -> tuple[SplicedFile, int]:
    """Cover and index, then every exhibit's pages, stamped and bookmarked; big streams spliced in from disk."""
    import pikepdf

    def source(path: Path):
        pdf = pikepdf.open(path, access_mode=pikepdf.AccessMode.stream)
        externalise(pdf, spool)
        return pdf

    spool = StreamSpool(work / "streams.bin")
    out = pikepdf.new()
    drawn_pdf = None
    try:
        with source(front) as src:
            out.pages.extend(src.pages)  # copied now (qpdf's immediate copy): the source can close
        drawn_pdf = source(drawn) if drawn is not None else None
        for entry in placed:
            if entry.drawn is not None:
                out.pages.append(drawn_pdf.pages[entry.drawn])
                continue
            with source(entry.path) as src:
                out.pages.extend(src.pages)
        total = len(out.pages)
        font = out.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding))
        for number, page in enumerate(out.pages, start=1):
            _stamp(out, page, number, total, font)
        with out.open_outline() as outline:
            outline.root.clear()
            outline.root.append(pikepdf.OutlineItem(pgettext("doc", "Cover"), 0))
            outline.root.append(pikepdf.OutlineItem(pgettext("doc", "Index"), index_first - 1))
            for entry in placed:
                title = pgettext("doc", "Exhibit No. %(number)s: %(title)s") % {"number": entry.row.number,
                                                                               "title": entry.row.title}
                outline.root.append(pikepdf.OutlineItem(title[:200], entry.first_page - 1))
        out.docinfo[pikepdf.Name.Title] = pgettext("doc", "Court bundle")
        out.docinfo[pikepdf.Name.Producer] = "Docket"
        out.Root.Lang = pikepdf.String("ru-RU" if language == "ru" else "en-GB")
        out.Root.PageMode = pikepdf.Name.UseOutlines
        written = work / "assembled.pdf"
        save_for_splice(out, written)
    finally:
        if drawn_pdf is not None:
            drawn_pdf.close()
        out.close()
        spool.close()
    return splice(written, spool), total


def _sha256(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def bundle_pdf_prepare(*, user, case: Case, language: str, request=None) -> PreparedPdf:
    """Make the paginated bundle in a temporary folder, record the export, and return it ready to stream."""
    from evidence.models import EvidenceItem
    from evidence.services import custody_record

    _fonts()
    lang = selectors.language_code(language)
    base = Path(getattr(settings, "UPLOAD_TMP_DIR", tempfile.gettempdir()))
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="docket-bundle-", dir=base))
    try:
        with translation.override(lang):
            plan = bundle_plan(user=user, case=case)
            info = selectors.case_info(case, user=user, language=lang)
            meta = selectors.document_meta(user=user, language=lang)
            drawn = DrawnPages(work / "drawn.pdf", lang)
            placed = [_place(row, _verify(row, work), drawn) for row in plan.included]
            drawn_path = drawn.save()
            # The index's length does not depend on the page numbers it prints: draw it once to count its pages,
            # then again with the real first pages (checked to be the same length).
            front_path = work / "front.pdf"
            front_pages = _front_matter(front_path, case=info, entries=placed, withheld=plan.withheld,
                                        total_pages=0, language=lang, made_at=meta.generated_at, zone=meta.zone,
                                        made_by=meta.generated_by)
            for _attempt in range(3):
                page = front_pages + 1
                for entry in placed:
                    entry.first_page = page
                    page += entry.pages
                drawn = _front_matter(front_path, case=info, entries=placed, withheld=plan.withheld,
                                      total_pages=page - 1, language=lang, made_at=meta.generated_at,
                                      zone=meta.zone, made_by=meta.generated_by)
                if drawn == front_pages:
                    break
                front_pages = drawn
            spliced, total = _assemble(work, front_path, drawn_path, placed, index_first=2, language=lang)
        size = spliced.size
        digest = _sha256(spliced.chunks())
        items = EvidenceItem.objects.only("pk", "sha256").in_bulk([e.row.item_id for e in placed])
        with transaction.atomic():
            export = export_record(
                user=user, case=case, kind=DocumentExport.Kind.BUNDLE, language=lang, sha256=digest,
                detail={"format": "pdf", "exhibits": [e.row.number for e in placed],
                        "withheld": [r.number for r in plan.withheld], "pages": total, "size": size},
            )
            for entry in placed:
                custody_record(
                    item=items[entry.row.item_id], user=user, action="exported", request=request,
                    detail={"bundle": export.pk, "case": case.pk, "exhibit_number": entry.row.number,
                            "format": "pdf", "first_page": entry.first_page, "pages": entry.pages},
                )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return PreparedPdf(filename=document_filename(case, "bundle", "pdf"), file=spliced, size=size, export=export,
                       pages=total, exhibits=placed, withheld=[r.number for r in plan.withheld], workdir=work)
