"""Reads on evidence: always through ``evidence.permissions`` so a list shows only what the user may see."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from cases import permissions as cp
from cases.models import Case, Incident
from evidence.models import CaseExhibit, CustodyEvent, EvidenceItem
from evidence.permissions import evidence_for


def visible_exhibits_prefetch(user) -> Prefetch:
    """Prefetch of each item's live exhibits in cases the user may view (one query for a whole list)."""
    return Prefetch(
        "exhibits",
        queryset=CaseExhibit.objects.filter(
            removed_at__isnull=True, case__in=cp.case_ids_for(user)
        ).select_related("case").order_by("case_id"),
        to_attr="visible_exhibits",
    )


def visible_incidents_prefetch(user) -> Prefetch:
    return Prefetch(
        "incidents", queryset=cp.incidents_for(user).only("pk", "title").order_by("pk"), to_attr="visible_incidents"
    )


def evidence_list(*, user, case: int | None = None, incident: int | None = None, trashed: bool = False) -> QuerySet:
    qs = evidence_for(user, trashed_only=trashed)
    # Filtering by a case or incident the user may not view answers nothing (never which items are in it).
    if case is not None:
        if not cp.cases_for(user).filter(pk=case).exists():
            return qs.none()
        qs = qs.filter(exhibits__case_id=case, exhibits__removed_at__isnull=True)
    if incident is not None:
        if not cp.incidents_for(user).filter(pk=incident).exists():
            return qs.none()
        qs = qs.filter(incidents__id=incident)
    return (
        qs.select_related("created_by")
        .prefetch_related(visible_exhibits_prefetch(user), visible_incidents_prefetch(user))
        .order_by("-created_at", "-id")
    )


def exhibits_for_case(*, user, case: Case) -> list[CaseExhibit]:
    """The live exhibits of a case the user may view, ordered by number, each with ``item`` loaded (for the
    exhibit list, the chronology and the bundle). Empty when the user may not view the case."""
    return list(  # the visibility check folded into the one query (no rows when the case is hidden)
        CaseExhibit.objects.filter(case__in=cp.cases_for(user).filter(pk=case.pk).values("pk"),
                                   removed_at__isnull=True, item__deleted_at__isnull=True)
        .select_related("item", "item__created_by")
        .order_by("number")
    )


def evidence_list_for_case(user, case: Case) -> list[EvidenceItem]:
    """The case's evidence for its page: items in exhibit order, each with ``exhibit_number`` set."""
    items = []
    for exhibit in exhibits_for_case(user=user, case=case):
        item = exhibit.item
        item.exhibit_number = exhibit.number
        items.append(item)
    return items


def evidence_list_for_incident(user, incident: Incident) -> list[EvidenceItem]:
    """The incident's evidence for its page, oldest first, each with ``visible_exhibits`` (numbers in cases)."""
    if not cp.incidents_for(user).filter(pk=incident.pk).exists():
        return []
    items = list(
        EvidenceItem.objects.alive().filter(incidents=incident)
        .select_related("created_by")
        .prefetch_related(visible_exhibits_prefetch(user))
        .order_by("created_at", "id")
    )
    for item in items:
        item.exhibit_number = item.visible_exhibits[0].number if len(item.visible_exhibits) == 1 else None
    return items


def custody_log(item: EvidenceItem) -> QuerySet:
    """The item's custody entries, oldest first."""
    return CustodyEvent.objects.filter(item_id=item.pk).select_related("user").order_by("seq")


def duplicate_of(*, user, item: EvidenceItem) -> int | None:
    """The earliest other item with the same bytes that the user may see (None if there is none)."""
    return (
        evidence_for(user).filter(sha256=item.sha256).exclude(pk=item.pk).order_by("pk")
        .values_list("pk", flat=True).first()
    )
