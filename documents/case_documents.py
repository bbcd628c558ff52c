"""The documents about a whole case, laid out with ``documents.generators``' court look: the chronology of events,
the incident dossier (with the case's claims) and the custody report. No ORM here either."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import npgettext, pgettext
from docx.shared import Pt

from documents import formatting as fmt
from documents.data import (
    CaseInfo,
    ChronologyEntry,
    CustodyExhibit,
    DocumentMeta,
    DossierClaim,
    DossierFilter,
    DossierIncident,
    EntryKind,
)
from documents.generators import (
    _hash_paragraph,
    _localised,
    _note,
    add_signature,
    clean,
    new_document,
    table,
    to_bytes,
)


# --- The chronology ------------------------------------------------------------------------------------------------
def chronology_sorted(entries: Iterable[ChronologyEntry]) -> list[ChronologyEntry]:
    """Date order; on one day incidents (by time), then proceedings (by stage), deadlines, exhibits (by number)."""
    order = {kind: n for n, kind in enumerate(EntryKind.ORDER)}
    return sorted(entries, key=lambda e: (e.on, order.get(e.kind, len(order)), e.order, e.title))


def entry_kind_label(kind: str) -> str:
    return {
        EntryKind.INCIDENT: pgettext("doc", "Incident"),
        EntryKind.PROCEEDING: pgettext("doc", "Court proceedings"),
        EntryKind.CLAIM: pgettext("doc", "Claim"),
        EntryKind.DEADLINE: pgettext("doc", "Time-limit"),
        EntryKind.EXHIBIT: pgettext("doc", "Exhibit"),
    }.get(kind, kind)


@_localised
def chronology_docx(*, case: CaseInfo, entries: Iterable[ChronologyEntry], meta: DocumentMeta,
                    warning: str = "") -> bytes:
    """Incidents, proceeding events, deadlines and exhibits of the case, in date order."""
    doc = new_document(case=case, meta=meta, title=pgettext("doc", "Chronology of events"))
    if warning:
        p = doc.add_paragraph()
        p.add_run(pgettext("doc", "Warning") + ": ").bold = True
        p.add_run(clean(warning))
    ordered = chronology_sorted(entries)
    rows = [[fmt.format_date(e.on, meta.language), entry_kind_label(e.kind), e.title, e.detail] for e in ordered]
    headers = [pgettext("doc", "Date"), pgettext("doc", "Type"), pgettext("doc", "Event"), pgettext("doc", "Details")]
    if ordered:
        table(doc, headers, rows, [18, 17, 55, 60])
    else:
        doc.add_paragraph(pgettext("doc", "Nothing has been recorded for this case yet."))
    add_signature(doc, meta)
    return to_bytes(doc)


# --- The incident dossier -------------------------------------------------------------------------------------------
@_localised
def incident_dossier_docx(*, case: CaseInfo, incidents: Sequence[DossierIncident], meta: DocumentMeta,
                          selection: DossierFilter | None = None, claims: Sequence[DossierClaim] = ()) -> bytes:
    """The chosen incidents with their details, the persons involved and the exhibits that document them."""
    doc = new_document(case=case, meta=meta, title=pgettext("doc", "Incident dossier"))
    lang = meta.language
    if selection is not None:
        parts = []
        if selection.category:
            parts.append(pgettext("doc", "category: %(value)s") % {"value": selection.category})
        if selection.location:
            parts.append(pgettext("doc", "location: %(value)s") % {"value": selection.location})
        if selection.date_from:
            parts.append(pgettext("doc", "from %(value)s") % {"value": fmt.format_date(selection.date_from, lang)})
        if selection.date_to:
            parts.append(pgettext("doc", "to %(value)s") % {"value": fmt.format_date(selection.date_to, lang)})
        if selection.incident_ids:
            parts.append(pgettext("doc", "chosen incidents: %(count)s") % {"count": len(selection.incident_ids)})
        if parts:
            _note(doc, pgettext("doc", "Selection") + ": " + "; ".join(clean(p) for p in parts) + ".")
    _note(doc, pgettext("doc", "Incidents: %(count)s.") % {"count": len(incidents)})

    # A summary table first, then one section per incident.
    summary_rows = [[str(n), fmt.format_datetime(i.occurred_at, lang), i.title, i.location, i.category]
                    for n, i in enumerate(incidents, 1)]
    if incidents:
        table(doc, [pgettext("doc", "No."), pgettext("doc", "Date and time"), pgettext("doc", "Incident"),
                    pgettext("doc", "Location"), pgettext("doc", "Category")], summary_rows, [6, 24, 55, 40, 25])

    for n, incident in enumerate(incidents, 1):
        doc.add_heading(f"{n}. {clean(incident.title)}", level=1)
        facts = [[label, value] for label, value in (
            (pgettext("doc", "Date and time"), fmt.format_datetime(incident.occurred_at, lang)),
            (pgettext("doc", "Location"), incident.location),
            (pgettext("doc", "Category"), incident.category),
            (pgettext("doc", "Agency"), incident.agency),
            (pgettext("doc", "System involved"), incident.system_involved),
        ) if value]
        if incident.persons:
            facts.append([pgettext("doc", "Persons involved"),
                          [f"{clean(p.label)} ({clean(p.part)})" if p.part else clean(p.label)
                           for p in incident.persons]])
        facts.append([pgettext("doc", "Exhibits"),
                      list(incident.exhibits) if incident.exhibits else pgettext("doc", "none")])
        table(doc, [pgettext("doc", "Field"), pgettext("doc", "Value")], facts, [35, 115])
        if incident.description:
            doc.add_heading(pgettext("doc", "Description"), level=2)
            for paragraph in clean(incident.description).split("\n\n"):
                doc.add_paragraph(paragraph.strip())
    if not incidents:
        doc.add_paragraph(pgettext("doc", "No incident matches this selection."))
    if claims:
        _dossier_claims(doc, claims)
    add_signature(doc, meta)
    return to_bytes(doc)


def _dossier_claims(doc, claims: Sequence[DossierClaim]) -> None:
    """The claims the case makes on these facts: the right invoked, basis, relief, outcome, authorities cited."""
    doc.add_heading(pgettext("doc", "Claims"), level=1)
    for claim in claims:
        doc.add_heading(pgettext("doc", "Claim %(n)s: %(right)s") % {"n": claim.number, "right": clean(claim.right)},
                        level=2)
        facts = [[label, value] for label, value in (
            (pgettext("doc", "Proceedings"), clean(claim.proceeding)),
            (pgettext("doc", "Basis"), clean(claim.basis)),
            (pgettext("doc", "Relief sought"), clean(claim.relief)),
            (pgettext("doc", "Outcome"), clean(claim.outcome)),
        ) if value]
        if claim.authorities:
            facts.append([pgettext("doc", "Authorities cited"), [clean(a) for a in claim.authorities]])
        if facts:
            table(doc, [pgettext("doc", "Field"), pgettext("doc", "Value")], facts, [35, 115])


# --- The custody report ---------------------------------------------------------------------------------------------
def _check_text(item: CustodyExhibit, language: str) -> str:
    from documents import wording

    check = item.check
    if check is None:
        return ""
    when = fmt.format_datetime(item.checked_at, language) if item.checked_at else ""
    text = wording.check_summary(ok=check.ok, file_ok=check.file_ok, chain_ok=check.chain_ok, entries=check.entries)
    if check.problems:
        text += " " + pgettext("doc custody", "Details (as the server reports them): %(problems)s.") % {
            "problems": "; ".join(check.problems)}
    return pgettext("doc custody", "Checked when this report was made (%(when)s): %(result)s") % {
        "when": when, "result": text}


def how_to_check(doc) -> None:
    doc.add_heading(pgettext("doc custody", "How to check this report"), level=1)
    for text in (
        pgettext("doc custody",
                 "1. The files. Compute the SHA-256 of each exhibit's file and compare it with the value printed "
                 "above: sha256sum FILE (Linux), shasum -a 256 FILE (macOS), certutil -hashfile FILE SHA256 "
                 "(Windows). In the court bundle (ZIP), sha256sum -c SHA256SUMS checks every file at once."),
        pgettext("doc custody",
                 "2. The chain. Every action on an exhibit is an entry in its custody log. An entry's hash is the "
                 "SHA-256 of its complete record (time, user, action, the file's SHA-256, details and the hash of the "
                 "entry before it), so changing, inserting or removing an entry changes the hash of every entry after "
                 "it. Each entry and the head of the chain (its latest entry) are also sealed with HMAC-SHA256 under "
                 "a key only the Docket server holds; the head's seal fixes where the chain ends, so removing the "
                 "last entries is detected too."),
        pgettext("doc custody",
                 "3. Later. Whoever runs the Docket server can check any exhibit again at any time (python manage.py "
                 "verify_evidence, or POST /api/v1/evidence/<id>/verify/ in the API). Every entry printed here must "
                 "still be found with the same number and the same hash; entries added later (further downloads, "
                 "checks) follow it."),
    ):
        doc.add_paragraph(text)


@_localised
def custody_report_docx(*, case: CaseInfo, exhibits: Sequence[CustodyExhibit], meta: DocumentMeta,
                        single: bool = False) -> bytes:
    """The custody log of a case's exhibits (or of one): per exhibit its file's digest, the chain's head and seal,
    the check made when the report was generated, then every entry with its hash; and how to check it all."""
    title = pgettext("doc custody", "Custody and integrity record of the exhibits")
    if single and len(exhibits) == 1:
        title += " — " + pgettext("doc", "exhibit No. %(number)s") % {"number": exhibits[0].exhibit.number}
    doc = new_document(case=case, meta=meta, title=title, landscape=True)
    _note(doc, pgettext(
        "doc custody",
        "Docket records every action on an exhibit (receipt, download, export, check, change of description or "
        "access) as an entry in a chain: each entry carries the hash of the one before it. The section at the end "
        "says how to check the files and the chain.",
    ))
    lang = meta.language
    headers = [pgettext("doc", "No."), pgettext("doc", "Date and time"), pgettext("doc", "Event"),
               pgettext("doc", "By"), pgettext("doc custody", "Entry hash (SHA-256)")]
    for item in exhibits:
        ex = item.exhibit
        doc.add_heading(pgettext("doc", "Exhibit No. %(number)s: %(title)s") % {"number": ex.number,
                                                                               "title": clean(ex.title)}, level=1)
        facts = doc.add_paragraph()
        facts.paragraph_format.space_after = Pt(0)
        facts.add_run(pgettext("doc", "File name") + ": ").bold = True
        facts.add_run(clean(ex.file_name or ex.original_filename))
        facts.add_run("; " + npgettext("doc", "%(size)s byte", "%(size)s bytes", ex.size)
                      % {"size": fmt.format_size(ex.size, lang)})
        _hash_paragraph(doc, pgettext("doc custody", "SHA-256 of the file"), ex.sha256)
        if item.head_seq is not None:
            _hash_paragraph(doc, pgettext("doc custody", "Head of the chain: entry No. %(n)s, hash") % {
                "n": item.head_seq}, item.head_entry_hash)
            _hash_paragraph(doc, pgettext("doc custody", "Seal of the head (HMAC-SHA256)"), item.head_seal)
        result = _check_text(item, lang)
        if result:
            p = doc.add_paragraph()
            p.paragraph_format.space_before = Pt(4)
            run = p.add_run(result)
            run.bold = item.check is not None and not item.check.ok
        rows = [[str(r.seq), fmt.format_datetime(r.at, lang), r.event, r.user, fmt.hash_text(r.entry_hash)]
                for r in item.rows]
        if rows:
            table(doc, headers, rows, [7, 22, 60, 24, 60], mono={4})
        else:
            doc.add_paragraph(pgettext("doc custody", "No custody entry has been recorded."))
        for r in item.rows:
            if r.sha256:
                _hash_paragraph(doc, pgettext("doc custody", "Entry No. %(n)s recorded the file's SHA-256 as") % {
                    "n": r.seq}, r.sha256)
    if not exhibits:
        doc.add_paragraph(pgettext("doc", "The case has no exhibits yet."))
    how_to_check(doc)
    add_signature(doc, meta)
    return to_bytes(doc)
