"""Reads for deadlines: lists, agendas, the month grid, history, and the private calendar feed.

Every selector takes ``user`` and returns only what the permission path (``deadlines.permissions``) lets them see,
checked at the time of reading."""
from __future__ import annotations

import calendar as _pycalendar
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cases.models import Case
from deadlines import engine
from deadlines.models import CalendarFeed, Deadline, DeadlineRule
from deadlines.permissions import VIEW_CASE, deadlines_for

NOT_DONE = (Deadline.Status.OPEN, Deadline.Status.MISSED)


def rule_list(*, active_only: bool = True) -> QuerySet:
    qs = DeadlineRule.objects.all()
    return qs.filter(active=True) if active_only else qs


def deadline_list(*, user, case_id: int | None = None, status: str | None = None) -> QuerySet:
    qs = deadlines_for(user, VIEW_CASE).with_related()
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_date", "due_time", "id")


def deadline_list_for_case(*, user, case: Case) -> list[Deadline]:
    """The case's deadlines the user may see, soonest first (for the case page include)."""
    return list(deadline_list(user=user, case_id=case.pk))


def deadlines_upcoming_for_user(*, user, days: int = 30, today: dt.date | None = None) -> list[Deadline]:
    """Not-done deadlines due within ``days`` (overdue ones included), soonest first: the dashboard widget."""
    today = today or timezone.localdate()
    return list(
        deadlines_for(user).with_related().filter(status__in=NOT_DONE, due_date__lte=today + dt.timedelta(days=days))
        .order_by("due_date", "due_time", "id")
    )


@dataclass
class Agenda:
    today: dt.date
    overdue: list[Deadline] = field(default_factory=list)
    this_week: list[Deadline] = field(default_factory=list)
    next_30_days: list[Deadline] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.this_week or self.next_30_days)


def deadline_agenda(*, user, today: dt.date | None = None) -> Agenda:
    """Overdue (not done, past due), this week (today and the next six days), and the rest of the next 30 days."""
    today = today or timezone.localdate()
    agenda = Agenda(today=today)
    week_end = today + dt.timedelta(days=6)
    for d in deadlines_upcoming_for_user(user=user, days=30, today=today):
        if d.due_date < today:
            agenda.overdue.append(d)
        elif d.due_date <= week_end:
            agenda.this_week.append(d)
        else:
            agenda.next_30_days.append(d)
    return agenda


@dataclass
class MonthDay:
    date: dt.date
    in_month: bool
    non_working: str | None
    deadlines: list[Deadline]


def deadline_month(*, user, year: int, month: int, jurisdiction: str = "RU") -> list[list[MonthDay]]:
    """Weeks (Monday first) of the month, each day with its deadlines and whether it is a working day."""
    cal = engine.calendar_for(jurisdiction)
    weeks = _pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day: dict[dt.date, list[Deadline]] = {}
    for d in deadlines_for(user).with_related().filter(due_date__gte=first, due_date__lte=last).order_by(
        "due_date", "due_time", "id"
    ):
        by_day.setdefault(d.due_date, []).append(d)
    return [
        [MonthDay(day, day.month == month, cal.non_working_reason(day), by_day.get(day, [])) for day in week]
        for week in weeks
    ]


def _history_value(field: str, value: Any, names: dict[tuple[str, Any], str]) -> Any:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return names.get((field, value), value)


def deadline_history(*, deadline: Deadline) -> list[dict[str, Any]]:
    """Newest first: who changed what, with old and new values (the caller has checked access).

    Dates are ISO strings, the rule is its code, people are usernames; ``label`` is the field's name for people."""
    records = list(deadline.history.select_related("history_user").order_by("-history_date", "-history_id"))
    deltas = []
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else None
        deltas.append(rec.diff_against(prev, excluded_fields=["explanation"]).changes if prev is not None else [])
    # one query per kind of referenced object, for all the history at once
    wanted: dict[str, set] = {}
    for changes in deltas:
        for c in changes:
            if c.field in ("rule", "responsible", "completed_by", "proceeding"):
                wanted.setdefault(c.field, set()).update(v for v in (c.old, c.new) if v is not None)
    names: dict[tuple[str, Any], str] = {}
    if wanted.get("rule"):
        names.update({("rule", pk): code for pk, code in DeadlineRule.objects.filter(
            pk__in=wanted["rule"]).values_list("pk", "code")})
    users = wanted.get("responsible", set()) | wanted.get("completed_by", set())
    if users:
        for pk, username in get_user_model().objects.filter(pk__in=users).values_list("pk", "username"):
            names[("responsible", pk)] = names[("completed_by", pk)] = username
    labels = {f.name: str(f.verbose_name) for f in Deadline._meta.fields}
    out = []
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = [
            {"field": c.field, "label": labels.get(c.field, c.field),
             "old": _history_value(c.field, c.old, names), "new": _history_value(c.field, c.new, names)}
            for c in deltas[i]
        ]
        if prev is not None and rec.explanation != prev.explanation:
            changes.append({"field": "explanation", "label": labels["explanation"], "old": prev.explanation,
                            "new": rec.explanation})
        out.append({
            "at": rec.history_date,
            "user": rec.history_user.get_username() if rec.history_user else None,
            "action": {"+": "created", "~": "changed", "-": "deleted"}[rec.history_type],
            "reason": rec.history_change_reason or "",
            "changes": changes,
        })
    return out


