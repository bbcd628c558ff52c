"""Who may see and change deadlines: whoever may see (VIEW_CASE) or edit deadlines on (EDIT_DEADLINES) the case.

Derived entirely from ``cases.permissions``; nothing here reads roles or guardian tables."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases.permissions import (
    EDIT_DEADLINES,
    VIEW_CASE,
    case_perms,
    case_perms_map,
    case_ids_for,
    parse_id,
    refuse_without_second_factor,
)
from deadlines.models import Deadline

__all__ = ["VIEW_CASE", "EDIT_DEADLINES", "deadlines_for", "deadline_get", "deadline_require", "can_edit",
           "editable_case_ids"]


def deadlines_for(user, perm: str = VIEW_CASE) -> QuerySet:
    """Deadlines of live cases on which ``user`` holds ``perm``."""
    return Deadline.objects.filter(case__in=case_ids_for(user, perm))


def deadline_get(user, pk, perm: str = VIEW_CASE) -> Deadline:
    """The deadline if ``user`` holds ``perm`` on its case; Http404 whether it is missing or forbidden."""
    pk = parse_id(pk)
    deadline = deadlines_for(user, perm).with_related().filter(pk=pk).first() if pk is not None else None
    if deadline is None:
        if pk is not None:
            refuse_without_second_factor(user, lambda u: deadlines_for(u, perm).filter(pk=pk).exists())
        raise Http404("No such deadline.")
    return deadline


def deadline_require(user, pk, perm: str) -> Deadline:
    """404 unless the deadline's case is visible to ``user``; 403 if visible but ``perm`` is missing."""
    deadline = deadline_get(user, pk, VIEW_CASE)
    if perm != VIEW_CASE and perm not in case_perms(user, deadline.case):
        raise PermissionDenied(_("Your role on this case may not change its deadlines."))
    return deadline


def can_edit(user, case) -> bool:
    return EDIT_DEADLINES in case_perms(user, case)


def editable_case_ids(user, case_ids) -> set[int]:
    """Of the given cases, those on which ``user`` may edit deadlines (one query)."""
    return {pk for pk, perms in case_perms_map(user, set(case_ids)).items() if EDIT_DEADLINES in perms}
