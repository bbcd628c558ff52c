"""Plain data the document generators take: built by ``documents.selectors``, never touched by the ORM afterwards.

Everything here is already filtered for the caller (what they may see, identities only where allowed, derived data
of restricted evidence only where they may download it), already in the site's time zone and already worded in the
document's language; a generator only lays it out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class PartyLine:
    role: str  # the role in the procedure's own words ("Административный истец")
    name: str


@dataclass(frozen=True)
class CaseInfo:
    id: int
    title: str
    reference: str = ""  # Docket's internal reference (not the court's number)
    court: str = ""  # the court of the current proceeding, else the case's court
    jurisdiction: str = ""
    status: str = ""
    court_case_number: str = ""  # the court's number, from the current proceeding
    stage: str = ""  # the current proceeding's stage, in words
    procedure: str = ""  # documents.procedure code: cpc | cas | echr
    procedure_name: str = ""
    procedure_reason: str = ""
    parties: tuple[PartyLine, ...] = ()


@dataclass(frozen=True)
class Signature:
    """Who signs: full name, position, power of attorney, place and date (from the user's profile)."""

    full_name: str
    position: str = ""
    power_of_attorney: str = ""
    place: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class DocumentMeta:
    """Who asked for the document, when (in the site's zone), in which language ("en" or "ru")."""

    language: str = "en"
    generated_at: datetime | None = None
    generated_by: str = ""
    zone: str = ""  # "Europe/Moscow (MSK, UTC+03:00)"
    signature: Signature | None = None


@dataclass(frozen=True)
class ExhibitRow:
    number: int
    title: str
    kind: str = ""
    obtained_on: date | None = None  # None when unknown: never the upload date
    source: str = ""
    sha256: str = ""
    size: int = 0
    original_filename: str = ""
    restricted: bool = False
    item_id: int | None = None
    media_type: str = ""
    file_name: str = ""  # as in the bundle: "003_Решение_суда.pdf"
    pages: int | None = None  # PDF pages, images 1; None when unknown or not the caller's to know
    downloadable: bool = True


class EntryKind:
    INCIDENT = "incident"
    PROCEEDING = "proceeding"
    CLAIM = "claim"
    DEADLINE = "deadline"
    EXHIBIT = "exhibit"
    ORDER = (INCIDENT, PROCEEDING, CLAIM, DEADLINE, EXHIBIT)


@dataclass(frozen=True)
class ChronologyEntry:
    on: date
    kind: str  # one of EntryKind
    title: str
    detail: str = ""
    order: tuple = ()  # orders entries of one kind on one day: time of day, exhibit number, stage...


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
class DossierClaim:
    """A claim of the case, for the dossier: what is invoked, on what basis, what is sought, what came of it."""
    number: int
    right: str
    basis: str = ""
    relief: str = ""
    outcome: str = ""
    proceeding: str = ""
    authorities: tuple[str, ...] = ()  # "Glukhin v. Russia, no. 11519/20, § 90"


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
    """One entry of an exhibit's custody chain, worded for a reader."""

    exhibit_number: int | None
    seq: int
    at: datetime
    event: str  # "Выгружено в составе комплекта документов № 12"
    user: str = ""
    entry_hash: str = ""
    sha256: str = ""  # the file digest the entry records, when it differs from the exhibit's


@dataclass(frozen=True)
class CustodyCheck:
    """The result of ``evidence.services.evidence_check`` at the time the report was made."""

    ok: bool
    file_ok: bool
    chain_ok: bool
    entries: int
    problems: tuple[str, ...] = ()
    actual_sha256: str = ""


@dataclass(frozen=True)
class CustodyExhibit:
    exhibit: ExhibitRow
    rows: tuple[CustodyRow, ...]
    head_seq: int | None = None
    head_entry_hash: str = ""
    head_seal: str = ""
    check: CustodyCheck | None = None
    checked_at: datetime | None = None


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
