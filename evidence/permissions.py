"""Who may see, download and change evidence — derived only from ``cases.permissions`` (docs/access-model.md).

- view: any linked live case is visible (VIEW_CASE), or any linked incident is visible (VIEW_INCIDENT).
- edit: EDIT_EVIDENCE on a linked live case, or CHANGE_INCIDENT on a linked incident.
- download: view, and for a restricted item DOWNLOAD_RESTRICTED on a linked live case (or on a live case of a
  linked incident), or CHANGE_INCIDENT on a linked incident that is linked to no case.
- derived data (extracted text, OCR, metadata, previews, snippets) follow the bytes: ``download``.
- move (link into another case or incident): ``evidence_movable``.

``evidence_get`` answers Http404 for missing and hidden alike; ``evidence_require`` adds the 403 for an item the
user may see but not act on.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases.models import Case, Incident
from evidence.models import CaseExhibit, EvidenceItem

VIEW = "view"
EDIT = "edit"
DOWNLOAD = "download"
PERMS = (VIEW, EDIT, DOWNLOAD)


# Each way in is a set of item ids built once per query (uncorrelated subqueries over the user's cases and
# incidents), not a check run for every item of the table: SQLite would otherwise probe the exhibits once per
# visible case for every item (its estimate of an IN list is 25 values), and both databases read each set once.
def _via_case(user, case_perm: str) -> Q:
    return Q(pk__in=CaseExhibit.objects.filter(
        removed_at__isnull=True, case__in=cp.case_ids_for(user, case_perm)).values("item_id"))


def _via_incident(user, incident_perm: str) -> Q:
    through = EvidenceItem.incidents.through
    return Exists(
        through.objects.filter(evidenceitem=OuterRef("pk")).filter(cp.incident_q(user, incident_perm))
    )


def _restricted_ok(user) -> Q:
    through = EvidenceItem.incidents.through
    allowed_cases = cp.case_ids_for(user, cp.DOWNLOAD_RESTRICTED)
    incidents_of_allowed_cases = Incident.cases.through.objects.filter(case__in=allowed_cases).values("incident")

    return (
        Q(_via_case(user, cp.DOWNLOAD_RESTRICTED))
        | Q(Exists(through.objects.filter(evidenceitem=OuterRef("pk"), incident__in=incidents_of_allowed_cases,
                                          incident__deleted_at__isnull=True)))
        | Q(Exists(through.objects.filter(evidenceitem=OuterRef("pk"))
                   .filter(cp.incident_q(user, cp.CHANGE_INCIDENT, unlinked=True))))
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
    if not cp.is_active_user(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if perm == EDIT:
        return qs.filter(_via_case(user, cp.EDIT_EVIDENCE) | _via_incident(user, cp.CHANGE_INCIDENT))
    visible = _via_case(user, cp.VIEW_CASE) | _via_incident(user, cp.VIEW_INCIDENT)
    if perm == VIEW:
        return qs.filter(visible)
    return qs.filter(visible).filter(Q(restricted=False) | _restricted_ok(user))


def evidence_get(user, pk, perm: str = VIEW, *, include_trashed: bool = False) -> EvidenceItem:
    """The item, if ``user`` holds ``perm`` on it; otherwise Http404 whether it exists or not."""
    pk = cp.parse_id(pk)
    item = evidence_for(user, perm, include_trashed=include_trashed).filter(pk=pk).first() if pk else None
    if item is None:
        if pk:
            cp.refuse_without_second_factor(
                user, lambda u: evidence_for(u, perm, include_trashed=include_trashed).filter(pk=pk).exists())
        raise Http404("No such evidence item.")
    return item


def evidence_require(user, pk, perm: str, *, include_trashed: bool = True) -> EvidenceItem:
    """404 unless the item is visible to ``user``; 403 if visible but ``perm`` ("edit", "download") is missing."""
    item = evidence_get(user, pk, VIEW, include_trashed=include_trashed)
    if perm != VIEW and not evidence_for(user, perm, include_trashed=True).filter(pk=item.pk).exists():
        raise PermissionDenied(_("Your access to this evidence does not allow this."))
    return item


def can_read_derived(user, item: EvidenceItem) -> bool:
    """Extracted text, OCR text, metadata, previews and snippets follow the bytes: only for those who may
    download the item."""
    return can_download(user, item)


def holding_cases(item: EvidenceItem) -> QuerySet:
    """Every case (live or trashed) the item is in: as a live exhibit, or through an incident it is linked to."""
    through = EvidenceItem.incidents.through
    return Case.objects.filter(
        Q(Exists(CaseExhibit.objects.filter(case=OuterRef("pk"), item=item, removed_at__isnull=True)))
        | Q(Exists(Incident.cases.through.objects.filter(
            case=OuterRef("pk"), incident__in=through.objects.filter(evidenceitem=item).values("incident"))))
    )


def evidence_movable(user, item: EvidenceItem) -> bool:
    """May ``user`` move the item out of where it is (docs/access-model.md, "Links")?"""
    return cp.thing_movable(
        user, holding_cases=holding_cases(item), holding_incidents=item.incidents.all(),
        created_by_id=item.created_by_id,
    )


def adds_audience(item: EvidenceItem, *, case: Case | None = None, incident: Incident | None = None) -> bool:
    """Would linking the item into ``case`` or ``incident`` show it to anyone who does not see it already?
    Not when it is already there, nor when every case of the target incident already holds it."""
    held = holding_cases(item)
    if case is not None:
        return not held.filter(pk=case.pk).exists()
    if item.incidents.filter(pk=incident.pk).exists():
        return False
    target_cases = incident.cases.all()
    return not target_cases.exists() or target_cases.exclude(pk__in=held.values("pk")).exists()


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
