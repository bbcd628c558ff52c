"""Writes for tasks: per-case work assigned to a member of the case, with a due date."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseMembership
from cases.permissions import case_require
from litigation import indexing
from litigation.models import Task
from litigation.permissions import COMPLETE_TASK, EDIT, task_perms, task_require
from litigation.services.common import assign, check_fields, delete, parse_dates, save, strip_strings

TASK_FIELDS = ("title", "notes", "assignee", "due_date", "done")
User = get_user_model()


def _assignee_of(case: Case, value: Any):
    """A user (or a username) with a role on the case; anyone else is the same 400 as a missing username."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        user = User.objects.filter(username=value).first()
    elif isinstance(value, User):
        user = value
    else:
        user = None
    if user is None or not CaseMembership.objects.filter(case=case, user=user).exists():
        raise ValidationError({"assignee": _("The assignee must have a role on the case.")})
    return user


def _data(case: Case, data: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(data)
    check_fields(data, TASK_FIELDS)
    strip_strings(data, ("title", "notes"))
    parse_dates(data, ["due_date"])
    if "done" in data and not isinstance(data["done"], bool):
        raise ValidationError({"done": _("Give true or false.")})
    if "assignee" in data:
        data["assignee"] = _assignee_of(case, data["assignee"])
    return data


def _apply_done(task: Task, *, user, changed: set[str]) -> None:
    if "done" not in changed:
        return
    task.done_at = timezone.now() if task.done else None
    task.done_by = user if task.done else None


@transaction.atomic
def task_create(*, user, case: Case | int, title: str, **fields: Any) -> Task:
    """Add a task to a case (``change_case``), assigned to a member of the case or to nobody."""
    case = case_require(user, getattr(case, "pk", case), EDIT)
    data = _data(case, {"title": title, **fields})
    task = Task(case=case, created_by=user)
    changed = assign(task, data)
    _apply_done(task, user=user, changed=changed)
    save(task, user=user)
    indexing.changed(task)
    return task


@transaction.atomic
def task_update(*, user, task: Task, data: Mapping[str, Any]) -> Task:
    """Change a task (``change_case``); its assignee may only mark it done or not done."""
    found = task_require(user, task.pk, COMPLETE_TASK)
    data = dict(data)
    if EDIT not in task_perms(user, found) and set(data) - {"done"}:
        raise PermissionDenied(_("As the assignee you may mark this task done, not change it."))
    current = Task.objects.select_for_update(of=("self",)).select_related("case").get(pk=found.pk)
    if current.assignee is not None and data.get("assignee") in (current.assignee, current.assignee.username):
        data.pop("assignee")  # unchanged: a former member still assigned does not block other changes
    changed = assign(current, _data(current.case, data))
    if not changed:
        return current
    _apply_done(current, user=user, changed=changed)
    save(current, user=user)
    indexing.changed(current)
    return current


@transaction.atomic
def task_delete(*, user, task: Task) -> None:
    task = task_require(user, task.pk, EDIT)
    indexing.removed(task)
    delete(task, user=user)
