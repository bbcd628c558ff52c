"""Writes for requests to authorities and data controllers: the reply date computed by the deadline rules engine,
the status kept honest (an unanswered request past its reply date is overdue), the reply attached as evidence.

The reply date follows the deadlines' semantics (API.md, "Deadlines"): with a rule and the day the addressee
received (or registered) the request, it is computed, and a different date given by hand is refused; with no
rule, a date given by hand is kept. A request starts with its kind's rule (``litigation.rules.KIND_RULES``)
unless a rule, or only a reply date, is given; ``extended`` switches to the rule of the extended period."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Party, validate_jurisdiction
from cases.permissions import EDIT_EVIDENCE, case_perms, case_require
from deadlines import engine
from deadlines.models import DeadlineRule
from deadlines.services import rule_get
from litigation import indexing, rules
from litigation.models import AuthorityRequest
from litigation.permissions import EDIT, request_require
from litigation.services.common import assign, check_fields, delete, parse_dates, save, strip_strings

REQUEST_FIELDS = (
    "kind", "addressee", "subject", "body", "requester", "reply_to", "reference", "jurisdiction", "sent_on",
    "received_on", "rule", "extended", "reply_due", "replied_on", "status", "notes", "reply_evidence",
)
_TEXT = ("addressee", "subject", "body", "reply_to", "reference", "notes", "jurisdiction")
_DATES = ("sent_on", "received_on", "reply_due", "replied_on")
_RECOMPUTE = {"rule", "received_on", "extended", "kind", "jurisdiction"}
Status = AuthorityRequest.Status


def _today() -> dt.date:
    return timezone.localdate()


# --- Input ----------------------------------------------------------------------------------------------------
def _requester_of(case: Case, value: Any) -> Party | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Party) else value
    party = Party.objects.filter(pk=pk, case=case).first() if isinstance(pk, int) else None
    if party is None:
        raise ValidationError({"requester": _("No such party on this case.")})
    return party


def _reply_evidence_of(user, case: Case, value: Any):
    """An evidence item the user may see that is a live exhibit of the request's case."""
    if value in (None, ""):
        return None
    from evidence.models import CaseExhibit
    from evidence.permissions import evidence_get

    try:
        item = evidence_get(user, getattr(value, "pk", value))
    except Http404:
        raise ValidationError({"reply_evidence": _("No such evidence item.")}) from None
    if not CaseExhibit.objects.filter(case=case, item=item, removed_at__isnull=True).exists():
        raise ValidationError({"reply_evidence": _("The reply must be an exhibit of this case.")})
    return item


def _normalise(user, case: Case, data: Mapping[str, Any], current_rule: DeadlineRule | None) -> dict[str, Any]:
    data = dict(data)
    check_fields(data, REQUEST_FIELDS)
    strip_strings(data, _TEXT)
    parse_dates(data, _DATES)
    if "kind" in data and data["kind"] not in AuthorityRequest.Kind.values:
        raise ValidationError({"kind": _("Choose one of %(values)s.") % {
            "values": ", ".join(AuthorityRequest.Kind.values)}})
    if "status" in data and data["status"] not in Status.values:
        raise ValidationError({"status": _("Choose one of %(values)s.") % {"values": ", ".join(Status.values)}})
    if "extended" in data and not isinstance(data["extended"], bool):
        raise ValidationError({"extended": _("Give true or false.")})
    if "jurisdiction" in data:
        data["jurisdiction"] = data["jurisdiction"].upper()
        try:
            validate_jurisdiction(data["jurisdiction"])
        except ValidationError as exc:
            raise ValidationError({"jurisdiction": exc.messages}) from None
    if "rule" in data:
        given = data["rule"]
        if given in (None, ""):
            data["rule"] = None
        elif current_rule is not None and (given == current_rule or given == current_rule.code):
            data["rule"] = current_rule  # a retired rule stays on the requests that use it
        else:
            data["rule"] = rule_get(given)
    if "requester" in data:
        data["requester"] = _requester_of(case, data["requester"])
    if "reply_evidence" in data:
        data["reply_evidence"] = _reply_evidence_of(user, case, data["reply_evidence"])
    return data


# --- The reply date -------------------------------------------------------------------------------------------
def request_compute(*, rule: DeadlineRule, received_on: dt.date, jurisdiction: str = "") -> engine.Computation:
    """The reply date of ``rule`` counted from ``received_on``, on the calendar of ``jurisdiction`` if given
    (e.g. the GDPR controller's Member State), else the rule's own."""
    calendar = engine.calendar_for(jurisdiction) if jurisdiction else None
    try:
        result = engine.compute(rule.as_spec(), received_on, calendar)
    except engine.EngineError as exc:
        raise ValidationError({"received_on": str(exc)}) from None
    if jurisdiction and jurisdiction != rule.jurisdiction:
        result.steps.insert(2, {"step": "calendar", "date": None, "text": _(
            "Non-working days of %(code)s are applied.") % {"code": jurisdiction}})
    elif rule.jurisdiction == "EU":
        note = _("Only Saturdays and Sundays are skipped: give the calendar of the Member State where the reply is "
                 "due to skip its public holidays too (Regulation 1182/71 art. 2(1)).")
        result.warnings.append(note)
        result.steps.insert(2, {"step": "warning", "date": None, "text": note})
    return result


