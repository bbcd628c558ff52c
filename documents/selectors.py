"""Reads for documents: gather a case's data for the caller as plain ``documents.data`` objects.

Every selector takes the user and returns only what the single permission path lets them see: exhibits through
``evidence.permissions.evidence_for``, incidents through ``cases.permissions.incidents_for``, identities through
``cases.permissions.person_identity_ids``, deadlines through ``deadlines.selectors``. Derived data of an exhibit
(its page count, read from the file) is given only when the caller may download the file: a restricted PDF's page
count is metadata like its EXIF. Labels are produced in the active language: call these inside
``translation.override``. Times are in the site's zone (``settings.TIME_ZONE``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import npgettext, pgettext

from cases import permissions as cp
from cases.models import Case, Incident, IncidentPerson, Proceeding
from documents import formatting as fmt
from documents import pdf_tools, wording
from documents import procedure as proc
from documents.data import (
    CaseInfo,
    ChronologyEntry,
    DossierClaim,
    CustodyCheck,
    CustodyExhibit,
    CustodyRow,
    DocumentMeta,
    DossierFilter,
    DossierIncident,
    EntryKind,
    ExhibitRow,
    PartyLine,
    PersonRef,
    Signature,
)

language_code = fmt.language_code


def _local(value: datetime | None) -> datetime | None:
    return fmt.local(value)


def _local_date(value: datetime | None) -> date | None:
    return fmt.local_date(value)


# --- The header: court, numbers, procedure, parties -----------------------------------------------------------------
def deadlines_for_case(*, user, case: Case) -> list:
    from deadlines.selectors import deadline_list_for_case

    return list(deadline_list_for_case(user=user, case=case))


def deadline_rule_code(deadline) -> str:
    rule = getattr(deadline, "rule", None)
    return str(getattr(rule, "code", rule) or "")


def proceedings_of(case: Case) -> list[Proceeding]:
    return list(Proceeding.objects.filter(case=case).order_by("filed_on", "id"))


def case_procedure(*, user, case: Case, proceedings: list | None = None, requested: str | None = None,
                   deadlines: list | None = None) -> proc.Procedure:
    proceedings = proceedings_of(case) if proceedings is None else proceedings
    if deadlines is None and requested not in proc.PROCEDURES:
        deadlines = deadlines_for_case(user=user, case=case)
    return proc.infer_procedure(jurisdiction=case.jurisdiction, proceedings=proceedings,
                                rule_codes=[deadline_rule_code(d) for d in deadlines or ()], requested=requested)


def party_lines(*, user, case: Case, procedure: str, language: str) -> tuple[PartyLine, ...]:
    """The parties by role in the procedure's words; a natural person by real name only for who may see it."""
    parties = list(case.parties.select_related("person").order_by("id"))
    identities = frozenset()
    if cp.VIEW_IDENTITIES in cp.case_perms(user, case):
        identities = cp.person_identity_ids(user, {p.person_id for p in parties if p.person_id})
    order = {role: n for n, role in enumerate(proc.PARTY_ORDER)}
    lines = []
    state = proc.respondent_state(case.jurisdiction, language) if procedure == proc.ECHR else ""
    if state:
        lines.append((order["respondent"], 0, PartyLine(proc.party_role_label("respondent", procedure), state)))
    for n, party in enumerate(parties):
        if procedure == proc.ECHR and party.role == "respondent" and state:
            continue  # before the ECHR the respondent is the State, not the domestic authorities
        name = party.name
        if party.person_id:
            name = party.person.pseudonym
            if party.person_id in identities and party.person.real_name:
                name = party.person.real_name
        lines.append((order.get(party.role, len(order)), n + 1,
                      PartyLine(proc.party_role_label(party.role, procedure), name)))
    return tuple(line for _o, _n, line in sorted(lines, key=lambda x: (x[0], x[1])))


