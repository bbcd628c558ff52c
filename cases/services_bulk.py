"""Bulk actions on incidents: link to a case, set the category, move to the trash.

Each incident goes through the same service a single edit uses (``cases.services``), one at a time, inside one
transaction: the access rules apply to each incident exactly as they would one by one (the link rule above all:
only a lead of one of its cases, or its owner while it is linked to no case, may link an incident to another case).
All or nothing: the first refusal undoes the whole batch and names the incident refused.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from cases import permissions, services
from cases.models import Incident

LINK = "link"
CATEGORY = "category"
TRASH = "trash"
ACTIONS = (LINK, CATEGORY, TRASH)
MAX_BATCH = 500


@dataclass(eq=False)
class BulkRefused(Exception):
    """The batch was refused at ``incident_id``; nothing was changed. ``status``: 404 (hidden or missing), 403 (not
    allowed), 400 (invalid)."""

    incident_id: int | None
    label: str
    reason: str
    status: int

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        if self.incident_id is None:
            return _("Nothing was changed: %(reason)s") % {"reason": self.reason}
        if not self.label:
            return _("Nothing was changed. Incident no. %(id)s: %(reason)s") % {
                "id": self.incident_id, "reason": self.reason}
        return _("Nothing was changed. “%(incident)s” (no. %(id)s): %(reason)s") % {
            "incident": self.label, "id": self.incident_id, "reason": self.reason}


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def _parse_ids(ids: Iterable) -> list[int]:
    parsed = []
    for raw in ids:
        pk = permissions.parse_id(raw)
        if pk is None:
            raise BulkRefused(None, "", _("“%(value)s” is not an incident number.") % {"value": str(raw)[:20]}, 400)
        if pk not in parsed:
            parsed.append(pk)
    if not parsed:
        raise BulkRefused(None, "", _("choose at least one incident."), 400)
    if len(parsed) > MAX_BATCH:
        raise BulkRefused(None, "", _("at most %(n)s incidents at a time.") % {"n": MAX_BATCH}, 400)
    return parsed


def _one(user, incident: Incident, action: str, *, case_id: int | None, category: str | None) -> None:
    if action == LINK:
        current = list(incident.cases.values_list("pk", flat=True))  # hidden links included: they stay as they are
        services.incident_update(user=user, incident=incident, data={}, cases=[*current, case_id])
    elif action == CATEGORY:
        services.incident_update(user=user, incident=incident, data={"category": category})
    else:
        services.incident_trash(user=user, incident=incident)


def incident_bulk(*, user, ids: Iterable, action: str, case=None, category: str | None = None) -> int:
    """Apply ``action`` to every incident of ``ids`` (all or nothing); the number of incidents done.

    ``case`` (an id or a Case) for ``link``; ``category`` for ``category``. Raises ``BulkRefused`` naming the
    first incident refused, or the input that is wrong, and changes nothing."""
    if action not in ACTIONS:
        raise BulkRefused(None, "", _("choose what to do with the chosen incidents."), 400)
    case_id = None
    if action == LINK:
        case_id = permissions.parse_id(getattr(case, "pk", case))
        if case_id is None:
            raise BulkRefused(None, "", _("choose the case to link the incidents to."), 400)
        if not permissions.cases_for(user, permissions.EDIT_INCIDENTS).filter(pk=case_id).exists():
            # the same answer for a case that is hidden from the user and one that does not exist
            raise BulkRefused(None, "", _("no case you may add incidents to has the number %(id)s.") % {
                "id": case_id}, 400)
    if action == CATEGORY and category not in Incident.Category.values:
        raise BulkRefused(None, "", _("choose a category."), 400)
    pks = _parse_ids(ids)
    with transaction.atomic():
        for pk in pks:
            incident = None
            try:
                incident = permissions.incident_get(user, pk)
                _one(user, incident, action, case_id=case_id, category=category)
            except Http404:
                raise BulkRefused(pk, "", _("there is no such incident."), 404) from None
            except PermissionDenied as error:
                raise BulkRefused(pk, incident.title, _reason(error), 403) from None
            except ValidationError as error:
                raise BulkRefused(pk, incident.title if incident else "", _reason(error), 400) from None
    return len(pks)