def _kind_rule(kind: str, extended: bool) -> DeadlineRule | None:
    base, ext = rules.KIND_RULES.get(kind, (None, None))
    code = ext if extended and ext else base
    return DeadlineRule.objects.filter(code=code).first() if code else None


def _choose_rule(req: AuthorityRequest, data: dict[str, Any], changed: set[str], *, creating: bool) -> None:
    if "rule" in data:  # an explicit rule wins; "extended" picks its extended or its base variant
        code = req.rule.code if req.rule is not None else None
        if data.get("extended") is True and code in rules.EXTENDED_RULE:
            req.rule = DeadlineRule.objects.get(code=rules.EXTENDED_RULE[code])
        elif data.get("extended") is False and code in rules.BASE_RULE:
            req.rule = DeadlineRule.objects.get(code=rules.BASE_RULE[code])
        elif data.get("extended") is True and code not in rules.BASE_RULE:
            raise ValidationError({"extended": _("This rule has no extended period.")})
        req.extended = req.rule is not None and req.rule.code in rules.BASE_RULE
        return
    if creating:
        if data.get("reply_due") is None:  # a date given by hand (and no rule) is kept as given
            req.rule = _kind_rule(req.kind, req.extended)
        if req.extended and req.rule is None:
            raise ValidationError({"extended": _("This kind of request has no extended period in the rules.")})
        return
    automatic = req.rule is None or req.rule.code in rules.REQUEST_RULE_CODES
    if "kind" in changed and automatic:
        req.rule = _kind_rule(req.kind, req.extended)
    elif "extended" in changed:
        if req.rule is None:
            raise ValidationError({"extended": _("Choose a rule first: the extension is counted by its rule.")})
        code = (rules.EXTENDED_RULE if req.extended else rules.BASE_RULE).get(req.rule.code)
        if code is None and req.extended:
            raise ValidationError({"extended": _("This rule has no extended period.")})
        if code is not None:
            req.rule = DeadlineRule.objects.get(code=code)


def _manual_explanation(due: dt.date | None) -> list[dict[str, Any]]:
    if due is None:
        return []
    return [{"step": "manual", "date": due.isoformat(),
             "text": _("Reply date set by hand: %(date)s.") % {"date": due.isoformat()}}]


def _apply_dates(req: AuthorityRequest, data: dict[str, Any], changed: set[str], *, creating: bool) -> None:
    given_due = "reply_due" in data
    if req.rule is not None:
        if req.received_on is None:
            if given_due and data["reply_due"] is not None:
                raise ValidationError({"reply_due": _(
                    "The reply date is computed from the rule once the day of receipt is known. To set it by hand, "
                    "clear the rule.")})
            req.reply_due = None
            req.explanation = [{"step": "waiting", "date": None, "text": _(
                "The reply date will be computed from the day the addressee receives or registers the request "
                "(rule %(code)s).") % {"code": req.rule.code}}]
            return
        if creating or changed & _RECOMPUTE or not req.explanation:
            result = request_compute(rule=req.rule, received_on=req.received_on, jurisdiction=req.jurisdiction)
            if given_due and data["reply_due"] is not None and data["reply_due"] != result.due_date:
                raise ValidationError({"reply_due": _(
                    "The reply date is computed from the rule and the day of receipt (%(date)s). To set it by hand, "
                    "clear the rule.") % {"date": result.due_date.isoformat()}})
            req.reply_due = result.due_date
            req.explanation = result.steps
        elif given_due and data["reply_due"] != getattr(req, "_loaded_reply_due", None):
            raise ValidationError({"reply_due": _(
                "The reply date is computed from the rule and the day of receipt. To set it by hand, clear the rule.")})
        return
    if creating or "reply_due" in changed or "rule" in changed:
        req.explanation = _manual_explanation(req.reply_due)


def _apply_status(req: AuthorityRequest, data: dict[str, Any], *, today: dt.date) -> str | None:
    """Keep the status true to the dates; returns a reason for the history when it was set automatically."""
    reason = None
    if "status" not in data:
        if req.replied_on is not None and req.status in (Status.DRAFT, Status.SENT, Status.OVERDUE):
            req.status = Status.ANSWERED
        elif req.status == Status.DRAFT and (req.sent_on or req.received_on):
            req.status = Status.SENT
    overdue = req.replied_on is None and req.reply_due is not None and req.reply_due < today
    if req.status == Status.SENT and overdue:
        req.status = Status.OVERDUE
        reason = "reply date passed"
    elif req.status == Status.OVERDUE and not overdue:
        if data.get("status") == Status.OVERDUE:
            raise ValidationError({"status": _(
                "A request becomes overdue by itself once its reply date has passed without a reply.")})
        req.status = Status.SENT
        reason = "reply date moved"
    return reason


