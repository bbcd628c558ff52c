"""Who may see, download and change evidence — derived only from ``cases.permissions``.

- view: any linked live case is visible (VIEW_CASE), or any linked incident is visible (VIEW_INCIDENT).
- edit: EDIT_EVIDENCE on a linked live case, or CHANGE_INCIDENT on a linked incident.
- download: view, and for a restricted item DOWNLOAD_RESTRICTED on a linked case (or on a case of a linked
  incident), or CHANGE_INCIDENT on a linked incident that has no live case.

Missing and forbidden are the same answer: ``Http404``.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases import permissions as cp
from cases.models import Incident
from evidence.models import CaseExhibit, EvidenceItem

VIEW = "view"
EDIT = "edit"
DOWNLOAD = "download"
PERMS = (VIEW, EDIT, DOWNLOAD)


def _via_case(user, case_perm: str) -> Exists:
    return Exists(
        CaseExhibit.objects.filter(
            item=OuterRef("pk"), removed_at__isnull=True, case__in=cp.cases_for(user, case_perm).values("pk")
        )
    )


def _via_incident(user, incident_perm: str) -> Exists:
    through = EvidenceItem.incidents.through
    return Exists(
        through.objects.filter(
            evidenceitem=OuterRef("pk"), incident__in=cp.incidents_for(user, incident_perm).values("pk")
        )
    )


def _restricted_ok(user) -> Q:
    through = EvidenceItem.incidents.through
    allowed_cases = cp.cases_for(user, cp.DOWNLOAD_RESTRICTED).values("pk")
    incidents_of_allowed_cases = Incident.cases.through.objects.filter(case__in=allowed_cases).values("incident")
    unlinked_editable = (
        cp.incidents_for(user, cp.CHANGE_INCIDENT)
        .exclude(Exists(Incident.cases.through.objects.filter(incident=OuterRef("pk"), case__deleted_at__isnull=True)))
        .values("pk")
    )
    return (
        Q(_via_case(user, cp.DOWNLOAD_RESTRICTED))
        | Q(Exists(through.objects.filter(evidenceitem=OuterRef("pk"), incident__in=incidents_of_allowed_cases,
                                          incident__deleted_at__isnull=True)))
        | Q(Exists(through.objects.filter(evidenceitem=OuterRef("pk"), incident__in=unlinked_editable)))
    )


def evidence_for(user, perm: str = VIEW, *, include_trashed: bool = False, trashed_only: bool = False) -> QuerySet:
    """The evidence items on which ``user`` holds ``perm`` ("view", "edit" or "download")."""
    if perm not in PERMS:
        raise ValueError(f"unknown evidence permission {perm!r}")
    qs = EvidenceItem.objects.all()
    if trashed_only:
        qs = qs.trashed()
    elif not include_trashed:
        qs = qs.alive()
    if not cp._active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if perm == EDIT:
        return qs.filter(Q(_via_case(user, cp.EDIT_EVIDENCE)) | Q(_via_incident(user, cp.CHANGE_INCIDENT)))
    visible = Q(_via_case(user, cp.VIEW_CASE)) | Q(_via_incident(user, cp.VIEW_INCIDENT))
    if perm == VIEW:
        return qs.filter(visible)
    return qs.filter(visible).filter(Q(restricted=False) | _restricted_ok(user))


def evidence_get(user, pk, perm: str = VIEW, *, include_trashed: bool = False) -> EvidenceItem:
    """The item, if ``user`` holds ``perm`` on it; otherwise Http404 whether it exists or not."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such evidence item.") from None
    item = evidence_for(user, perm, include_trashed=include_trashed).filter(pk=pk).first()
    if item is None:
        raise Http404("No such evidence item.")
    return item


def can_download(user, item: EvidenceItem) -> bool:
    return evidence_for(user, DOWNLOAD, include_trashed=True).filter(pk=item.pk).exists()


def can_edit(user, item: EvidenceItem) -> bool:
    return evidence_for(user, EDIT, include_trashed=True).filter(pk=item.pk).exists()


def evidence_perms_map(user, ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """{item id: {"view", "edit", "download"} held} for many items, in three queries."""
    ids = list(ids)
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    if not ids:
        return {}
    for perm in PERMS:
        for pk in evidence_for(user, perm, include_trashed=True).filter(pk__in=ids).values_list("pk", flat=True):
            found[pk].add(perm)
    return {pk: frozenset(v) for pk, v in found.items()}