def case_info(case: Case, *, user=None, language: str = "en", procedure: str | None = None,
              proceedings: list | None = None) -> CaseInfo:
    """The case and its header: the court and the court's number from the current proceeding, the procedure (and
    why), the parties in its words. Without a user, only the case's own fields."""
    if user is None:
        return CaseInfo(id=case.pk, title=case.title, reference=case.reference, court=case.court,
                        jurisdiction=case.jurisdiction, status=str(case.get_status_display()))
    proceedings = proceedings_of(case) if proceedings is None else proceedings
    chosen = case_procedure(user=user, case=case, proceedings=proceedings, requested=procedure)
    current = proc.current_proceeding(proceedings)
    return CaseInfo(
        id=case.pk, title=case.title, reference=case.reference,
        court=(current.court if current is not None and current.court else case.court),
        jurisdiction=case.jurisdiction, status=str(case.get_status_display()),
        court_case_number=(current.case_number if current is not None else ""),
        stage=str(current.get_stage_display()) if current is not None else "",
        procedure=chosen.code, procedure_name=chosen.name, procedure_reason=chosen.reason,
        parties=party_lines(user=user, case=case, procedure=chosen.code, language=language),
    )


_UNREAD = object()


def signature_for(user, *, on: date | None = None, profile=_UNREAD) -> Signature | None:
    """The signature block from the user's profile (full name, position, power of attorney, place); ``profile``:
    the user's ``UserProfile`` (or None) when the caller has read it already."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from documents.models import UserProfile

    if profile is _UNREAD:
        profile = UserProfile.objects.filter(user_id=user.pk).first()
    full_name = (profile.full_name if profile else "") or user.get_full_name() or user.get_username()
    return Signature(
        full_name=full_name, position=profile.position if profile else "",
        power_of_attorney=profile.power_of_attorney if profile else "", place=profile.place if profile else "",
        signed_on=on or timezone.localdate(),
    )


def document_meta(*, user, language: str | None) -> DocumentMeta:
    name = ""
    if user is not None and getattr(user, "is_authenticated", False):
        name = user.get_full_name() or user.get_username()
    now = fmt.local(timezone.now())
    lang = language_code(language)
    return DocumentMeta(language=lang, generated_at=now, generated_by=name, zone=fmt.zone_statement(now, lang),
                        signature=signature_for(user, on=now.date()))


# --- Exhibits -----------------------------------------------------------------------------------------------------
def exhibits_queryset(*, user, case: Case):
    """The case's live exhibits whose item the user may view, by number, with the item selected."""
    from evidence.models import CaseExhibit
    from evidence.permissions import evidence_for

    return (
        CaseExhibit.objects.filter(case=case, removed_at__isnull=True, item__in=evidence_for(user, "view").values("pk"))
        .select_related("item")
        .order_by("number")
    )


def downloadable_item_ids(*, user, case: Case) -> set[int]:
    from evidence.permissions import evidence_for

    return set(
        exhibits_queryset(user=user, case=case).filter(item__in=evidence_for(user, "download").values("pk"))
        .values_list("item_id", flat=True)
    )


def exhibit_row(exhibit, *, width: int = 3, downloadable: bool = True, pages: int | None = None) -> ExhibitRow:
    item = exhibit.item
    title = item.title or item.original_filename or f"#{item.pk}"
    return ExhibitRow(
        number=exhibit.number,
        title=title,
        kind=str(item.get_kind_display()),
        obtained_on=_local_date(item.obtained_at),  # unknown stays unknown: never the upload date
        source=item.source,
        sha256=item.sha256,
        size=item.size,
        original_filename=item.original_filename,
        restricted=item.restricted,
        item_id=item.pk,
        media_type=item.media_type,
        file_name=pdf_tools.bundle_file_name(exhibit.number, item.original_filename or title, width),
        pages=pages,
        downloadable=downloadable,
    )


def number_width(numbers: Iterable[int]) -> int:
    """Digits of the exhibit numbers in bundle file names: at least 3, so "001_…" sorts in order."""
    return max(3, len(str(max(numbers, default=0))))


def exhibit_rows_for_case(*, user, case: Case, numbers: Iterable[int] | None = None,
                          with_pages: bool = False) -> list[ExhibitRow]:
    """The exhibits the caller may see; ``with_pages`` reads each downloadable PDF's page count from its file."""
    qs = exhibits_queryset(user=user, case=case)
    if numbers is None:  # every exhibit: the numbers' width from the rows themselves (no query of its own)
        exhibits = list(qs.iterator(chunk_size=2000))
        width = number_width([ex.number for ex in exhibits])
    else:
        width = number_width(list(qs.values_list("number", flat=True)))
        exhibits = list(qs.filter(number__in=list(numbers)).iterator(chunk_size=2000))
    downloadable = downloadable_item_ids(user=user, case=case)
    rows = []
    for ex in exhibits:
        may = ex.item_id in downloadable
        pages = pdf_tools.exhibit_pages(ex.item.sha256, ex.item.media_type) if (with_pages and may) else None
        rows.append(exhibit_row(ex, width=width, downloadable=may, pages=pages))
    return rows


