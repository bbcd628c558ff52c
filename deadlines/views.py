"""Pages for deadlines: upcoming, month, detail, the form with its live preview, calendar settings, the feed."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.permissions import VIEW_CASE, case_get
from deadlines import engine, selectors, services
from deadlines.forms import DeadlineForm, ReminderPreferenceForm
from deadlines.permissions import can_edit, deadline_get


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def upcoming(request):
    agenda = selectors.deadline_agenda(user=request.user)
    today = agenda.today
    return render(request, "deadlines/upcoming.html", {
        "agenda": agenda, "sections": [
            ("overdue", _("Overdue"), agenda.overdue),
            ("week", _("This week"), agenda.this_week),
            ("month", _("Next 30 days"), agenda.next_30_days),
        ],
        "month_url": reverse("deadline-month", args=[today.year, f"{today.month:02d}"]),
    })


@login_required
@require_GET
def month(request, year: str, month: str):
    try:
        year, month_no = int(year), int(month)
        first = dt.date(year, month_no, 1)
    except ValueError:
        raise Http404("No such month.") from None
    if not 1991 <= year <= 2100:
        raise Http404("No such month.")
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return render(request, "deadlines/month.html", {
        "first": first, "weeks": selectors.deadline_month(user=request.user, year=year, month=month_no),
        "today": timezone.localdate(),
        "prev_url": reverse("deadline-month", args=[prev.year, f"{prev.month:02d}"]),
        "next_url": reverse("deadline-month", args=[nxt.year, f"{nxt.month:02d}"]),
    })


@login_required
@require_GET
def detail(request, pk: int):
    deadline = deadline_get(request.user, pk, VIEW_CASE)
    rule = deadline.rule
    return render(request, "deadlines/detail.html", {
        "deadline": deadline, "can_edit": can_edit(request.user, deadline.case),
        "explanation": engine.render_steps(deadline.explanation),
        "rule_name": engine.rule_text(rule.name) if rule else "",
        "rule_basis": engine.rule_text(rule.legal_basis) if rule else "",
        "rule_trigger": engine.rule_text(rule.trigger_label) if rule else "",
        "history": selectors.deadline_history(deadline=deadline), "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    initial = {}
    case_param = request.GET.get("case")
    if case_param:
        case = case_get(request.user, case_param, VIEW_CASE)  # 404 for missing and forbidden alike
        if not can_edit(request.user, case):
            raise PermissionDenied
        initial["case"] = case.pk
    form = DeadlineForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        case = form.cleaned_data["case"]  # limited to cases the user may edit deadlines on
        try:
            deadline = services.deadline_create(user=request.user, case=case, **form.service_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Deadline saved: due %(date)s.") % {"date": deadline.due_date.isoformat()})
            return redirect(deadline)
    return render(request, "deadlines/form.html", {"form": form, "deadline": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    deadline = deadline_get(request.user, pk, VIEW_CASE)
    if not can_edit(request.user, deadline.case):
        raise PermissionDenied
    initial = {
        "case": deadline.case_id, "title": deadline.title, "kind": deadline.kind, "proceeding": deadline.proceeding_id,
        "rule": deadline.rule.code if deadline.rule_id else None, "trigger_date": deadline.trigger_date,
        "due_date": deadline.due_date, "due_time": deadline.due_time,
        "responsible": deadline.responsible.username if deadline.responsible_id else None,
        "status": deadline.status, "notes": deadline.notes,
    }
    form = DeadlineForm(request.POST or None, user=request.user, deadline=deadline, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_update(user=request.user, deadline=deadline, data=form.service_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Deadline updated."))
            return redirect(deadline)
    return render(request, "deadlines/form.html", {"form": form, "deadline": deadline})


@login_required
@require_POST
def complete(request, pk: int):
    deadline = deadline_get(request.user, pk, VIEW_CASE)
    if not can_edit(request.user, deadline.case):
        raise PermissionDenied
    services.deadline_complete(user=request.user, deadline=deadline)
    messages.success(request, _("Marked as done."))
    return redirect(deadline)


@login_required
@require_POST
def delete(request, pk: int):
    deadline = deadline_get(request.user, pk, VIEW_CASE)
    if not can_edit(request.user, deadline.case):
        raise PermissionDenied
    case = deadline.case
    services.deadline_delete(user=request.user, deadline=deadline)
    messages.success(request, _("Deadline deleted."))
    return redirect(case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    pref = services.reminder_preference_get(user=request.user)
    form = ReminderPreferenceForm(initial=ReminderPreferenceForm.initial_for(pref))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            services.calendar_feed_get_or_create(user=request.user)
            return redirect("calendar-settings")
        if action == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("A new calendar address was made; the old one no longer works."))
            return redirect("calendar-settings")
        if action == "reminders":
            form = ReminderPreferenceForm(request.POST)
            if form.is_valid():
                services.reminder_preference_set(user=request.user, lead_days=form.cleaned_data["lead_days"],
                                                 email_enabled=form.cleaned_data["email_enabled"])
                messages.success(request, _("Reminder settings saved."))
                return redirect("calendar-settings")
    feed = request.user.deadline_feed if hasattr(request.user, "deadline_feed") else None
    return render(request, "deadlines/calendar_settings.html", {
        "feed_url": selectors.feed_url(feed, request) if feed else None, "form": form,
    })


@require_GET
def calendar_feed(request, public_id: str, secret: str):
    """The private iCalendar feed: no session needed, the URL is the key. Permissions apply at read time."""
    user = selectors.feed_user(public_id=public_id, secret=secret)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(selectors.feed_ical(user=user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="docket-deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response

