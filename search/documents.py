"""What each model contributes to the index: one ``SearchDoc`` per case, incident, person and evidence item.

A document holds its searchable text in three parts:

- ``title`` and ``body``: seen by everyone who may view the object;
- ``gated``: text only some viewers may search and see — a restricted evidence item's extracted file text
  (only for those who may download it), a person's real name (only for those who may see identities).
  ``gate_open`` is True when there is no such restriction (e.g. the extracted text of an unrestricted item).

A person's real name is indexed **blind**: ``gated`` holds, for each of its words, only a keyed hash of the word's
index form (``privacy.crypto.blind_token``), so a copied index reveals no name; ``search.service`` hashes the words
of a query the same way, so those who may read identities still find a person by name (whole words and phrases, not
prefixes). The plain name is kept only on the ``SearchDoc`` built for a snippet (``gated_display``), never indexed.

and the tokens that pre-filter results for a caller (``acl``):

- ``c<id>`` for every case the object belongs to (a case itself; the cases of an incident; the live exhibit cases
  of an item and the cases of its incidents; the cases of a person's parties and incidents),
- ``i<id>`` for every incident it belongs to (an unlinked incident is visible by direct grant),
- ``u<id>`` for the user who recorded a person, while the person is in nothing (no party, no involvement).
- ``lib`` for an authority of the shared library (every active user reads it); an authority private to a case
  carries that case's token, as do a proceeding, a claim, a request to an authority and a task.

An incident in the trash lends nothing: the items and persons linked to it carry no token of it nor of its cases.
Permissions themselves are never stored: at query time ``search.access.scope_for`` turns the caller's rights
into these tokens (what each token opens is written there), so a membership change needs no re-indexing, and every
hit is re-checked in the database anyway.

Never indexed: a case's privileged notes, a person's contacts and consent, the text and notes of a request to an
authority (a letter in a person's name carries their real name).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse

TYPES = ("case", "incident", "evidence", "person", "proceeding", "claim", "authority", "request", "task")
# Records that belong to one case and carry only its token (their case's access rules are theirs).
CASE_RECORDS = {"proceeding": ("cases", "Proceeding"), "claim": ("litigation", "Claim"),
                "request": ("litigation", "AuthorityRequest"), "task": ("litigation", "Task")}
# The shared library of authorities: readable by every active user (litigation.permissions.authorities_for).
LIBRARY_TOKEN = "lib"


@dataclass
class SearchDoc:
    type: str
    id: int
    title: str
    body: str = ""
    gated: str = ""
    gate_open: bool = True
    gated_display: str | None = None  # what a snippet shows of the gated text (None: ``gated`` itself); never indexed
    alive: bool = True
    acl: set[str] = field(default_factory=set)
    category: str = ""
    status: str = ""
    date: dt.datetime | None = None
    url: str | None = None  # the page of the object, when its builder knows it (never indexed)

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


def key_of(type_: str, pk) -> str:
    return f"{type_}:{pk}"


def evidence_model():
    """EvidenceItem when the evidence app provides it (search works without it)."""
    try:
        return apps.get_model("evidence", "EvidenceItem")
    except LookupError:
        return None


def type_of(obj: models.Model) -> str | None:
    label = obj._meta.label_lower
    return {
        "cases.case": "case",
        "cases.incident": "incident",
        "cases.person": "person",
        "evidence.evidenceitem": "evidence",
        "cases.proceeding": "proceeding",
        "litigation.claim": "claim",
        "litigation.authority": "authority",
        "litigation.authorityrequest": "request",
        "litigation.task": "task",
    }.get(label)


def model_for(type_: str):
    if type_ == "evidence":
        return evidence_model()
    if type_ in CASE_RECORDS:
        app, name = CASE_RECORDS[type_]
    elif type_ == "authority":
        app, name = "litigation", "Authority"
    else:
        app, name = "cases", {"case": "Case", "incident": "Incident", "person": "Person"}[type_]
    try:
        return apps.get_model(app, name)
    except LookupError:
        return None


def _join(*parts) -> str:
    return "\n".join(str(p) for p in parts if p)


def _naive_utc(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


# --- One builder per type; each takes an object fetched with the prefetches of its queryset below. ----------
def case_doc(case) -> SearchDoc:
    return SearchDoc(
        type="case", id=case.pk, title=case.title,
        body=_join(case.reference, case.court, case.jurisdiction, case.summary),
        alive=case.deleted_at is None, acl={f"c{case.pk}"}, status=case.status, date=_naive_utc(case.created_at),
    )


def incident_doc(incident) -> SearchDoc:
    acl = {f"i{incident.pk}"} | {f"c{c.pk}" for c in incident.cases.all()}
    return SearchDoc(
        type="incident", id=incident.pk, title=incident.title,
        body=_join(incident.location, incident.agency, incident.system_involved, incident.description),
        alive=incident.deleted_at is None, acl=acl, category=incident.category,
        date=_naive_utc(incident.occurred_at),
    )


def person_doc(person) -> SearchDoc:
    acl = set()
    parties, involvements = person.parties.all(), person.involvements.all()
    for party in parties:
        acl.add(f"c{party.case_id}")
    for involvement in involvements:
        if involvement.incident.deleted_at is None:
            acl.add(f"i{involvement.incident_id}")
            acl.update(f"c{c.pk}" for c in involvement.incident.cases.all())
    if person.created_by_id and not parties and not involvements:  # in nothing (not even in the trash)
        acl.add(f"u{person.created_by_id}")
    return SearchDoc(
        type="person", id=person.pk, title=person.pseudonym, gated=blind_text(person.real_name), gate_open=False,
        gated_display=person.real_name, acl=acl, date=_naive_utc(person.created_at),
    )


def blind_text(identity: str) -> str:
    """The words of ``identity`` as blind-index tokens, in order (so phrases still match)."""
    from privacy.crypto import blind_token
    from search.text import analyze

    return " ".join(blind_token(term) for term in analyze(identity or ""))


def evidence_doc(item) -> SearchDoc:
    acl = set()
    for exhibit in item.exhibits.all():
        if exhibit.removed_at is None:
            acl.add(f"c{exhibit.case_id}")
    for incident in item.incidents.all():
        if incident.deleted_at is None:
            acl.add(f"i{incident.pk}")
            acl.update(f"c{c.pk}" for c in incident.cases.all())
    return SearchDoc(
        type="evidence", id=item.pk, title=str(item),
        body=_join(item.original_filename, item.description, item.source),
        gated=item.extracted_text or "", gate_open=not item.restricted,
        alive=item.deleted_at is None, acl=acl, category=item.kind, date=_naive_utc(item.created_at),
    )


def _case_records_url(proceeding) -> str:
    return reverse("case-detail", args=[proceeding.case_id]) + "#proceedings"


def proceeding_doc(proceeding) -> SearchDoc:
    """Found by court case number, court and judge (and what was decided)."""
    stage = proceeding.get_stage_display()
    return SearchDoc(
        type="proceeding", id=proceeding.pk,
        title=" — ".join(p for p in (proceeding.case_number, proceeding.court or stage) if p) or stage,
        body=_join(stage, proceeding.judge, proceeding.outcome),
        acl={f"c{proceeding.case_id}"}, date=_naive_utc(proceeding.filed_on or proceeding.created_at),
        url=_case_records_url(proceeding),
    )


def claim_doc(claim) -> SearchDoc:
    cited = [f"{c.authority.citation} {c.authority.title} {c.authority.identifier} {c.pinpoint}"
             for c in claim.citations.all()]
    return SearchDoc(
        type="claim", id=claim.pk, title=claim.right, body=_join(claim.basis, claim.relief, claim.outcome, *cited),
        acl={f"c{claim.case_id}"}, date=_naive_utc(claim.created_at), url=claim.get_absolute_url(),
    )


def authority_doc(authority) -> SearchDoc:
    acl = {f"c{authority.case_id}"} if authority.case_id else {LIBRARY_TOKEN}
    return SearchDoc(
        type="authority", id=authority.pk, title=authority.title,
        body=_join(authority.citation, authority.identifier, authority.court, authority.get_kind_display()),
        acl=acl, date=_naive_utc(authority.date or authority.created_at), url=authority.get_absolute_url(),
    )


def request_doc(req) -> SearchDoc:
    return SearchDoc(
        type="request", id=req.pk, title=str(req),
        body=_join(req.get_kind_display(), req.addressee, req.subject, req.reference),
        acl={f"c{req.case_id}"}, date=_naive_utc(req.sent_on or req.created_at), url=req.get_absolute_url(),
    )


def task_doc(task) -> SearchDoc:
    return SearchDoc(
        type="task", id=task.pk, title=task.title, body=task.notes or "",
        acl={f"c{task.case_id}"}, date=_naive_utc(task.due_date or task.created_at), url=task.get_absolute_url(),
    )


BUILDERS = {"case": case_doc, "incident": incident_doc, "person": person_doc, "evidence": evidence_doc,
            "proceeding": proceeding_doc, "claim": claim_doc, "authority": authority_doc, "request": request_doc,
            "task": task_doc}


def queryset_for(type_: str):
    """All objects of ``type_`` with what their document needs prefetched (no query per object)."""
    model = model_for(type_)
    if model is None:
        return None
    qs = model._default_manager.all()
    if type_ == "incident":
        qs = qs.prefetch_related("cases")
    elif type_ == "person":
        qs = qs.prefetch_related("parties", "involvements__incident__cases")
    elif type_ == "evidence":
        qs = qs.prefetch_related("exhibits", "incidents__cases")
    elif type_ == "proceeding":
        qs = qs.select_related("case")
    elif type_ == "claim":
        qs = qs.prefetch_related("citations__authority")
    return qs.order_by("pk")


def docs_for(type_: str, ids) -> dict[int, SearchDoc]:
    qs = queryset_for(type_)
    if qs is None:
        return {}
    return {obj.pk: BUILDERS[type_](obj) for obj in qs.filter(pk__in=list(ids))}


def count_all() -> int:
    total = 0
    for type_ in TYPES:
        qs = queryset_for(type_)
        total += qs.count() if qs is not None else 0
    return total


def iter_all(batch: int = 500) -> Iterator[SearchDoc]:
    """Every document, built from the database in batches (for rebuilds)."""
    for type_ in TYPES:
        qs = queryset_for(type_)
        if qs is None:
            continue
        last = 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            for obj in chunk:
                yield BUILDERS[type_](obj)
            last = chunk[-1].pk


def url_for(type_: str, pk: int) -> str | None:
    """The page of a result of the four core types (the other builders set ``SearchDoc.url`` themselves)."""
    name = {"case": "case-detail", "incident": "incident-detail", "evidence": "evidence-detail",
            "person": "person-detail"}.get(type_)
    if name is None:
        docs = docs_for(type_, [pk])
        return docs[pk].url if pk in docs else None
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None
