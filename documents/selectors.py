"""Reads for documents: gather a case's data for the caller as plain ``documents.data`` objects.

Every selector takes the user and returns only what the single permission path lets them see: exhibits through
``evidence.permissions.evidence_for``, incidents through ``cases.permissions.incidents_for``, identities through
``cases.permissions.person_identity_ids``, deadlines through ``deadlines`` (when that app is installed). Labels are
produced in the active language: call these inside ``translation.override``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases.models import Case, Incident, IncidentPerson, Proceeding
from documents.data import (
    CaseInfo,
    ChronologyEntry,
    CustodyRow,
    DocumentMeta,
    DossierFilter,
    DossierIncident,
    EntryKind,
    ExhibitRow,
    PersonRef,
)


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _local_date(value: datetime | None) -> date | None:
    local = _local(value)
    return local.date() if local is not None else None


def language_code(language: str | None) -> str:
    return "ru" if (language or "").lower().startswith("ru") else "en"


def case_info(case: Case) -> CaseInfo:
    return CaseInfo(
        id=case.pk, title=case.title, reference=case.reference, court=case.court, jurisdiction=case.jurisdiction,
        status=case.get_status_display(),
    )


def document_meta(*, user, language: str | None) -> DocumentMeta:
    name = ""
    if user is not None and getattr(user, "is_authenticated", False):
        name = user.get_full_name() or user.get_username()
    return DocumentMeta(language=language_code(language), generated_at=_local(timezone.now()), generated_by=name)


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


def exhibit_row(exhibit) -> ExhibitRow:
    item = exhibit.item
    return ExhibitRow(
        number=exhibit.number,
        title=item.title or item.original_filename or f"#{item.pk}",
        kind=item.get_kind_display(),
        obtained_on=_local_date(item.obtained_at) or _local_date(item.created_at),
        source=item.source,
        sha256=item.sha256,
        size=item.size,
        original_filename=item.original_filename,
        restricted=item.restricted,
        item_id=item.pk,
    )


def exhibit_rows_for_case(*, user, case: Case, numbers: Iterable[int] | None = None) -> list[ExhibitRow]:
    qs = exhibits_queryset(user=user, case=case)
    if numbers is not None:
        qs = qs.filter(number__in=list(numbers))
    return [exhibit_row(ex) for ex in qs.iterator(chunk_size=2000)]


# --- Chronology ---------------------------------------------------------------------------------------------------
def case_incidents(*, user, case: Case):
    return cp.incidents_for(user).filter(cases=case).distinct()


def _deadlines_for_case(*, user, case: Case) -> list:
    """The case's deadlines through the deadlines app's own selector (empty if that app has none yet)."""
    try:
        from deadlines import selectors as deadline_selectors
    except ImportError:
        return []
    lister = getattr(deadline_selectors, "deadline_list_for_case", None)
    if lister is None:
        return []
    return list(lister(user=user, case=case))


def deadline_rule_code(deadline) -> str:
    rule = getattr(deadline, "rule", None)
    return str(getattr(rule, "code", rule) or "")


def chronology_for_case(*, user, case: Case) -> list[ChronologyEntry]:
    entries: list[ChronologyEntry] = []
    for incident in case_incidents(user=user, case=case).only(
        "title", "occurred_at", "location", "category", "agency", "system_involved"
    ):
        detail = "; ".join(x for x in (incident.location, incident.get_category_display(), incident.agency) if x)
        entries.append(ChronologyEntry(on=_local_date(incident.occurred_at), kind=EntryKind.INCIDENT,
                                       title=incident.title, detail=detail))
    for proc in Proceeding.objects.filter(case=case).order_by("filed_on", "id"):
        where = "; ".join(x for x in (proc.court, proc.case_number and _("case No. %(n)s") % {"n": proc.case_number},
                                      proc.judge and _("judge %(name)s") % {"name": proc.judge}) if x)
        stage = proc.get_stage_display()
        if proc.filed_on:
            entries.append(ChronologyEntry(on=proc.filed_on, kind=EntryKind.PROCEEDING,
                                           title=_("%(stage)s: filed") % {"stage": stage}, detail=where))
        if proc.hearing_on:
            entries.append(ChronologyEntry(on=proc.hearing_on, kind=EntryKind.PROCEEDING,
                                           title=_("%(stage)s: hearing") % {"stage": stage}, detail=where))
        if proc.decided_on:
            outcome = proc.outcome if len(proc.outcome) <= 1000 else proc.outcome[:1000] + "…"
            entries.append(ChronologyEntry(on=proc.decided_on, kind=EntryKind.PROCEEDING,
                                           title=_("%(stage)s: decided") % {"stage": stage},
                                           detail="\n".join(x for x in (where, outcome) if x)))
    for deadline in _deadlines_for_case(user=user, case=case):
        due = getattr(deadline, "due_date", None)
        if due is None:
            continue
        status = deadline.get_status_display() if hasattr(deadline, "get_status_display") else ""
        entries.append(ChronologyEntry(on=due, kind=EntryKind.DEADLINE, title=deadline.title,
                                       detail="; ".join(str(x) for x in (status, deadline_rule_code(deadline)) if x)))
    for row in exhibit_rows_for_case(user=user, case=case):
        if row.obtained_on is None:
            continue
        entries.append(ChronologyEntry(
            on=row.obtained_on, kind=EntryKind.EXHIBIT,
            title=_("Exhibit No. %(number)s: %(title)s") % {"number": row.number, "title": row.title},
            detail="; ".join(x for x in (row.kind, row.source) if x),
        ))
    return entries


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
        persons[inv.incident_id].append(PersonRef(label=label, part=inv.get_part_display()))

    references: dict[int, list[str]] = defaultdict(list)
    if ids:
        from evidence.models import EvidenceItem

        through = EvidenceItem.incidents.through
        by_item: dict[int, list[int]] = defaultdict(list)
        for incident_id, item_id in through.objects.filter(incident_id__in=ids).values_list("incident_id",
                                                                                           "evidenceitem_id"):
            by_item[item_id].append(incident_id)
        if by_item:
            for ex in exhibits_queryset(user=user, case=case).filter(item_id__in=list(by_item)):
                label = _("No. %(number)s — %(title)s") % {"number": ex.number, "title": exhibit_row(ex).title}
                for incident_id in by_item[ex.item_id]:
                    references[incident_id].append((ex.number, label))
    return [
        DossierIncident(
            id=i.pk, title=i.title, occurred_at=_local(i.occurred_at), location=i.location,
            category=i.get_category_display(), agency=i.agency, system_involved=i.system_involved,
            description=i.description, persons=tuple(persons[i.pk]),
            exhibits=tuple(label for _n, label in sorted(references[i.pk])),
        )
        for i in incidents
    ]


def incident_categories() -> list[tuple[str, str]]:
    return list(Incident.Category.choices)


# --- Custody ------------------------------------------------------------------------------------------------------
def custody_rows_for_case(*, user, case: Case, numbers: Iterable[int] | None = None) -> tuple[list[ExhibitRow],
                                                                                              list[CustodyRow]]:
    """The exhibits (all, or those numbered) and their custody events, by exhibit number then sequence."""
    from evidence.models import CustodyEvent

    exhibits = exhibit_rows_for_case(user=user, case=case, numbers=numbers)
    by_item = {row.item_id: row for row in exhibits}
    rows: list[CustodyRow] = []
    events = (
        CustodyEvent.objects.filter(item_id__in=list(by_item))
        .only("item_id", "seq", "at", "action", "username", "sha256", "detail")
        .order_by("item_id", "seq")
    )
    for event in events.iterator(chunk_size=2000):
        exhibit = by_item[event.item_id]
        rows.append(CustodyRow(
            exhibit_number=exhibit.number, exhibit_title=exhibit.title, at=_local(event.at),
            action=event.get_action_display(), user=event.username, sha256=event.sha256,
            detail=_custody_detail(event.detail),
        ))
    rows.sort(key=lambda r: (r.exhibit_number or 0,))  # stable: keeps each exhibit's sequence order
    return exhibits, rows


def _custody_detail(detail) -> str:
    if not isinstance(detail, dict) or not detail:
        return ""
    parts = []
    for key in sorted(detail):
        value = detail[key]
        if isinstance(value, (dict, list)):
            continue
        parts.append(f"{key}: {value}")
    return "; ".join(parts)[:300]
