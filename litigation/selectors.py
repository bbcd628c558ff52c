"""Reads for claims, authorities, requests and tasks. Every selector takes the viewing ``user`` and returns only what
the permission path (``litigation.permissions``) lets them see, checked when it reads.

Public for the other apps (the integrator wires them in):

- ``claims_for_case(user=, case=)``: the claims of a case with their citations, for the case page, the chronology
  and the dossier; ``claim_chronology_entries(user=, case=)`` gives them as dated plain entries.
- ``case_section(user=, case=)``: what the case page shows of this app.
- ``feed_request_events(user=, host=, base=, now=)``: iCalendar events of the open requests with a reply date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Party, Proceeding
from cases.permissions import GENERATE_DOCUMENTS, VIEW_CASE, case_perms
from cases.selectors import history_entries, history_finish
from deadlines.engine import rule_text
from deadlines.models import DeadlineRule
from litigation.filters import AuthorityFilter, RequestFilter, TaskFilter
from litigation.models import Authority, AuthorityRequest, Citation, Claim, Task
from litigation.permissions import (
    EDIT,
    authorities_for,
    claims_for,
    requests_for,
    tasks_for,
)

User = get_user_model()


def _citations_prefetch() -> Prefetch:
    return Prefetch("citations", queryset=Citation.objects.select_related("authority").order_by("id"))


# --- Claims ---------------------------------------------------------------------------------------------------
def claim_list(*, user, case: Case) -> QuerySet:
    return (claims_for(user).filter(case=case).select_related("proceeding", "created_by")
            .prefetch_related(_citations_prefetch()).order_by("id"))


def claims_for_case(*, user, case: Case) -> list[Claim]:
    """The claims of ``case`` the user may see (none if they may not view the case), oldest first, each with
    ``number`` (1, 2, … in the case), ``proceeding`` and ``citations`` (each with ``authority`` and ``pinpoint``)."""
    claims = list(claim_list(user=user, case=case))
    for number, claim in enumerate(claims, 1):
        claim.number = number
    return claims


def claim_chronology_entries(*, user, case: Case) -> list[dict[str, Any]]:
    """Claims as dated entries for a chronology: ``{"on", "title", "detail"}``, dated by their proceeding's filing
    (or decision, for an outcome), else the day the claim was recorded."""
    entries = []
    for claim in claims_for_case(user=user, case=case):
        proceeding = claim.proceeding
        on = (proceeding.filed_on if proceeding and proceeding.filed_on else claim.created_at.date())
        detail = "; ".join(x for x in (claim.relief, str(proceeding) if proceeding else "") if x)
        entries.append({"on": on, "title": _("Claim %(n)s: %(right)s") % {"n": claim.number, "right": claim.right},
                        "detail": detail, "claim": claim})
        if claim.outcome and proceeding and proceeding.decided_on:
            entries.append({"on": proceeding.decided_on, "title": _("Outcome of claim %(n)s") % {"n": claim.number},
                            "detail": claim.outcome, "claim": claim})
    return entries


def claim_numbers(*, case: Case) -> dict[int, int]:
    return {pk: n for n, pk in enumerate(Claim.objects.filter(case=case).order_by("id").values_list("pk", flat=True), 1)}


# --- Authorities ----------------------------------------------------------------------------------------------
def authority_list(*, user, params=None) -> tuple[QuerySet, AuthorityFilter]:
    qs = authorities_for(user).select_related("case", "created_by").order_by("kind", "date", "title", "id")
    filterset = AuthorityFilter(params or {}, queryset=qs)
    return filterset.qs if filterset.is_valid() else qs.none(), filterset


def authority_citing_claims(*, user, authority: Authority) -> list[Citation]:
    """The citations of this authority in claims of cases the user may view."""
    return list(Citation.objects.filter(authority=authority, claim__in=claims_for(user).values("pk"))
                .select_related("claim", "claim__case").order_by("claim__case_id", "claim_id", "id"))


@dataclass
class TableEntry:
    authority: Authority
    citations: list[tuple[int, Claim, str]] = field(default_factory=list)  # (claim number, claim, pinpoint)


def table_of_authorities(*, user, case: Case) -> list[tuple[str, list[TableEntry]]]:
    """The authorities cited by the case's claims, grouped by kind (judgments, decisions, statutes, other) and in
    alphabetical order within a group, each with the claims citing it and the pinpoints. The caller has checked the
    right to generate documents."""
    claims = claims_for_case(user=user, case=case)
    entries: dict[int, TableEntry] = {}
    for claim in claims:
        for citation in claim.citations.all():
            entry = entries.setdefault(citation.authority_id, TableEntry(citation.authority))
            entry.citations.append((claim.number, claim, citation.pinpoint))
    groups = []
    for kind in Authority.Kind.values:
        rows = [e for e in entries.values() if e.authority.kind == kind]
        rows.sort(key=lambda e: ((e.authority.citation or e.authority.title).casefold(), e.authority.pk))
        if rows:
            groups.append((kind, rows))
    return groups


# --- Requests -------------------------------------------------------------------------------------------------
def request_list(*, user, params=None, request=None) -> tuple[QuerySet, RequestFilter]:
    qs = requests_for(user).with_related().order_by("status", "reply_due", "id")
    filterset = RequestFilter(params or {}, queryset=qs, request=request)
    return filterset.qs if filterset.is_valid() else qs.none(), filterset


def requests_for_case(*, user, case: Case) -> list[AuthorityRequest]:
    return list(requests_for(user).filter(case=case).with_related().order_by("reply_due", "id"))


def requester_label(party: Party | None, *, identities: bool) -> str:
    """A party as the viewer may see it: a person's pseudonym (their real name only for those who may see it)."""
    if party is None:
        return ""
    if party.person_id:
        if identities and party.person.real_name:
            return f"{party.person.real_name} ({party.person.pseudonym})"
        return party.person.pseudonym
    return party.name


