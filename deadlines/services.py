"""Writes for deadlines, reminder preferences, reminders and the calendar feed.

Callers (pages, API, commands, tasks) check access through ``deadlines.permissions`` first, then call one of these
functions. They validate, compute the due date through the rules engine, write with history (``_history_user``)
and send mail only once the transaction has committed. Invalid input raises ``ValidationError`` before any write.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cases.concurrency import VersionConflict, next_version
from cases.models import Case, CaseMembership
from cases.permissions import EDIT_DEADLINES, ROLE_PERMISSIONS, case_require
from deadlines import engine
from deadlines.models import (
    DEFAULT_LEAD_DAYS,
    MISSED_LEAD,
    CalendarFeed,
    Deadline,
    DeadlineRule,
    ReminderPreference,
    ReminderSent,
)
from deadlines.permissions import deadline_require

logger = logging.getLogger("docket")

EDITABLE_FIELDS = (
    "title", "kind", "due_date", "due_time", "rule", "trigger_date", "status", "responsible", "notes", "proceeding",
)
# Reminders go to the roles that answer for deadlines: those the role table lets edit them (lead, lawyer).
REMINDER_ROLES = tuple(
    role for role, granted in ROLE_PERMISSIONS.items() if EDIT_DEADLINES in granted
)
MISSED_NOTICE_DAYS = 7  # a deadline missed longer ago than this gets no notice (e.g. history imported late)


# --- Rules ---------------------------------------------------------------------------------------------------
def rule_get(code: Any) -> DeadlineRule:
    """The active rule with this code, or a ValidationError naming the field (same message for any bad value)."""
    rule = None
    if isinstance(code, DeadlineRule):
        rule = code if code.active else None
    elif isinstance(code, str) and 0 < len(code) <= 64:
        rule = DeadlineRule.objects.filter(code=code, active=True).first()
    if rule is None:
        raise ValidationError({"rule": _("Unknown rule %(code)s.") % {"code": str(code)[:64]}})
    return rule


def case_fact_dates(case) -> list[dt.date]:
    """The local dates of the case's live incidents (for the engine's warnings, e.g. the Convention and Russia)."""
    return [timezone.localtime(at).date() for at in
            case.incidents.filter(deleted_at__isnull=True).values_list("occurred_at", flat=True)]


def deadline_compute(*, rule: DeadlineRule, trigger_date: dt.date, case=None) -> engine.Computation:
    """Run the engine (with the case's jurisdiction and facts, for its warnings); its refusals become a
    ValidationError on ``trigger_date`` (or ``rule``)."""
    try:
        if case is None:
            return engine.compute(rule.as_spec(), trigger_date)
        return engine.compute(rule.as_spec(), trigger_date, respondent_state=case.jurisdiction,
                              fact_dates=case_fact_dates(case))
    except engine.EngineError as exc:
        raise ValidationError({"trigger_date": str(exc)}) from None


# --- Deadlines -----------------------------------------------------------------------------------------------
MSG_MANUAL = gettext_noop("Due date set by hand: %(date)s.")


def _manual_explanation(due: dt.date) -> list[dict[str, Any]]:
    params = {"date": due.isoformat()}
    return [{"step": "manual", "date": due.isoformat(), "text": _(MSG_MANUAL) % params, "msg": MSG_MANUAL,
             "params": params}]


def _check_relations(deadline: Deadline, fields=("proceeding", "responsible")) -> None:
    """The proceeding is of the same case; the responsible person is a member (checked when set or changed, so a
    member leaving the case does not block later changes to the deadline)."""
    errors = {}
    if ("proceeding" in fields and deadline.proceeding_id is not None
            and deadline.proceeding.case_id != deadline.case_id):
        errors["proceeding"] = _("The proceeding belongs to another case.")
    if "responsible" in fields and deadline.responsible_id is not None and not CaseMembership.objects.filter(
        case_id=deadline.case_id, user_id=deadline.responsible_id
    ).exists():
        errors["responsible"] = _("The responsible person must be a member of the case.")
    if errors:
        raise ValidationError(errors)


def _apply_dates(deadline: Deadline, given: set[str], *, creating: bool) -> None:
    """Make due_date and explanation agree with rule and trigger_date, or refuse."""
    if deadline.rule_id is not None and deadline.trigger_date is None:
        raise ValidationError({"trigger_date": _("A rule needs the date it is counted from.")})
    if deadline.trigger_date is not None and deadline.rule_id is None:
        raise ValidationError({"rule": _("A trigger date needs a rule to count from it.")})
    if deadline.rule_id is not None:
        if creating or given & {"rule", "trigger_date"}:
            result = deadline_compute(rule=deadline.rule, trigger_date=deadline.trigger_date, case=deadline.case)
            if "due_date" in given and deadline.due_date is not None and deadline.due_date != result.due_date:
                raise ValidationError({"due_date": _(
                    "The due date is computed from the rule and the trigger date (%(date)s). To set it by hand, "
                    "clear the rule."
                ) % {"date": result.due_date.isoformat()}})
            deadline.due_date = result.due_date
            deadline.explanation = result.steps
        elif "due_date" in given and deadline.due_date != deadline._loaded_due_date:
            raise ValidationError({"due_date": _(
                "The due date is computed from the rule and the trigger date. To set it by hand, clear the rule."
            )})
        return
    if deadline.due_date is None:
        raise ValidationError({"due_date": _("Give a due date, or a rule and the date it is counted from.")})
    if creating or "due_date" in given or "rule" in given:
        deadline.explanation = _manual_explanation(deadline.due_date)


def _apply_status(deadline: Deadline, *, user, previous: str | None) -> None:
    if deadline.status == previous:
        return
    if deadline.status == Deadline.Status.DONE:
        deadline.completed_at = timezone.now()
        deadline.completed_by = user
    else:
        deadline.completed_at = None
        deadline.completed_by = None


def _normalise(data: Mapping[str, Any], current_rule: DeadlineRule | None = None) -> dict[str, Any]:
    data = dict(data)
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    if "rule" in data and data["rule"] not in (None, ""):
        given = data["rule"]
        if current_rule is not None and (given == current_rule or given == current_rule.code):
            data["rule"] = current_rule  # a retired (inactive) rule stays on the deadlines that use it
        else:
            data["rule"] = rule_get(given)
    elif "rule" in data:
        data["rule"] = None
    for name in ("proceeding", "responsible", "due_date", "trigger_date", "due_time"):
        if data.get(name) == "":
            data[name] = None
    for name, parse in (("due_date", dt.date.fromisoformat), ("trigger_date", dt.date.fromisoformat),
                        ("due_time", dt.time.fromisoformat)):
        if isinstance(data.get(name), str):
            try:
                data[name] = parse(data[name])
            except ValueError:
                raise ValidationError({name: _("Enter a valid date or time.")}) from None
    if isinstance(data.get("title"), str):
        data["title"] = data["title"].strip()
    return data


def _save(deadline: Deadline, *, user, reason: str | None = None) -> None:
    deadline.full_clean()
    deadline._history_user = user
    if reason:
        deadline._change_reason = reason
    next_version(deadline)
    deadline.save()


@transaction.atomic
def deadline_create(*, user, case: Case, title: str, **fields: Any) -> Deadline:
    """Create a deadline on ``case``. Given ``rule`` and ``trigger_date`` the due date is computed; given only
    ``due_date`` it is kept as given; given neither, ValidationError. Needs ``edit_deadlines`` on the case."""
    case_require(user, case.pk, EDIT_DEADLINES)
    data = _normalise({"title": title, **fields})
    if not data.get("status"):
        data["status"] = Deadline.Status.OPEN
    deadline = Deadline(case=case, created_by=user)
    deadline._loaded_due_date = None
    for name, value in data.items():
        setattr(deadline, name, value)
    _apply_dates(deadline, set(data), creating=True)
    _apply_status(deadline, user=user, previous=Deadline.Status.OPEN)
    _check_relations(deadline)
    _save(deadline, user=user)
    return deadline


@transaction.atomic
def deadline_update(*, user, deadline: Deadline, data: Mapping[str, Any],
                    expected_version: int | None = None) -> Deadline:
    """Change a deadline (``edit_deadlines`` on its case). A new rule or trigger recomputes the due date (both
    versions stay in its history). With ``expected_version``, VersionConflict (and nothing written) if someone saved
    the deadline since that version."""
    deadline_require(user, deadline.pk, EDIT_DEADLINES)
    # Work on the row as it is now (locked where the database can), not on the caller's possibly stale copy;
    # the caller's object is left untouched if anything is refused.
    current = Deadline.objects.select_for_update(of=("self",)).select_related("rule").get(pk=deadline.pk)
    if expected_version is not None and expected_version != current.version:
        raise VersionConflict(current)
    data = _normalise(data, current.rule)
    if "rule" in data and data["rule"] is None and "trigger_date" not in data:
        data["trigger_date"] = None  # clearing the rule turns the deadline into a date set by hand
    previous_status = current.status
    current._loaded_due_date = current.due_date
    changed = {name for name, value in data.items() if getattr(current, name) != value}
    if not changed:
        return current  # nothing to write, no empty history entry
    for name, value in data.items():
        setattr(current, name, value)
    given = changed | ({"due_date"} if "due_date" in data else set())
    _apply_dates(current, given, creating=False)
    _apply_status(current, user=user, previous=previous_status)
    _check_relations(current, changed)
    _save(current, user=user)
    if current is not deadline:
        deadline.refresh_from_db()
    return current


@transaction.atomic
def deadline_complete(*, user, deadline: Deadline) -> Deadline:
    return deadline_update(user=user, deadline=deadline, data={"status": Deadline.Status.DONE})


@transaction.atomic
def deadline_delete(*, user, deadline: Deadline) -> None:
    deadline_require(user, deadline.pk, EDIT_DEADLINES)
    deadline._history_user = user
    deadline.delete()


@transaction.atomic
def deadline_mark_missed(*, deadline: Deadline, today: dt.date | None = None, user=None) -> bool:
    """Mark an open deadline whose day has passed as missed (with history). Returns whether it changed."""
    today = today or timezone.localdate()
    fresh = Deadline.objects.select_for_update().filter(pk=deadline.pk).first()
    if fresh is None or fresh.status != Deadline.Status.OPEN or fresh.due_date >= today:
        return False
    fresh.status = Deadline.Status.MISSED
    _save(fresh, user=user, reason="past its due date")
    deadline.status = fresh.status
    return True


# --- Reminder preferences ------------------------------------------------------------------------------------
def reminder_preference_get(*, user) -> ReminderPreference:
    pref = ReminderPreference.objects.filter(user=user).first()
    return pref or ReminderPreference(user=user, lead_days=list(DEFAULT_LEAD_DAYS), email_enabled=True)


@transaction.atomic
def reminder_preference_set(*, user, lead_days: list[int], email_enabled: bool = True) -> ReminderPreference:
    pref = ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)
    pref.lead_days = list(lead_days)
    pref.email_enabled = bool(email_enabled)
    pref.full_clean()
    pref._history_user = user
    pref.save()
    return pref


# --- Reminders -----------------------------------------------------------------------------------------------
def _absolute(path: str) -> str:
    return settings.DOCKET_BASE_URL.rstrip("/") + path


def _reminder_message(deadline: Deadline, lead: int, today: dt.date) -> tuple[str, str]:
    days_left = (deadline.due_date - today).days
    if lead == MISSED_LEAD:
        subject = _("[Docket] Missed deadline: %(title)s") % {"title": deadline.title}
        first = _("The deadline below passed on %(date)s without being marked done.") % {
            "date": deadline.due_date.isoformat()}
    elif days_left == 0:
        subject = _("[Docket] Deadline today: %(title)s") % {"title": deadline.title}
        first = _("The deadline below is due today, %(date)s.") % {"date": deadline.due_date.isoformat()}
    else:
        subject = ngettext("[Docket] Deadline in %(n)s day: %(title)s", "[Docket] Deadline in %(n)s days: %(title)s",
                           days_left) % {"n": days_left, "title": deadline.title}
        first = ngettext("The deadline below is due in %(n)s day, on %(date)s.",
                         "The deadline below is due in %(n)s days, on %(date)s.", days_left) % {
            "n": days_left, "date": deadline.due_date.isoformat()}
    lines = [first, "", _("Case: %(case)s") % {"case": deadline.case}, _("Deadline: %(title)s") % {
        "title": deadline.title}, _("Due: %(date)s") % {"date": deadline.due_date.isoformat()}]
    if deadline.due_time:
        lines.append(_("Time: %(time)s") % {"time": deadline.due_time.strftime("%H:%M")})
    if deadline.rule_id:
        lines.append(_("Rule: %(code)s — %(name)s (%(basis)s), counted from %(trigger)s") % {
            "code": deadline.rule.code, "name": engine.rule_text(deadline.rule.name),
            "basis": engine.rule_text(deadline.rule.legal_basis),
            "trigger": deadline.trigger_date.isoformat() if deadline.trigger_date else "?"})
    lines += ["", _absolute(deadline.get_absolute_url())]
    return str(subject), "\n".join(str(line) for line in lines)


def _recipients(deadline: Deadline, memberships: list[CaseMembership]):
    users = {}
    for m in memberships:
        if m.case_id != deadline.case_id:
            continue
        if m.role in REMINDER_ROLES or m.user_id == deadline.responsible_id:
            if m.user.is_active and m.user.email:
                users[m.user_id] = m.user
    return list(users.values())


def _lead_for(days_left: int, leads: list[int]) -> int | None:
    """The lead time a reminder sent today stands for: the smallest lead time not shorter than the days left."""
    fitting = [lead for lead in leads if lead >= days_left]
    return min(fitting) if fitting else None


def _send_one(*, deadline: Deadline, user, lead: int, today: dt.date) -> bool:
    """Record and (on commit) send one reminder. False if it was already sent."""
    try:
        with transaction.atomic():
            if ReminderSent.objects.filter(
                deadline=deadline, user=user, lead_days=lead, due_date=deadline.due_date
            ).exists():
                return False
            row = ReminderSent(deadline=deadline, user=user, lead_days=lead, due_date=deadline.due_date)
            row._history_user = None
            row.save()
            subject, body = _reminder_message(deadline, lead, today)
            address = user.email
            transaction.on_commit(
                lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), robust=True
            )
    except IntegrityError:  # a concurrent run recorded it first
        return False
    return True


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Mark past-due open deadlines missed (and unanswered requests to authorities overdue), and e-mail reminders
    due today. Safe to run any number of times."""
    today = today or timezone.localdate()
    stats = {"missed": 0, "sent": 0}
    overdue = list(Deadline.objects.open().filter(due_date__lt=today, case__deleted_at__isnull=True).with_related())
    for deadline in overdue:
        if deadline_mark_missed(deadline=deadline, today=today):
            stats["missed"] += 1

    prefs = {p.user_id: p for p in ReminderPreference.objects.all()}
    horizon = max([max(DEFAULT_LEAD_DAYS)] + [max(p.lead_days or [0]) for p in prefs.values()])
    upcoming = list(
        Deadline.objects.open()
        .filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=horizon), case__deleted_at__isnull=True)
        .with_related()
    )
    # Notices for deadlines missed in the last week (this run or an earlier one whose mail did not go out).
    missed = list(
        Deadline.objects.filter(status=Deadline.Status.MISSED, due_date__lt=today,
                                due_date__gte=today - dt.timedelta(days=MISSED_NOTICE_DAYS),
                                case__deleted_at__isnull=True).with_related()
    )
    case_ids = {d.case_id for d in upcoming + missed}
    memberships = list(CaseMembership.objects.filter(case_id__in=case_ids).select_related("user"))

    for deadline in missed:
        for user in _recipients(deadline, memberships):
            pref = prefs.get(user.pk)
            if pref is not None and not pref.email_enabled:
                continue
            stats["sent"] += _send_one(deadline=deadline, user=user, lead=MISSED_LEAD, today=today)
    for deadline in upcoming:
        days_left = (deadline.due_date - today).days
        for user in _recipients(deadline, memberships):
            pref = prefs.get(user.pk)
            if pref is not None and not pref.email_enabled:
                continue
            leads = pref.lead_days if pref is not None else DEFAULT_LEAD_DAYS
            lead = _lead_for(days_left, leads)
            if lead is None:
                continue
            stats["sent"] += _send_one(deadline=deadline, user=user, lead=lead, today=today)
    logger.info("deadline reminders for %s: %s missed, %s e-mails", today.isoformat(), stats["missed"], stats["sent"])
    # Requests to authorities: overdue marks and reply reminders, with the same preferences and role table.
    from litigation.services.reminders import request_reminders_send

    stats.update(request_reminders_send(today=today, prefs=prefs, default_leads=DEFAULT_LEAD_DAYS,
                                        roles=REMINDER_ROLES, lead_for=_lead_for))
    return stats


# --- Calendar feed -------------------------------------------------------------------------------------------
def _new_public_id() -> str:
    return secrets.token_urlsafe(24)


@transaction.atomic
def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        feed = CalendarFeed(user=user, public_id=_new_public_id())
        feed._history_user = user
        feed.save()
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> CalendarFeed:
    """Replace the feed's id: the old URL stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first() or CalendarFeed(user=user)
    feed.public_id = _new_public_id()
    feed._history_user = user
    feed.save()
    return feed