# --- Services -------------------------------------------------------------------------------------------------
@transaction.atomic
def request_create(*, user, case: Case | int, addressee: str, today: dt.date | None = None,
                   **fields: Any) -> AuthorityRequest:
    """Log a request on a case (``change_case``)."""
    case = case_require(user, getattr(case, "pk", case), EDIT)
    data = _normalise(user, case, {"addressee": addressee, **fields}, None)
    req = AuthorityRequest(case=case, created_by=user)
    assign(req, data)
    _choose_rule(req, data, set(data), creating=True)
    _apply_dates(req, data, set(data), creating=True)
    reason = _apply_status(req, data, today=today or _today())
    save(req, user=user, reason=reason)
    indexing.changed(req)
    return req


@transaction.atomic
def request_update(*, user, request: AuthorityRequest, data: Mapping[str, Any],
                   today: dt.date | None = None) -> AuthorityRequest:
    """Change a request (``change_case``). A new rule, day of receipt, kind, calendar or extension recomputes the
    reply date; both versions stay in the history."""
    found = request_require(user, request.pk, EDIT)
    current = AuthorityRequest.objects.select_for_update(of=("self",)).select_related("rule").get(pk=found.pk)
    data = _normalise(user, current.case, data, current.rule)
    if "rule" in data and data["rule"] is None and "extended" not in data:
        data["extended"] = False
    current._loaded_reply_due = current.reply_due
    changed = assign(current, data)
    if not changed:
        return current
    _choose_rule(current, data, changed, creating=False)
    changed |= {"rule"} if current.rule_id != found.rule_id else set()
    _apply_dates(current, data, changed, creating=False)
    reason = _apply_status(current, data, today=today or _today())
    save(current, user=user, reason=reason)
    indexing.changed(current)
    return current


@transaction.atomic
def request_delete(*, user, request: AuthorityRequest) -> None:
    req = request_require(user, request.pk, EDIT)
    indexing.removed(req)
    delete(req, user=user)


def request_reply_attach(*, user, request: AuthorityRequest, uploaded_file, replied_on: dt.date | None = None,
                         title: str = "", refused: bool = False, http_request=None) -> AuthorityRequest:
    """Store the addressee's reply as evidence of the request's case (an exhibit, with its custody record) and mark
    the request answered (or refused) on ``replied_on`` (today if not given). Needs ``change_case`` and
    ``edit_evidence`` on the case; everything is checked before the file is stored."""
    from evidence.services import evidence_upload

    req = request_require(user, request.pk, EDIT)
    if EDIT_EVIDENCE not in case_perms(user, req.case):
        raise PermissionDenied(_("Your role on this case may not add evidence."))
    replied_on = replied_on or _today()
    if not isinstance(replied_on, dt.date) or isinstance(replied_on, dt.datetime):
        raise ValidationError({"replied_on": _("Enter a valid date (YYYY-MM-DD).")})
    if req.sent_on and replied_on < req.sent_on:
        raise ValidationError({"replied_on": _("The reply cannot come before the request was sent.")})
    if replied_on > _today():
        raise ValidationError({"replied_on": _("The reply cannot come in the future.")})
    title = (title or "").strip() or _("Reply of %(addressee)s to the request of %(date)s") % {
        "addressee": req.addressee, "date": (req.sent_on or req.created_at.date()).isoformat()}
    with transaction.atomic():
        item = evidence_upload(user=user, uploaded_file=uploaded_file, title=title[:300], case=req.case,
                               request=http_request)
        data = {"reply_evidence": item, "replied_on": replied_on}
        if refused:
            data["status"] = Status.REFUSED
        return request_update(user=user, request=req, data=data)


@transaction.atomic
def request_mark_overdue(*, request: AuthorityRequest, today: dt.date | None = None) -> bool:
    """Mark a sent request whose reply date has passed without a reply as overdue (history: the daily run, no
    user). Returns whether it changed."""
    today = today or _today()
    fresh = AuthorityRequest.objects.select_for_update().filter(pk=request.pk).first()
    if (fresh is None or fresh.status != Status.SENT or fresh.replied_on is not None or fresh.reply_due is None
            or fresh.reply_due >= today):
        return False
    fresh.status = Status.OVERDUE
    save(fresh, user=None, reason="reply date passed (daily run)")
    indexing.changed(fresh)
    request.status = fresh.status
    return True
