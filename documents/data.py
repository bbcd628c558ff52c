"""Plain data the document generators take: built by ``documents.selectors``, never touched by the ORM afterwards.

Everything here is already filtered for the caller (what they may see, identities only where allowed) and already
in the caller's time zone; a generator only lays it out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class CaseInfo:
    id: int
    title: str
    reference: str = ""
    court: str = ""
    jurisdiction: str = ""
    status: str = ""


@dataclass(frozen=True)
class DocumentMeta:
    """Who asked for the document, when, and in which language ("en" or "ru")."""

    language: str = "en"
    generated_at: datetime | None = None
    generated_by: str = ""


@dataclass(frozen=True)
class ExhibitRow:
    number: int
    title: str
    kind: str = ""
    obtained_on: date | None = None
    source: str = ""
    sha256: str = ""
    size: int = 0
    original_filename: str = ""
    restricted: bool = False
    item_id: int | None = None


class EntryKind:
    INCIDENT = "incident"
    PROCEEDING = "proceeding"
    DEADLINE = "deadline"
    EXHIBIT = "exhibit"
    ORDER = (INCIDENT, PROCEEDING, DEADLINE, EXHIBIT)


@dataclass(frozen=True)
class ChronologyEntry:
    on: date
    kind: str  # one of EntryKind
    title: str
    detail: str = ""


@dataclass(frozen=True)
class PersonRef:
    label: str  # the pseudonym, or "real name (pseudonym)" for callers who may see identities
    part: str = ""


@dataclass(frozen=True)
class DossierIncident:
    title: str
    occurred_at: datetime
    location: str = ""
    category: str = ""
    agency: str = ""
    system_involved: str = ""
    description: str = ""
    persons: tuple[PersonRef, ...] = ()
    exhibits: tuple[str, ...] = ()  # "No. 3 — Photo of the camera" references
    id: int | None = None


@dataclass(frozen=True)
class DossierFilter:
    """What the dossier was asked for, printed at its top so a reader knows the selection."""

    category: str = ""
    location: str = ""
    date_from: date | None = None
    date_to: date | None = None
    incident_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CustodyRow:
    exhibit_number: int | None
    exhibit_title: str
    at: datetime
    action: str
    user: str = ""
    sha256: str = ""
    detail: str = ""


@dataclass(frozen=True)
class BundleExhibit:
    """One exhibit file going into a bundle: where its bytes are and what they must hash to."""

    number: int
    arcname: str
    sha256: str
    size: int
    item_id: int
    title: str = ""
    extra: dict = field(default_factory=dict)