# --- Chronology ---------------------------------------------------------------------------------------------------
def case_incidents(*, user, case: Case):
    return cp.incidents_for(user).filter(cases=case).distinct()


def rule_name(rule) -> str:
    from deadlines.engine import rule_text

    return rule_text(getattr(rule, "name", "") or "")


def rule_basis(rule) -> str:
    from deadlines.engine import rule_text

    return rule_text(getattr(rule, "legal_basis", "") or "")


def chronology_for_case(*, user, case: Case, procedure: str = proc.CIVIL,
                        proceedings: list | None = None, deadlines: list | None = None) -> list[ChronologyEntry]:
    entries: list[ChronologyEntry] = []
    for incident in case_incidents(user=user, case=case).only(
        "title", "occurred_at", "location", "category", "agency", "system_involved"
    ):
        moment = _local(incident.occurred_at)
        detail = "; ".join(x for x in (fmt.format_time(incident.occurred_at, translation_language()), incident.location,
                                       str(incident.get_category_display()), incident.agency) if x)
        entries.append(ChronologyEntry(on=moment.date(), kind=EntryKind.INCIDENT, title=incident.title,
                                       detail=detail, order=(moment.time().isoformat(), incident.pk)))
    stage_rank = {s: n for n, s in enumerate(proc.STAGE_ORDER)}
    for p in proceedings_of(case) if proceedings is None else proceedings:
        where = "; ".join(x for x in (
            p.court,
            p.case_number and pgettext("doc", "case No. %(n)s") % {"n": p.case_number},
            p.judge and (p.judge if p.judge.lower().startswith(("judge", "судья")) else
                         pgettext("doc", "judge %(name)s") % {"name": p.judge}),
        ) if x)
        rank = stage_rank.get(p.stage, len(stage_rank))
        # A domestic proceeding's own number says whether it was civil or administrative (the case as a whole
        # may now be before the ECHR).
        own = proc.procedure_from_number(p.case_number) or (procedure if procedure != proc.ECHR else proc.CIVIL)
        if p.filed_on:
            entries.append(ChronologyEntry(on=p.filed_on, kind=EntryKind.PROCEEDING, detail=where,
                                           title=proc.proceeding_event(p.stage, "filed", own),
                                           order=(rank, 0, p.pk)))
        if p.hearing_on:
            entries.append(ChronologyEntry(on=p.hearing_on, kind=EntryKind.PROCEEDING, detail=where,
                                           title=proc.proceeding_event(p.stage, "hearing", own),
                                           order=(rank, 1, p.pk)))
        if p.decided_on:
            outcome = p.outcome if len(p.outcome) <= 1000 else p.outcome[:1000] + "…"
            entries.append(ChronologyEntry(on=p.decided_on, kind=EntryKind.PROCEEDING,
                                           title=proc.proceeding_event(p.stage, "decided", own),
                                           detail="\n".join(x for x in (where, outcome) if x), order=(rank, 2, p.pk)))
    for claim_entry in claim_entries(user=user, case=case):
        entries.append(claim_entry)
    today = timezone.localdate()
    for deadline in deadlines_for_case(user=user, case=case) if deadlines is None else deadlines:
        due = getattr(deadline, "due_date", None)
        if due is None:
            continue
        parts = []
        if deadline.rule_id:
            parts.append(f"{rule_name(deadline.rule)} ({rule_basis(deadline.rule)})")
        parts.append(pgettext("doc deadline", "time-limit %(status)s") % {
            "status": wording.deadline_status(deadline.status, due, today)})
        entries.append(ChronologyEntry(on=due, kind=EntryKind.DEADLINE, title=deadline.title,
                                       detail="; ".join(parts), order=(deadline.title, deadline.pk)))
    for row in exhibit_rows_for_case(user=user, case=case):
        if row.obtained_on is None:
            continue
        entries.append(ChronologyEntry(
            on=row.obtained_on, kind=EntryKind.EXHIBIT,
            title=pgettext("doc", "Exhibit No. %(number)s obtained: %(title)s") % {"number": row.number,
                                                                                    "title": row.title},
            detail="; ".join(x for x in (row.kind, row.source) if x), order=(row.number,),
        ))
    return entries