# --- Tasks ----------------------------------------------------------------------------------------------------
def task_list(*, user, params=None, request=None) -> tuple[QuerySet, TaskFilter]:
    qs = tasks_for(user).with_related()
    filterset = TaskFilter(params or {}, queryset=qs, request=request)
    return filterset.qs if filterset.is_valid() else qs.none(), filterset


def tasks_for_case(*, user, case: Case) -> list[Task]:
    return list(tasks_for(user).filter(case=case).with_related())


def assignable_users(*, case: Case) -> QuerySet:
    return User.objects.filter(case_memberships__case=case, is_active=True).order_by("username").distinct()


# --- The case page --------------------------------------------------------------------------------------------
def case_section(*, user, case: Case) -> dict[str, Any]:
    perms = case_perms(user, case)
    if VIEW_CASE not in perms:
        return {"claims": [], "requests": [], "tasks": [], "can_edit": False, "can_generate": False}
    return {
        "claims": claims_for_case(user=user, case=case),
        "requests": requests_for_case(user=user, case=case),
        "tasks": tasks_for_case(user=user, case=case),
        "can_edit": EDIT in perms,
        "can_generate": GENERATE_DOCUMENTS in perms,
        "today": timezone.localdate(),
    }


# --- History --------------------------------------------------------------------------------------------------
def _names(entries: list[dict], *, user) -> None:
    """Foreign keys in the history as names the viewer may see (rule codes, usernames, pseudonyms)."""
    wanted: dict[str, set] = {}
    for entry in entries:
        for change in entry["changes"]:
            if change["field"] in ("rule", "assignee", "done_by", "requester", "proceeding", "authority",
                                   "reply_evidence"):
                wanted.setdefault(change["field"], set()).update(
                    v for v in (change["old"], change["new"]) if isinstance(v, int))
    names: dict[tuple[str, int], str] = {}
    if wanted.get("rule"):
        names.update({("rule", pk): code for pk, code in
                      DeadlineRule.objects.filter(pk__in=wanted["rule"]).values_list("pk", "code")})
    people = wanted.get("assignee", set()) | wanted.get("done_by", set())
    for pk, username in User.objects.filter(pk__in=people).values_list("pk", "username"):
        names[("assignee", pk)] = names[("done_by", pk)] = username
    for party in Party.objects.filter(pk__in=wanted.get("requester", ())).select_related("person"):
        names[("requester", party.pk)] = requester_label(party, identities=False)
    for proceeding in Proceeding.objects.filter(pk__in=wanted.get("proceeding", ())):
        names[("proceeding", proceeding.pk)] = str(proceeding)
    for authority in authorities_for(user).filter(pk__in=wanted.get("authority", ())):
        names[("authority", authority.pk)] = str(authority)
    for entry in entries:
        for change in entry["changes"]:
            for key in ("old", "new"):
                value = change[key]
                if isinstance(value, int) and (change["field"], value) in names:
                    change[key] = names[(change["field"], value)]
                elif change["field"] == "reply_evidence" and isinstance(value, int):
                    change[key] = _("evidence item %(id)s") % {"id": value}


