"""Generated documents (exhibit list, chronology, incident dossier, custody report) and their export records.

Each ``*_generate`` service gathers the caller's data through ``documents.selectors`` (only what they may see),
lays it out with ``documents.generators`` in the document's language and records a ``DocumentExport`` row.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.http import Http404
from django.utils import translation

from cases.models import Case
from documents import generators, selectors
from documents.data import DossierFilter
from documents.models import DocumentExport


@dataclass
class GeneratedDocument:
    filename: str
    content: bytes
    media_type: str = generators.DOCX_MEDIA_TYPE
    export: DocumentExport | None = None


def username_of(user) -> str:
    return user.get_username() if user is not None and getattr(user, "is_authenticated", False) else ""


def slug(text: str, fallback: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    return text[:60] or fallback


def document_filename(case: Case, stem: str, ext: str = "docx") -> str:
    return f"{slug(case.reference, f'case-{case.pk}')}-{stem}.{ext}"


def export_record(*, user, case: Case, kind: str, language: str, content: bytes | None = None,
            detail: dict | None = None) -> DocumentExport:
    return DocumentExport.objects.create(
        case=case, kind=kind, user=user if username_of(user) else None, username=username_of(user), language=language,
        sha256=hashlib.sha256(content).hexdigest() if content is not None else "", detail=detail or {},
    )



# --- Generated documents --------------------------------------------------------------------------------------------
def exhibit_list_generate(*, user, case: Case, language: str) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        rows = selectors.exhibit_rows_for_case(user=user, case=case)
        content = generators.exhibit_list_docx(
            case=selectors.case_info(case), exhibits=rows, meta=selectors.document_meta(user=user, language=lang)
        )
    export = export_record(user=user, case=case, kind=DocumentExport.Kind.EXHIBIT_LIST, language=lang, content=content,
                     detail={"exhibits": len(rows)})
    return GeneratedDocument(document_filename(case, "exhibit-list"), content, export=export)


def chronology_generate(*, user, case: Case, language: str) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        entries = selectors.chronology_for_case(user=user, case=case)
        content = generators.chronology_docx(
            case=selectors.case_info(case), entries=entries, meta=selectors.document_meta(user=user, language=lang)
        )
    export = export_record(user=user, case=case, kind=DocumentExport.Kind.CHRONOLOGY, language=lang, content=content,
                     detail={"entries": len(entries)})
    return GeneratedDocument(document_filename(case, "chronology"), content, export=export)


def incident_dossier_generate(*, user, case: Case, language: str, selection: DossierFilter) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        incidents = selectors.dossier_incidents(user=user, case=case, selection=selection)
        shown = selection
        if selection.category:
            labels = dict(selectors.incident_categories())
            shown = DossierFilter(category=str(labels.get(selection.category, selection.category)),
                                  location=selection.location, date_from=selection.date_from,
                                  date_to=selection.date_to, incident_ids=selection.incident_ids)
        content = generators.incident_dossier_docx(
            case=selectors.case_info(case), incidents=incidents, selection=shown,
            meta=selectors.document_meta(user=user, language=lang),
        )
    export = export_record(user=user, case=case, kind=DocumentExport.Kind.INCIDENT_DOSSIER, language=lang, content=content,
                     detail={"incidents": [i.id for i in incidents]})
    return GeneratedDocument(document_filename(case, "incident-dossier"), content, export=export)


def custody_report_bytes(*, user, case: Case, lang: str, numbers=None) -> tuple[bytes, int, int]:
    with translation.override(lang):
        exhibits, rows = selectors.custody_rows_for_case(user=user, case=case, numbers=numbers)
        content = generators.custody_report_docx(
            case=selectors.case_info(case), rows=rows, exhibits=exhibits,
            meta=selectors.document_meta(user=user, language=lang),
        )
    return content, len(exhibits), len(rows)


def custody_report_generate(*, user, case: Case, language: str, exhibit_number: int | None = None
                            ) -> GeneratedDocument:
    lang = selectors.language_code(language)
    numbers = None if exhibit_number is None else [exhibit_number]
    content, n_exhibits, n_rows = custody_report_bytes(user=user, case=case, lang=lang, numbers=numbers)
    if exhibit_number is not None and n_exhibits == 0:
        raise Http404("No such exhibit in this case.")
    export = export_record(user=user, case=case, kind=DocumentExport.Kind.CUSTODY_REPORT, language=lang, content=content,
                     detail={"exhibits": n_exhibits, "events": n_rows, "exhibit_number": exhibit_number})
    stem = "custody-report" if exhibit_number is None else f"custody-report-exhibit-{exhibit_number}"
    return GeneratedDocument(document_filename(case, stem), content, export=export)