def convention_warning(*, case: Case, user) -> str:
    """The Convention ceased to apply to Russia on 16 September 2022: say so when a Russian case has later facts."""
    from deadlines.engine import CONVENTION_CEASED_RU

    if (case.jurisdiction or "").upper() != "RU":
        return ""
    later = [i for i in case_incidents(user=user, case=case).only("occurred_at")
             if _local_date(i.occurred_at) > CONVENTION_CEASED_RU]
    if not later:
        return ""
    return npgettext(
        "doc",
        "On %(date)s the Convention ceased to apply to the Russian Federation. The European Court of Human Rights "
        "deals with applications against Russia only for acts and omissions up to that date; %(n)s incident of this "
        "case occurred later.",
        "On %(date)s the Convention ceased to apply to the Russian Federation. The European Court of Human Rights "
        "deals with applications against Russia only for acts and omissions up to that date; %(n)s incidents of this "
        "case occurred later.",
        len(later),
    ) % {"date": fmt.format_date(CONVENTION_CEASED_RU, translation_language()), "n": len(later)}


def translation_language() -> str:
    from django.utils.translation import get_language

    return language_code(get_language())


# --- Incident dossier ---------------------------------------------------------------------------------------------
def dossier_incidents(*, user, case: Case, selection: DossierFilter) -> list[DossierIncident]:
    qs = case_incidents(user=user, case=case)
    if selection.category:
        qs = qs.filter(category=selection.category)
    if selection.location:
        qs = qs.filter(location__icontains=selection.location)
    if selection.date_from:
        qs = qs.filter(occurred_at__date__gte=selection.date_from)
    if selection.date_to:
        qs = qs.filter(occurred_at__date__lte=selection.date_to)
    if selection.incident_ids:
        qs = qs.filter(pk__in=selection.incident_ids)
    incidents = list(qs.order_by("occurred_at", "id"))
    ids = [i.pk for i in incidents]

    involvements = list(
        IncidentPerson.objects.filter(incident_id__in=ids).select_related("person").order_by("incident", "part", "id")
    )
    may_see = cp.person_identity_ids(user, {inv.person_id for inv in involvements})
    persons: dict[int, list[PersonRef]] = defaultdict(list)
    for inv in involvements:
        person = inv.person
        label = person.pseudonym
        if person.pk in may_see and person.real_name:
            label = f"{person.real_name} ({person.pseudonym})"
        persons[inv.incident_id].append(PersonRef(label=label, part=proc.person_part_label(inv.part)))

    references: dict[int, list] = defaultdict(list)
    if ids:
        from evidence.models import EvidenceItem

        through = EvidenceItem.incidents.through
        by_item: dict[int, list[int]] = defaultdict(list)
        for incident_id, item_id in through.objects.filter(incident_id__in=ids).values_list("incident_id",
                                                                                           "evidenceitem_id"):
            by_item[item_id].append(incident_id)
        if by_item:
            for ex in exhibits_queryset(user=user, case=case).filter(item_id__in=list(by_item)):
                label = pgettext("doc", "No. %(number)s — %(title)s") % {"number": ex.number,
                                                                         "title": exhibit_row(ex).title}
                for incident_id in by_item[ex.item_id]:
                    references[incident_id].append((ex.number, label))
    return [
        DossierIncident(
            id=i.pk, title=i.title, occurred_at=_local(i.occurred_at), location=i.location,
            category=str(i.get_category_display()), agency=i.agency, system_involved=i.system_involved,
            description=i.description, persons=tuple(persons[i.pk]),
            exhibits=tuple(label for _n, label in sorted(references[i.pk])),
        )
        for i in incidents
    ]


def incident_categories() -> list[tuple[str, str]]:
    return list(Incident.Category.choices)


# --- Custody ------------------------------------------------------------------------------------------------------
def _display_names(user_ids: Iterable[int]) -> dict[int, str]:
    from documents.models import UserProfile

    User = get_user_model()
    users = User.objects.filter(pk__in=set(user_ids)).only("pk", "username", "first_name", "last_name")
    names = {u.pk: (u.get_full_name() or u.get_username()) for u in users}
    for profile in UserProfile.objects.filter(user_id__in=list(names)).exclude(full_name=""):
        names[profile.user_id] = profile.full_name
    return names