def _history(records, *, object_type: str, user, hidden=frozenset()) -> list[dict]:
    entries = history_entries(records.select_related("history_user"), object_type=object_type, hidden=set(hidden))
    _names(entries, user=user)
    return entries


def claim_history(*, user, claim: Claim) -> list[dict]:
    """The claim's history and that of its citations, newest first."""
    entries = _history(Claim.history.filter(id=claim.pk), object_type="claim", user=user)
    entries += _history(Citation.history.filter(claim_id=claim.pk), object_type="citation", user=user,
                        hidden={"claim"})
    return history_finish(entries)


def authority_history(*, user, authority: Authority) -> list[dict]:
    return history_finish(_history(Authority.history.filter(id=authority.pk), object_type="authority", user=user))


def request_history(*, user, request: AuthorityRequest) -> list[dict]:
    entries = _history(AuthorityRequest.history.filter(id=request.pk), object_type="request", user=user,
                       hidden={"explanation"})
    reasons = dict(AuthorityRequest.history.filter(id=request.pk).values_list("history_id", "history_change_reason"))
    for entry in entries:  # e.g. the daily run marks a request overdue with a reason and no user
        entry["reason"] = reasons.get(entry["_order"][1]) or ""
    return history_finish(entries)


def task_history(*, user, task: Task) -> list[dict]:
    return history_finish(_history(Task.history.filter(id=task.pk), object_type="task", user=user))


def case_litigation_history(*, user, case: Case) -> list[dict]:
    """Everything this app recorded about a case (claims, citations, requests, tasks), newest first. The caller
    has checked the user may view the case."""
    return history_finish(case_litigation_entries(user=user, case=case))


def case_litigation_entries(*, user, case: Case) -> list[dict]:
    """The same entries, unsorted (``cases.selectors.case_history`` merges them into the case's history). The ids
    they name are turned into names once for all four tables."""
    def raw(records, object_type: str, hidden=frozenset()) -> list[dict]:
        return history_entries(records.select_related("history_user"), object_type=object_type, hidden=set(hidden))

    entries = raw(Claim.history.filter(case_id=case.pk), "claim")
    entries += raw(Citation.history.filter(claim_id__in=Claim.history.filter(case_id=case.pk).values("id")),
                   "citation")
    entries += raw(AuthorityRequest.history.filter(case_id=case.pk), "request", {"explanation"})
    entries += raw(Task.history.filter(case_id=case.pk), "task")
    _names(entries, user=user)
    return entries


# --- The calendar feed ----------------------------------------------------------------------------------------
def feed_requests(*, user) -> list[AuthorityRequest]:
    """Open requests (sent or overdue, not answered) with a reply date, on live cases the user may view."""
    return list(requests_for(user).open().filter(reply_due__isnull=False).with_related().order_by("reply_due", "id"))


def feed_request_events(*, user, host: str, base: str, now) -> list:
    """One all-day VEVENT per open request, on its reply date (deadlines.selectors.feed_ical adds them)."""
    from icalendar import Event

    events = []
    for req in feed_requests(user=user):
        ev = Event()
        ev.add("uid", f"request-{req.pk}@{host}")
        ev.add("dtstamp", now)
        ev.add("last-modified", req.updated_at)
        ev.add("summary", _("Reply due: %(title)s — %(case)s") % {"title": req, "case": req.case})
        ev.add("dtstart", req.reply_due)
        ev.add("dtend", req.reply_due + dt.timedelta(days=1))
        lines = [_("Case: %(case)s") % {"case": req.case}, _("Addressee: %(name)s") % {"name": req.addressee},
                 _("Kind: %(kind)s") % {"kind": req.get_kind_display()}]
        if req.rule_id:
            lines.append(_("Rule: %(code)s — %(basis)s") % {"code": req.rule.code,
                                                                "basis": rule_text(req.rule.legal_basis)})
        url = base + req.get_absolute_url()
        lines.append(url)
        ev.add("description", "\n".join(str(line) for line in lines))
        ev.add("url", url)
        ev.add("categories", ["request", req.kind])
        ev.add("status", "CONFIRMED")
        ev.add("transp", "TRANSPARENT")
        events.append(ev)
    return events
