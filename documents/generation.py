"""Generated documents (exhibit list, chronology, incident dossier, custody report) and their export records.

Each ``*_generate`` service gathers the caller's data through ``documents.selectors`` (only what they may see),
lays it out with ``documents.generators`` in the document's language, converts it to PDF/A when asked
(``documents.conversion``, LibreOffice) and records a ``DocumentExport`` row with the digest of what was delivered.
A conversion that cannot run records nothing.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.http import Http404
from django.utils import translation

from cases.models import Case
from documents import case_documents, conversion, generators, selectors
from documents.data import DossierFilter
from documents.models import DocumentExport
from documents.pdf_tools import sanitise_filename

DOCX = "docx"
PDF = "pdf"
MEDIA_TYPES = {DOCX: generators.DOCX_MEDIA_TYPE, PDF: "application/pdf"}


@dataclass
class GeneratedDocument:
    filename: str
    content: bytes
    media_type: str = generators.DOCX_MEDIA_TYPE
    export: DocumentExport | None = None
    language: str = "en"


def username_of(user) -> str:
    return user.get_username() if user is not None and getattr(user, "is_authenticated", False) else ""


def slug(text: str, fallback: str) -> str:
    """An ASCII-only version of a name (the fallback ``filename=`` of Content-Disposition)."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    return text[:60] or fallback


def document_filename(case: Case, stem: str, ext: str = DOCX) -> str:
    """``<reference>-<stem>.<ext>``, in any script (Cyrillic stays Cyrillic; the response also carries an ASCII
    fallback, see ``documents.api.content_disposition``)."""
    base = sanitise_filename((case.reference or "").replace("/", "-").replace("\\", "-"), fallback=f"case-{case.pk}")
    return f"{base}-{sanitise_filename(stem, fallback='document')}.{ext}"


def export_record(*, user, case: Case, kind: str, language: str, content: bytes | None = None,
                  detail: dict | None = None, sha256: str | None = None) -> DocumentExport:
    if sha256 is None:
        sha256 = hashlib.sha256(content).hexdigest() if content is not None else ""
    return DocumentExport.objects.create(
        case=case, kind=kind, user=user if username_of(user) else None, username=username_of(user), language=language,
        sha256=sha256, detail=detail or {},
    )


def _deliver(*, user, case: Case, kind: str, stem: str, lang: str, docx: bytes, fmt: str,
             detail: dict) -> GeneratedDocument:
    content = conversion.docx_to_pdfa(docx) if fmt == PDF else docx
    export = export_record(user=user, case=case, kind=kind, language=lang, content=content,
                           detail={**detail, "format": fmt})
    return GeneratedDocument(document_filename(case, stem, fmt), content, media_type=MEDIA_TYPES[fmt],
                             export=export, language=lang)


def _context(*, user, case: Case, lang: str, procedure: str | None):
    proceedings = selectors.proceedings_of(case)
    info = selectors.case_info(case, user=user, language=lang, procedure=procedure, proceedings=proceedings)
    return info, proceedings, selectors.document_meta(user=user, language=lang)


# --- Generated documents --------------------------------------------------------------------------------------------
def exhibit_list_generate(*, user, case: Case, language: str, fmt: str = DOCX,
                          procedure: str | None = None) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        info, _p, meta = _context(user=user, case=case, lang=lang, procedure=procedure)
        rows = selectors.exhibit_rows_for_case(user=user, case=case, with_pages=True)
        content = generators.exhibit_list_docx(case=info, exhibits=rows, meta=meta)
    return _deliver(user=user, case=case, kind=DocumentExport.Kind.EXHIBIT_LIST, stem="exhibit-list", lang=lang,
                    docx=content, fmt=fmt, detail={"exhibits": len(rows), "procedure": info.procedure})


def chronology_bytes(*, user, case: Case, lang: str, procedure: str | None = None) -> tuple[bytes, int, str]:
    with translation.override(lang):
        info, proceedings, meta = _context(user=user, case=case, lang=lang, procedure=procedure)
        entries = selectors.chronology_for_case(user=user, case=case, procedure=info.procedure,
                                                proceedings=proceedings)
        warning = selectors.convention_warning(case=case, user=user) if info.procedure == "echr" else ""
        content = case_documents.chronology_docx(case=info, entries=entries, meta=meta, warning=warning)
    return content, len(entries), info.procedure


def chronology_generate(*, user, case: Case, language: str, fmt: str = DOCX,
                        procedure: str | None = None) -> GeneratedDocument:
    lang = selectors.language_code(language)
    content, count, chosen = chronology_bytes(user=user, case=case, lang=lang, procedure=procedure)
    return _deliver(user=user, case=case, kind=DocumentExport.Kind.CHRONOLOGY, stem="chronology", lang=lang,
                    docx=content, fmt=fmt, detail={"entries": count, "procedure": chosen})


def incident_dossier_generate(*, user, case: Case, language: str, selection: DossierFilter, fmt: str = DOCX,
                              procedure: str | None = None) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        info, _p, meta = _context(user=user, case=case, lang=lang, procedure=procedure)
        incidents = selectors.dossier_incidents(user=user, case=case, selection=selection)
        shown = selection
        if selection.category:
            labels = dict(selectors.incident_categories())
            shown = DossierFilter(category=str(labels.get(selection.category, selection.category)),
                                  location=selection.location, date_from=selection.date_from,
                                  date_to=selection.date_to, incident_ids=selection.incident_ids)
        claims = selectors.dossier_claims(user=user, case=case)
        content = case_documents.incident_dossier_docx(case=info, incidents=incidents, selection=shown, meta=meta,
                                                   claims=claims)
    return _deliver(user=user, case=case, kind=DocumentExport.Kind.INCIDENT_DOSSIER, stem="incident-dossier",
                    lang=lang, docx=content, fmt=fmt, detail={"incidents": [i.id for i in incidents]})


def custody_report_bytes(*, user, case: Case, lang: str, numbers=None,
                         procedure: str | None = None) -> tuple[bytes, int, int]:
    with translation.override(lang):
        info, _p, meta = _context(user=user, case=case, lang=lang, procedure=procedure)
        exhibits = selectors.custody_for_case(user=user, case=case, numbers=numbers, language=lang)
        content = case_documents.custody_report_docx(case=info, exhibits=exhibits, meta=meta, single=numbers is not None)
    return content, len(exhibits), sum(len(e.rows) for e in exhibits)


def custody_report_generate(*, user, case: Case, language: str, exhibit_number: int | None = None,
                            fmt: str = DOCX, procedure: str | None = None) -> GeneratedDocument:
    lang = selectors.language_code(language)
    numbers = None if exhibit_number is None else [exhibit_number]
    content, n_exhibits, n_rows = custody_report_bytes(user=user, case=case, lang=lang, numbers=numbers,
                                                       procedure=procedure)
    if exhibit_number is not None and n_exhibits == 0:
        raise Http404("No such exhibit in this case.")
    stem = "custody-report" if exhibit_number is None else f"custody-report-exhibit-{exhibit_number}"
    return _deliver(user=user, case=case, kind=DocumentExport.Kind.CUSTODY_REPORT, stem=stem, lang=lang,
                    docx=content, fmt=fmt,
                    detail={"exhibits": n_exhibits, "events": n_rows, "exhibit_number": exhibit_number})
