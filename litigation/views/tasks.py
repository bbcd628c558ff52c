"""Pages for tasks, "my work" and the caseload of leads."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.forms import apply_service_errors
from litigation import selectors, services, work
from litigation.forms import TaskForm
from litigation.permissions import COMPLETE_TASK, EDIT, task_get, task_perms, task_require
from litigation.views.common import PAGE_SIZE, editable_case, editable_cases, history_rows, page_of


@login_required
def task_list(request):
    queryset, filterset = selectors.task_list(user=request.user, params=request.GET, request=request)
    return render(request, "litigation/task_list.html", {
        "page": page_of(request, queryset), "filter": filterset,
        "filtered": any(request.GET.get(k) for k in filterset.form.fields),
    })


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    case = editable_case(request)
    if case is None:
        return render(request, "litigation/pick_case.html", {
            "cases": editable_cases(request.user), "heading": _("New task"), "action": reverse("task-create")})
    form = TaskForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(user=request.user, case=case, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect(task.case.get_absolute_url() + "#tasks")
    return render(request, "litigation/form.html", {"form": form, "case": case, "heading": _("New task")})


@login_required
def task_detail(request, pk: int):
    task = task_get(request.user, pk)
    perms = task_perms(request.user, task)
    return render(request, "litigation/task_detail.html", {
        "task": task, "can_edit": EDIT in perms, "can_complete": COMPLETE_TASK in perms,
        "history": history_rows(selectors.task_history(user=request.user, task=task)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    task = task_require(request.user, pk, EDIT)
    initial = {"title": task.title, "assignee": task.assignee.username if task.assignee_id else None,
               "due_date": task.due_date, "notes": task.notes, "done": task.done}
    form = TaskForm(request.POST or None, case=task.case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(user=request.user, task=task, data=form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Task saved."))
            return redirect(task)
    return render(request, "litigation/form.html", {"form": form, "case": task.case, "heading": _("Edit task"),
                                                   "cancel": task.get_absolute_url()})


@login_required
@require_POST
def task_done(request, pk: int):
    """Mark a task done (or, with ``done=0``, not done): its editors and its assignee."""
    task = task_require(request.user, pk, COMPLETE_TASK)
    done = request.POST.get("done", "1") != "0"
    services.task_update(user=request.user, task=task, data={"done": done})
    messages.success(request, _("Marked as done.") if done else _("Marked as not done."))
    target = request.POST.get("next")
    if target in (reverse("my-work"), task.case.get_absolute_url() + "#tasks"):
        return redirect(target)
    return redirect(task)


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request, pk: int):
    task = task_require(request.user, pk, EDIT)
    if request.method == "POST":
        case = task.case
        services.task_delete(user=request.user, task=task)
        messages.success(request, _("Task deleted."))
        return redirect(case.get_absolute_url() + "#tasks")
    return render(request, "cases/confirm.html", {
        "title": _("Delete this task?"), "message": task.title, "button": _("Delete"), "danger": True,
        "cancel": task.get_absolute_url()})


MY_WORK_SHOWN = 50  # per section; the rest is one link away (the full, filterable lists)


@login_required
def my_work(request):
    mine = work.my_work(user=request.user)
    shown = MY_WORK_SHOWN
    return render(request, "litigation/my_work.html", {
        "work": mine, "overdue": mine.overdue[:shown], "overdue_more": max(0, len(mine.overdue) - shown),
        "sections": [
            ("tasks", _("My tasks"), mine.tasks[:shown], len(mine.tasks) - len(mine.tasks[:shown]),
             reverse("task-list") + "?assignee=me&done=false", _("No open task is assigned to you.")),
            ("deadlines", _("My deadlines in the next 30 days"), mine.deadlines[:shown],
             len(mine.deadlines) - len(mine.deadlines[:shown]), reverse("deadline-upcoming"),
             _("No deadline in the next 30 days.")),
            ("requests", _("Replies due in the next 30 days"), mine.requests[:shown],
             len(mine.requests) - len(mine.requests[:shown]), reverse("request-list") + "?status=sent",
             _("No reply is due in the next 30 days.")),
        ],
        "leads": work.led_cases(user=request.user).exists(),
    })


@login_required
def caseload(request):
    page = Paginator(work.led_cases(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    loads = work.caseload(user=request.user, cases=list(page))
    return render(request, "litigation/caseload.html", {
        "page": page, "loads": loads, "people": work.people_load(loads),
    })