def custody_for_case(*, user, case: Case, numbers: Iterable[int] | None = None,
                     language: str = "en", check: bool = True) -> list[CustodyExhibit]:
    """Each exhibit (all, or those numbered) with its custody chain worded for a reader, the chain head's seal and
    the result of ``evidence.services.evidence_check`` now (the file re-hashed, the chain and its seals checked)."""
    from evidence.models import CustodyEvent, CustodyHead, EvidenceItem
    from evidence.services import evidence_check

    exhibits = exhibit_rows_for_case(user=user, case=case, numbers=numbers)
    by_item = {row.item_id: row for row in exhibits}
    events = list(
        CustodyEvent.objects.filter(item_id__in=list(by_item))
        .only("item_id", "seq", "at", "action", "user_id", "username", "sha256", "detail", "entry_hash")
        .order_by("item_id", "seq")
    )
    names = _display_names(e.user_id for e in events if e.user_id)
    heads = {h.item_id: h for h in CustodyHead.objects.filter(item_id__in=list(by_item))}
    items = EvidenceItem.objects.in_bulk(list(by_item)) if check else {}
    rows: dict[int, list[CustodyRow]] = defaultdict(list)
    labels = dict(CustodyEvent.Action.choices)
    for event in events:
        exhibit = by_item[event.item_id]
        who = names.get(event.user_id) or event.username or pgettext("doc custody", "the system")
        if event.user_id and event.username and who != event.username:
            who = f"{who} ({event.username})"
        rows[event.item_id].append(CustodyRow(
            exhibit_number=exhibit.number, seq=event.seq, at=_local(event.at),
            event=wording.custody_event(event.action, event.detail, case_id=case.pk, language=language,
                                        fallback_label=str(labels.get(event.action, event.action))),
            user=who, entry_hash=event.entry_hash,
            sha256=event.sha256 if event.sha256 and event.sha256 != exhibit.sha256 else "",
        ))
    result = []
    for row in exhibits:
        head = heads.get(row.item_id)
        verdict, checked_at = None, None
        if check:
            found = evidence_check(items[row.item_id])
            checked_at = _local(timezone.now())
            verdict = CustodyCheck(
                ok=bool(found.get("ok")), file_ok=bool(found.get("file_ok", found.get("ok"))),
                chain_ok=bool(found.get("custody_ok", found.get("ok"))),
                entries=int(found.get("custody_entries", len(rows[row.item_id]))),
                problems=tuple(str(p) for p in found.get("problems", ())),
                actual_sha256=found.get("actual_sha256") or "",
            )
        result.append(CustodyExhibit(
            exhibit=row, rows=tuple(rows[row.item_id]),
            head_seq=head.seq if head else None, head_entry_hash=head.entry_hash if head else "",
            head_seal=head.seal if head else "", check=verdict, checked_at=checked_at,
        ))
    return result


def claim_entries(*, user, case: Case) -> list[ChronologyEntry]:
    """The claims of the case as chronology entries (when made and, where their proceeding was decided, the
    outcome), from ``litigation.selectors`` (the claims the user may see)."""
    from litigation.selectors import claim_chronology_entries

    return [ChronologyEntry(on=e["on"], kind=EntryKind.CLAIM, title=str(e["title"]), detail=e["detail"],
                            order=(e["claim"].number, e["claim"].pk))
            for e in claim_chronology_entries(user=user, case=case)]


def dossier_claims(*, user, case: Case) -> list[DossierClaim]:
    """The claims of the case the user may see, numbered as in the case, with the authorities each cites."""
    from litigation.selectors import claims_for_case

    out = []
    for claim in claims_for_case(user=user, case=case):
        cited = tuple(", ".join(x for x in (str(c.authority), c.authority.identifier if c.authority.identifier
                                            and c.authority.identifier not in str(c.authority) else "", c.pinpoint)
                                if x) for c in claim.citations.all())
        out.append(DossierClaim(number=claim.number, right=claim.right, basis=claim.basis, relief=claim.relief,
                                outcome=claim.outcome, proceeding=str(claim.proceeding) if claim.proceeding else "",
                                authorities=cited))
    return out
