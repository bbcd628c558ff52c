"""Reads for the "my work" page (my tasks, my deadlines, the requests I answer for; overdue first) and the
caseload view for leads (who works on which case, what is overdue). Only what the permission path lets the
viewer see, read when the page is drawn."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseMembership
from cases.permissions import EDIT_DEADLINES, MANAGE_MEMBERS, case_ids_for, cases_for
from deadlines.engine import rule_text
from deadlines.models import Deadline
from deadlines.permissions import deadlines_for
from litigation.permissions import EDIT, requests_for, tasks_for

HORIZON_DAYS = 30


@dataclass
class WorkItem:
    kind: str  # "task" | "deadline" | "request"
    due: dt.date | None
    title: str
    case: Case
    url: str
    overdue: bool
    detail: str = ""
    obj: Any = None

    @property
    def kind_label(self) -> str:
        return {"task": _("Task"), "deadline": _("Deadline"), "request": _("Reply to a request")}[self.kind]


@dataclass
class MyWork:
    today: dt.date
    overdue: list[WorkItem] = field(default_factory=list)
    tasks: list[WorkItem] = field(default_factory=list)
    deadlines: list[WorkItem] = field(default_factory=list)
    requests: list[WorkItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.tasks or self.deadlines or self.requests)


def _key(item: WorkItem):
    return (item.due is None, item.due or dt.date.max, item.kind, item.title)


def my_work(*, user, today: dt.date | None = None) -> MyWork:
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    work = MyWork(today=today)

    for task in tasks_for(user).filter(assignee=user, done=False).with_related():
        item = WorkItem("task", task.due_date, task.title, task.case, task.get_absolute_url(),
                        task.is_overdue(today), task.notes[:200], task)
        (work.overdue if item.overdue else work.tasks).append(item)

    editable = case_ids_for(user, EDIT_DEADLINES)
    mine = Q(responsible=user) | Q(responsible__isnull=True, case__in=editable)
    for d in (deadlines_for(user).filter(mine).with_related()
              .filter(status__in=(Deadline.Status.OPEN, Deadline.Status.MISSED), due_date__lte=horizon)):
        item = WorkItem("deadline", d.due_date, d.title, d.case, d.get_absolute_url(), d.is_overdue(today),
                        rule_text(d.rule.legal_basis) if d.rule_id else "", d)
        (work.overdue if item.overdue else work.deadlines).append(item)

    for req in (requests_for(user, EDIT).open().with_related()
                .filter(reply_due__isnull=False, reply_due__lte=horizon)):
        item = WorkItem("request", req.reply_due, str(req), req.case, req.get_absolute_url(), req.is_overdue(today),
                        req.addressee, req)
        (work.overdue if item.overdue else work.requests).append(item)

    for items in (work.overdue, work.tasks, work.deadlines, work.requests):
        items.sort(key=_key)
    return work


# --- Caseload -------------------------------------------------------------------------------------------------
@dataclass
class MemberLoad:
    username: str
    role: str
    open_tasks: int = 0
    overdue_tasks: int = 0


@dataclass
class CaseLoad:
    case: Case
    members: list[MemberLoad] = field(default_factory=list)
    unassigned_tasks: int = 0
    overdue_tasks: int = 0
    overdue_deadlines: int = 0
    overdue_requests: int = 0
    open_requests: int = 0

    @property
    def overdue_total(self) -> int:
        return self.overdue_tasks + self.overdue_deadlines + self.overdue_requests


def led_cases(*, user):
    """The live cases the user leads (``manage_members``); every live case for a superuser."""
    return cases_for(user, MANAGE_MEMBERS).order_by("title", "id")


def caseload(*, user, cases: list[Case], today: dt.date | None = None) -> list[CaseLoad]:
    """For each given case (already limited to ``led_cases``): its members with their open and overdue tasks, and
    what is overdue on it. A fixed number of queries, whatever the number of cases."""
    today = today or timezone.localdate()
    ids = [c.pk for c in cases]
    loads = {c.pk: CaseLoad(case=c) for c in cases}
    by_member: dict[tuple[int, int], MemberLoad] = {}
    role_names = dict(CaseMembership._meta.get_field("role").flatchoices)
    for m in (CaseMembership.objects.filter(case_id__in=ids).select_related("user")
              .order_by("case_id", "role", "user__username")):
        load = MemberLoad(m.user.get_username(), str(role_names.get(m.role, m.role)))
        loads[m.case_id].members.append(load)
        by_member[(m.case_id, m.user_id)] = load
    overdue_task = Q(done=False, due_date__lt=today)
    rows = (tasks_for(user).filter(case_id__in=ids, done=False).values("case_id", "assignee_id")
            .annotate(n=Count("id"), late=Count("id", filter=overdue_task)))
    for row in rows:
        load = loads[row["case_id"]]
        load.overdue_tasks += row["late"]
        member = by_member.get((row["case_id"], row["assignee_id"]))
        if member is not None:
            member.open_tasks += row["n"]
            member.overdue_tasks += row["late"]
        elif row["assignee_id"] is None:
            load.unassigned_tasks += row["n"]
    late_deadlines = (deadlines_for(user).filter(case_id__in=ids, due_date__lt=today)
                      .exclude(status=Deadline.Status.DONE).values("case_id").annotate(n=Count("id")))
    for row in late_deadlines:
        loads[row["case_id"]].overdue_deadlines = row["n"]
    open_requests = (requests_for(user).filter(case_id__in=ids).open().values("case_id")
                     .annotate(n=Count("id"), late=Count("id", filter=Q(reply_due__lt=today))))
    for row in open_requests:
        loads[row["case_id"]].open_requests = row["n"]
        loads[row["case_id"]].overdue_requests = row["late"]
    return [loads[pk] for pk in ids]


def people_load(loads: list[CaseLoad]) -> list[dict[str, Any]]:
    """Per person across the led cases: on which cases (with role), open and overdue tasks."""
    people: dict[str, dict[str, Any]] = defaultdict(lambda: {"cases": [], "open_tasks": 0, "overdue_tasks": 0})
    for load in loads:
        for member in load.members:
            person = people[member.username]
            person["cases"].append((load.case, member.role))
            person["open_tasks"] += member.open_tasks
            person["overdue_tasks"] += member.overdue_tasks
    return [{"username": name, **data} for name, data in sorted(people.items())]

