"""The daily run for requests to authorities, called from ``deadlines.services.reminders_send``: mark unanswered
requests past their reply date overdue (with history), and e-mail reminders before the reply date and one notice
once it has passed — to the same people and at the same lead times as deadline reminders (the roles that answer
for deadlines, each user's lead times), never the same one twice."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import CaseMembership
from deadlines.engine import rule_text
from litigation.models import AuthorityRequest, RequestReminderSent
from litigation.services.requests import request_mark_overdue

logger = logging.getLogger("docket")
OVERDUE_LEAD = -1
OVERDUE_NOTICE_DAYS = 7  # a request overdue longer ago than this gets no first notice (e.g. logged late)


def _message(req: AuthorityRequest, lead: int, today: dt.date) -> tuple[str, str]:
    days_left = (req.reply_due - today).days
    title = str(req)
    if lead == OVERDUE_LEAD:
        subject = _("[Docket] Reply overdue: %(title)s") % {"title": title}
        first = _("The reply to the request below was due on %(date)s and has not been recorded.") % {
            "date": req.reply_due.isoformat()}
    elif days_left == 0:
        subject = _("[Docket] Reply due today: %(title)s") % {"title": title}
        first = _("The reply to the request below is due today, %(date)s.") % {"date": req.reply_due.isoformat()}
    else:
        subject = ngettext("[Docket] Reply due in %(n)s day: %(title)s", "[Docket] Reply due in %(n)s days: %(title)s",
                           days_left) % {"n": days_left, "title": title}
        first = ngettext("The reply to the request below is due in %(n)s day, on %(date)s.",
                         "The reply to the request below is due in %(n)s days, on %(date)s.", days_left) % {
            "n": days_left, "date": req.reply_due.isoformat()}
    lines = [first, "", _("Case: %(case)s") % {"case": req.case}, _("Addressee: %(name)s") % {"name": req.addressee},
             _("Kind: %(kind)s") % {"kind": req.get_kind_display()}]
    if req.rule_id:
        lines.append(_("Rule: %(code)s — %(basis)s, counted from %(date)s") % {
            "code": req.rule.code, "basis": rule_text(req.rule.legal_basis),
            "date": req.received_on.isoformat() if req.received_on else "?"})
    lines += ["", settings.DOCKET_BASE_URL.rstrip("/") + req.get_absolute_url()]
    return str(subject), "\n".join(str(line) for line in lines)


def _send_one(*, req: AuthorityRequest, user, lead: int, today: dt.date) -> bool:
    try:
        with transaction.atomic():
            if RequestReminderSent.objects.filter(request=req, user=user, lead_days=lead,
                                                  due_date=req.reply_due).exists():
                return False
            row = RequestReminderSent(request=req, user=user, lead_days=lead, due_date=req.reply_due)
            row._history_user = None
            row.save()
            subject, body = _message(req, lead, today)
            address = user.email
            transaction.on_commit(
                lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), robust=True
            )
    except IntegrityError:  # a concurrent run recorded it first
        return False
    return True


def request_reminders_send(*, today: dt.date, prefs: dict, default_leads: list[int], roles: tuple[str, ...],
                           lead_for) -> dict[str, int]:
    """Mark overdue and remind. ``prefs``, ``default_leads``, ``roles`` and ``lead_for`` come from the deadline
    run, so both follow one set of preferences and one role table."""
    stats = {"requests_overdue": 0, "request_reminders": 0}
    live = {"case__deleted_at__isnull": True}
    for req in list(AuthorityRequest.objects.filter(status=AuthorityRequest.Status.SENT, replied_on__isnull=True,
                                                    reply_due__lt=today, **live)):
        stats["requests_overdue"] += request_mark_overdue(request=req, today=today)

    horizon = max([max(default_leads)] + [max(p.lead_days or [0]) for p in prefs.values()])
    upcoming = list(AuthorityRequest.objects.open().filter(
        reply_due__gte=today, reply_due__lte=today + dt.timedelta(days=horizon), **live).with_related())
    overdue = list(AuthorityRequest.objects.open().filter(
        reply_due__lt=today, reply_due__gte=today - dt.timedelta(days=OVERDUE_NOTICE_DAYS), **live).with_related())
    memberships = list(CaseMembership.objects.filter(case_id__in={r.case_id for r in upcoming + overdue})
                       .select_related("user"))

    def recipients(req):
        users = {}
        for m in memberships:
            if m.case_id == req.case_id and m.role in roles and m.user.is_active and m.user.email:
                pref = prefs.get(m.user_id)
                if pref is None or pref.email_enabled:
                    users[m.user_id] = m.user
        return users.values()

    for req in overdue:
        for user in recipients(req):
            stats["request_reminders"] += _send_one(req=req, user=user, lead=OVERDUE_LEAD, today=today)
    for req in upcoming:
        days_left = (req.reply_due - today).days
        for user in recipients(req):
            pref = prefs.get(user.pk)
            lead = lead_for(days_left, pref.lead_days if pref is not None else default_leads)
            if lead is not None:
                stats["request_reminders"] += _send_one(req=req, user=user, lead=lead, today=today)
    logger.info("request reminders for %s: %s overdue, %s e-mails", today.isoformat(), stats["requests_overdue"],
                stats["request_reminders"])
    return stats

