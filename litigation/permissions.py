"""Who may see and change claims, authorities, requests to authorities and tasks (docs/access-model.md, "Claims,
authorities, requests and tasks"). Derived entirely from ``cases.permissions``; nothing here reads roles.

- Claims, citations, requests and tasks belong to a case: whoever may view the case sees them; ``change_case``
  (lead, lawyer) writes them. The assignee of a task may also mark it done or not done, whatever their role.
- Documents (the table of authorities, a request letter): ``generate_documents`` (lead, lawyer, coordinator); a
  letter in the name of a person also needs ``view_identities``, since it carries the person's real name.
- Authorities: the shared library (``case`` empty) is readable by every active user; an authority private to a case
  only through that case. Adding to the library: staff, or a user who may change at least one live case; changing a
  library entry: its creator or staff; a private authority: ``change_case`` on its case.

Every ``*_get`` answers ``Http404`` for missing and hidden alike; every ``*_require`` adds ``PermissionDenied``
(403) for an object the user may see but not change.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases.permissions import (
    CHANGE_CASE,
    GENERATE_DOCUMENTS,
    VIEW_CASE,
    VIEW_IDENTITIES,
    case_perms,
    case_perms_map,
    case_ids_for,
    cases_for,
    is_active_user,
    parse_id,
)
from litigation.models import Authority, AuthorityRequest, Citation, Claim, Task

__all__ = [
    "VIEW_CASE", "EDIT", "GENERATE_DOCUMENTS", "VIEW_IDENTITIES", "COMPLETE_TASK", "CHANGE_AUTHORITY",
    "claims_for", "claim_get", "claim_require", "citation_require", "requests_for", "request_get", "request_require",
    "tasks_for", "task_get", "task_require", "task_perms", "authorities_for", "authority_get", "authority_require",
    "can_add_to_library", "can_change_authority", "editable_case_ids", "perms_by_case",
]

EDIT = CHANGE_CASE  # the case permission that writes claims, citations, requests and tasks (lead, lawyer)
COMPLETE_TASK = "complete_task"  # not a case permission: held by editors and by the task's assignee
CHANGE_AUTHORITY = "change_authority"


def _for(model: type[Model], user, perm: str) -> QuerySet:
    return model.objects.filter(case__in=case_ids_for(user, perm))


def _get(queryset: QuerySet, pk, label: str):
    pk = parse_id(pk)
    obj = queryset.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise Http404(f"No such {label}.")
    return obj


def _require(obj, user, perm: str, message: str):
    if perm != VIEW_CASE and perm not in case_perms(user, obj.case):
        raise PermissionDenied(message)
    return obj


# --- Claims and citations -------------------------------------------------------------------------------------
def claims_for(user, perm: str = VIEW_CASE) -> QuerySet:
    return _for(Claim, user, perm)


def claim_get(user, pk, perm: str = VIEW_CASE) -> Claim:
    return _get(claims_for(user, perm).select_related("case", "proceeding"), pk, "claim")


def claim_require(user, pk, perm: str) -> Claim:
    """404 unless the claim's case is visible; 403 if visible but ``perm`` is missing."""
    return _require(claim_get(user, pk), user, perm, _("Your role on this case may not change its claims."))


def citation_require(user, pk, perm: str = VIEW_CASE, *, claim: Claim | None = None) -> Citation:
    qs = Citation.objects.filter(claim__case__in=case_ids_for(user)).select_related(
        "claim", "claim__case", "authority")
    if claim is not None:
        qs = qs.filter(claim=claim)
    citation = _get(qs, pk, "citation")
    if perm != VIEW_CASE and perm not in case_perms(user, citation.claim.case):
        raise PermissionDenied(_("Your role on this case may not change its claims."))
    return citation


# --- Requests to authorities ----------------------------------------------------------------------------------
def requests_for(user, perm: str = VIEW_CASE) -> QuerySet:
    return _for(AuthorityRequest, user, perm)


def request_get(user, pk, perm: str = VIEW_CASE) -> AuthorityRequest:
    return _get(requests_for(user, perm).with_related(), pk, "request")


def request_require(user, pk, perm: str) -> AuthorityRequest:
    return _require(request_get(user, pk), user, perm, _("Your role on this case may not change its requests."))


# --- Tasks ----------------------------------------------------------------------------------------------------
def tasks_for(user, perm: str = VIEW_CASE) -> QuerySet:
    return _for(Task, user, perm)


def task_get(user, pk) -> Task:
    return _get(tasks_for(user).with_related(), pk, "task")


def task_perms(user, task: Task) -> frozenset[str]:
    perms = set(case_perms(user, task.case) & {VIEW_CASE, EDIT})
    if EDIT in perms or (VIEW_CASE in perms and task.assignee_id is not None and task.assignee_id == user.pk):
        perms.add(COMPLETE_TASK)
    return frozenset(perms)


def task_require(user, pk, perm: str) -> Task:
    task = task_get(user, pk)
    if perm != VIEW_CASE and perm not in task_perms(user, task):
        raise PermissionDenied(_("Your role on this case may not change its tasks."))
    return task


# --- Authorities ----------------------------------------------------------------------------------------------
def authorities_for(user) -> QuerySet:
    """The shared library, and the authorities private to the live cases the user may view."""
    if not is_active_user(user):
        return Authority.objects.none()
    return Authority.objects.filter(Q(case__isnull=True) | Q(case__in=case_ids_for(user)))


def authority_get(user, pk) -> Authority:
    return _get(authorities_for(user).select_related("case", "created_by"), pk, "authority")


def can_add_to_library(user) -> bool:
    if not is_active_user(user):
        return False
    return bool(user.is_staff or user.is_superuser or cases_for(user, CHANGE_CASE).exists())


def can_change_authority(user, authority: Authority) -> bool:
    if not is_active_user(user):
        return False
    if authority.case_id is not None:
        return CHANGE_CASE in case_perms(user, authority.case)
    return bool(user.is_staff or user.is_superuser or authority.created_by_id == user.pk)


def authority_require(user, pk, perm: str = CHANGE_AUTHORITY) -> Authority:
    authority = authority_get(user, pk)
    if perm == CHANGE_AUTHORITY and not can_change_authority(user, authority):
        raise PermissionDenied(_("Only whoever added this authority, or staff, may change it."))
    return authority


# --- Batches for lists ----------------------------------------------------------------------------------------
def perms_by_case(user, case_ids) -> dict[int, frozenset[str]]:
    return case_perms_map(user, set(case_ids))


def editable_case_ids(user, case_ids) -> set[int]:
    return {pk for pk, perms in perms_by_case(user, case_ids).items() if EDIT in perms}
