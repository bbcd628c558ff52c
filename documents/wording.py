"""Words for what the records hold as codes and JSON: custody events, deadline statuses, evidence fields.

Everything is rendered from the structured data (an event's action and its ``detail``; a deadline's status and due
date) in the active language, so a Russian document never shows an English status or a raw field name. Call these
inside ``translation.override(language)``.
"""
from __future__ import annotations

from datetime import date

from django.utils.translation import npgettext, pgettext

from documents.formatting import format_size


def yes_no(value: bool) -> str:
    return pgettext("doc", "yes") if value else pgettext("doc", "no")


_EVIDENCE_FIELDS = {
    "title": lambda: pgettext("doc evidence field", "title"),
    "description": lambda: pgettext("doc evidence field", "description"),
    "kind": lambda: pgettext("doc evidence field", "kind"),
    "source": lambda: pgettext("doc evidence field", "source"),
    "obtained_at": lambda: pgettext("doc evidence field", "date obtained"),
    "obtained_by": lambda: pgettext("doc evidence field", "obtained by"),
    "restricted": lambda: pgettext("doc evidence field", "restricted access"),
}


def evidence_field(name: str) -> str:
    label = _EVIDENCE_FIELDS.get(name)
    return label() if label else str(name)


def _where(detail: dict, case_id: int | None) -> str:
    """Which case or incident an event concerns, without naming a case or incident the reader may not know."""
    if detail.get("case") is not None:
        number = detail.get("exhibit_number")
        if case_id is not None and detail.get("case") == case_id:
            if number:
                return pgettext("doc custody", "this case, exhibit No. %(number)s") % {"number": number}
            return pgettext("doc custody", "this case")
        return pgettext("doc custody", "another case")
    if detail.get("incident") is not None:
        return pgettext("doc custody", "an incident")
    return ""


def _generic(detail: dict) -> str:
    """Any other detail as "field: value" pairs, lists joined, nested structures summarised."""
    parts = []
    for key in sorted(detail):
        value = detail[key]
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            value = yes_no(value)
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in sorted(value.items()))
        parts.append(f"{key}: {value}")
    return "; ".join(parts)[:500]


def custody_event(action: str, detail: dict | None, *, case_id: int | None, language: str,
                  fallback_label: str = "") -> str:
    """A custody entry as a sentence a court can read, from its action and structured detail."""
    detail = detail if isinstance(detail, dict) else {}
    where = _where(detail, case_id)
    if action == "uploaded":
        text = pgettext("doc custody", "File received and stored; its SHA-256 computed on receipt")
        facts = []
        if detail.get("filename"):
            facts.append(pgettext("doc custody", "file name: %(name)s") % {"name": detail["filename"]})
        if detail.get("size") is not None:
            size = detail["size"]
            facts.append(npgettext("doc custody", "%(size)s byte", "%(size)s bytes", int(size))
                         % {"size": format_size(size, language)})
        if detail.get("media_type"):
            facts.append(pgettext("doc custody", "type: %(type)s") % {"type": detail["media_type"]})
        if where:
            facts.append(where)
        if detail.get("duplicate_of"):
            facts.append(pgettext("doc custody", "the same bytes were already held for another item"))
        return text + (" (" + "; ".join(facts) + ")" if facts else "")
    if action == "downloaded":
        return pgettext("doc custody", "File downloaded")
    if action == "previewed":
        return pgettext("doc custody", "File viewed (preview)")
    if action == "exported":
        bundle = detail.get("bundle")
        fmt = detail.get("format", "zip")
        if bundle:
            if fmt == "pdf":
                text = pgettext("doc custody", "Exported in the paginated court bundle (PDF), export No. %(n)s") % {
                    "n": bundle}
            else:
                text = pgettext("doc custody", "Exported in the court bundle (ZIP), export No. %(n)s") % {"n": bundle}
        else:
            text = pgettext("doc custody", "Exported")
        return text + (f" ({where})" if where else "")
    if action == "verified":
        if detail.get("ok"):
            return pgettext("doc custody", "Integrity checked: the file matches its SHA-256 and the chain is intact")
        problems = detail.get("problems") or []
        text = pgettext("doc custody", "Integrity checked: problems found")
        return text + (": " + "; ".join(str(p) for p in problems) if problems else "")
    if action == "linked":
        if detail.get("incident") is not None and detail.get("case") is None:
            return pgettext("doc custody", "Linked to an incident")
        return pgettext("doc custody", "Added to a case") + (f" ({where})" if where else "")
    if action == "unlinked":
        if detail.get("incident") is not None and detail.get("case") is None:
            return pgettext("doc custody", "Unlinked from an incident")
        return pgettext("doc custody", "Removed from a case") + (f" ({where})" if where else "")
    if action == "restricted":
        if detail.get("restricted"):
            return pgettext("doc custody", "Access restricted")
        return pgettext("doc custody", "Access restriction lifted")
    if action == "edited":
        fields = detail.get("fields") or []
        if fields:
            return pgettext("doc custody", "Description of the item changed: %(fields)s") % {
                "fields": ", ".join(evidence_field(f) for f in fields)}
        return pgettext("doc custody", "Description of the item changed")
    if action == "trashed":
        text = pgettext("doc custody", "Moved to the trash")
        return text + (f" ({detail['reason']})" if detail.get("reason") else "")
    if action == "restored":
        return pgettext("doc custody", "Restored from the trash")
    label = fallback_label or action
    rest = _generic(detail)
    return f"{label} ({rest})" if rest else str(label)


def deadline_status(status: str, due: date | None, today: date) -> str:
    if status == "done":
        return pgettext("doc deadline", "complied with")
    if status == "missed":
        return pgettext("doc deadline", "missed")
    if due is not None and due < today:
        return pgettext("doc deadline", "expired")
    return pgettext("doc deadline", "running")


def check_summary(*, ok: bool, file_ok: bool, chain_ok: bool, entries: int) -> str:
    if ok:
        return npgettext(
            "doc custody",
            "the file matches its SHA-256; the chain of %(n)s entry is intact and its head's seal is valid.",
            "the file matches its SHA-256; the chain of %(n)s entries is intact and its head's seal is valid.",
            entries,
        ) % {"n": entries}
    parts = []
    parts.append(pgettext("doc custody", "the file matches its SHA-256") if file_ok
                 else pgettext("doc custody", "THE FILE DOES NOT MATCH ITS SHA-256 OR IS MISSING"))
    parts.append(pgettext("doc custody", "the chain is intact") if chain_ok
                 else pgettext("doc custody", "THE CHAIN IS BROKEN"))
    return pgettext("doc custody", "problems found: %(parts)s.") % {"parts": "; ".join(parts)}