# --- Calendar feed -------------------------------------------------------------------------------------------
def feed_secret(public_id: str) -> str:
    """The URL secret for a feed id: an HMAC under SECRET_KEY, so the database alone does not give the URL."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"docket.deadlines.calendar:{public_id}".encode(), hashlib.sha256).hexdigest()


def feed_path(feed: CalendarFeed) -> str:
    return reverse("calendar-feed", args=[feed.public_id, feed_secret(feed.public_id)])


def feed_url(feed: CalendarFeed, request=None) -> str:
    path = feed_path(feed)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.DOCKET_BASE_URL.rstrip("/") + path


def feed_user(*, public_id: str, secret: str):
    """The user whose feed this is, or None (unknown, revoked, wrong secret or inactive user)."""
    if not public_id or len(public_id) > 64 or not secret or len(secret) > 128:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(public_id=public_id).first()
    expected = feed_secret(public_id)
    if feed is None or not constant_time_compare(expected, secret) or not feed.user.is_active:
        return None
    return feed.user


def feed_deadlines(*, user) -> list[Deadline]:
    """Open deadlines the user may see right now."""
    return list(deadlines_for(user).with_related().filter(status=Deadline.Status.OPEN).order_by("due_date", "id"))


def _event_span(d: Deadline) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
    """When the deadline's event starts and ends. A date at the edge of what Python can represent (a row written
    before dates were bounded, e.g. 9999-12-31) still gives an event: all day, without an end (RFC 5545 then
    makes it one day long), rather than an error that would take every member's feed down."""
    if d.due_time is not None:
        try:
            start = timezone.make_aware(dt.datetime.combine(d.due_date, d.due_time)).astimezone(dt.timezone.utc)
            return start, start + dt.timedelta(hours=1)
        except (OverflowError, ValueError):
            pass
    try:
        return d.due_date, d.due_date + dt.timedelta(days=1)
    except OverflowError:
        return d.due_date, None


def feed_ical(*, user) -> bytes:
    """An RFC 5545 calendar with one VEVENT per open deadline, and per open request to an authority with a reply
    date, that the user may see."""
    from icalendar import Calendar, Event

    base = settings.DOCKET_BASE_URL.rstrip("/")
    host = urlsplit(base).hostname or "docket"
    cal = Calendar()
    cal.add("prodid", "-//Docket//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", str(_("Docket deadlines")))
    now = timezone.now()
    for d in feed_deadlines(user=user):
        ev = Event()
        ev.add("uid", f"deadline-{d.pk}@{host}")
        ev.add("dtstamp", now)
        ev.add("last-modified", d.updated_at)
        ev.add("summary", f"{d.title} — {d.case}")
        start, end = _event_span(d)
        ev.add("dtstart", start)
        if end is not None:
            ev.add("dtend", end)
        lines = [str(_("Case: %(case)s")) % {"case": d.case}, str(_("Kind: %(kind)s")) % {"kind": d.get_kind_display()}]
        if d.rule_id:
            lines.append(str(_("Rule: %(code)s — %(name)s (%(basis)s)")) % {
                "code": d.rule.code, "name": engine.rule_text(d.rule.name), "basis": engine.rule_text(d.rule.legal_basis)})
            lines.append(str(_("Counted from: %(date)s")) % {"date": d.trigger_date.isoformat()})
        if d.responsible_id:
            lines.append(str(_("Responsible: %(user)s")) % {"user": d.responsible.get_username()})
        url = base + d.get_absolute_url()
        lines.append(url)
        ev.add("description", "\n".join(lines))
        ev.add("url", url)
        ev.add("categories", [d.kind])
        ev.add("status", "CONFIRMED")
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    # Open requests to authorities, on their reply date (litigation app).
    from litigation.selectors import feed_request_events

    for ev in feed_request_events(user=user, host=host, base=base, now=now):
        cal.add_component(ev)
    return cal.to_ical()


def user_by_username(username: str):
    return get_user_model().objects.filter(username=username).first()
