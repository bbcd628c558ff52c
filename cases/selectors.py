"""Reads for cases and incidents. Each selector takes the viewing ``user`` and returns only what they may see."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from cases import permissions
from cases.models import Case, CaseMembership, Incident, IncidentPerson, IncidentShare, Party, Person, Proceeding

User = get_user_model()

# Bookkeeping columns that say nothing a reader of the history needs.
_HIDDEN_FIELDS = {"id", "created_at", "updated_at", "created_by", "added_at", "added_by", "deleted_by", "case"}


# --- Lists ---------------------------------------------------------------------------------------------------
def _apply(filterset) -> QuerySet:
    """The filter set's queryset; filters it cannot understand raise ValidationError naming them (a 400 in the API,
    never a 500). Pages that prefer to ignore a bad filter use the filter set directly (cases.filters)."""
    from django.core.exceptions import ValidationError

    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    return filterset.qs


def case_list_prefetch(qs: QuerySet, *, user) -> QuerySet:
    """What a row of the case list needs: the viewer's own membership as ``my_membership``."""
    return qs.prefetch_related(
        Prefetch("memberships", queryset=CaseMembership.objects.filter(user=user), to_attr="my_membership"))


def incident_list_prefetch(qs: QuerySet, *, user) -> QuerySet:
    """What a row of the incident list needs: the incident's cases that the viewer may see."""
    visible_cases = permissions.cases_for(user)
    return qs.prefetch_related(Prefetch("cases", queryset=visible_cases.only("id", "title", "reference")))


class CountedApart:
    """What a paginator pages through: the rows of ``rows``, counted by ``counted`` (a queryset selecting the same
    rows in a shape the database counts faster). The case list reads a page by walking the index on recent activity
    and checking each case's permission row (``cases_for``), and counts from the user's permission rows
    (``cases_from_rows``): each is the fast way for its half at 100,000 cases."""

    def __init__(self, rows: QuerySet, counted: QuerySet) -> None:
        self.rows, self.counted = rows, counted
        self.ordered = rows.ordered
        self.model = rows.model

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        return self.rows[key]

    def __iter__(self):
        return iter(self.rows)


def case_list_counted(filterset_class, filters, *, user, strict: bool = True) -> tuple[Any, CountedApart]:
    """The case list for a paginator: (the filter set over the rows, a CountedApart of its rows), rows and count
    filtered alike. ``strict``: a filter that is not understood raises ValidationError (the API); otherwise it is
    left to the filter set to show and ignore (the page)."""
    rows = filterset_class(filters, permissions.cases_for(user).order_by("-updated_at", "-id"), user=user)
    counted = filterset_class(filters, permissions.cases_from_rows(user), user=user)
    take = _apply if strict else (lambda filterset: filterset.qs)
    return rows, CountedApart(case_list_prefetch(take(rows), user=user), take(counted).order_by())


def case_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Cases the user may view, newest activity first (or ``sort``), with the user's own membership prefetched as
    ``my_membership``. Filters (cases.filters.CaseFilter): ``q`` (title, reference, court, summary, proceedings'
    case numbers, courts and judges), ``status``, ``jurisdiction``, ``sort``. For a paginated list,
    ``case_list_counted`` (the same rows, counted the fast way)."""
    from cases.filters import CaseFilter

    return case_list_counted(CaseFilter, filters if filters is not None else None, user=user)[1].rows


def incident_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Incidents the user may view, latest first (or ``sort``). Filters (cases.filters.IncidentFilter): ``q``,
    ``category``, ``case`` (id), ``occurred_from``, ``occurred_to``, ``sort``."""
    from cases.filters import IncidentFilter

    qs = permissions.incidents_for(user).order_by("-occurred_at", "-id")
    qs = _apply(IncidentFilter(filters if filters is not None else None, qs, user=user))
    return incident_list_prefetch(qs, user=user).distinct()


def person_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Persons the user may see, by pseudonym (or ``sort``), each with the parties and involvements the user may
    see prefetched as ``visible_parties`` and ``visible_involvements``. Filters (cases.filters.PersonFilter):
    ``q`` (pseudonym; real name only where the user may read it), ``sort``."""
    from cases.filters import PersonFilter

    qs = permissions.persons_for(user).order_by("pseudonym", "id")
    qs = _apply(PersonFilter(filters if filters is not None else None, qs, user=user))
    return person_list_prefetch(qs, user=user)


def person_list_prefetch(qs: QuerySet, *, user) -> QuerySet:
    cases = permissions.case_ids_for(user)
    incidents = permissions.incidents_for(user).values("pk")
    return qs.prefetch_related(
        Prefetch("parties", queryset=Party.objects.filter(case__in=cases).select_related("case")
                 .order_by("case__title", "id"), to_attr="visible_parties"),
        Prefetch("involvements", queryset=IncidentPerson.objects.filter(incident__in=incidents)
                 .select_related("incident").order_by("-incident__occurred_at", "id"), to_attr="visible_involvements"),
    )


def person_detail(*, user, person: Person) -> dict[str, Any]:
    """A person's page: the parties (live cases the user may view) and involvements (incidents the user may view)
    with, for each incident, the cases of it the user may see."""
    parties = list(Party.objects.filter(person=person, case__in=permissions.case_ids_for(user))
                   .select_related("case").order_by("case__title", "id"))
    involvements = list(
        IncidentPerson.objects.filter(person=person, incident__in=permissions.incidents_for(user).values("pk"))
        .select_related("incident").prefetch_related(
            Prefetch("incident__cases", queryset=permissions.cases_for(user).only("id", "title", "reference")))
        .order_by("-incident__occurred_at", "id"))
    return {"parties": parties, "involvements": involvements}


def person_merge_candidates(*, user, person: Person, q: str = "", limit: int = 200) -> QuerySet:
    """Persons that ``user`` could merge into ``person``: visible, editable and whose identity they may read
    (the service still decides, e.g. who may move them)."""
    qs = (permissions.persons_editable_by(user)
          .filter(pk__in=permissions.persons_for(user, identities=True).values("pk"))
          .exclude(pk=person.pk).order_by("pseudonym", "id"))
    q = (q or "").replace("\x00", "").strip()[:200]
    if q:
        from cases.filters import real_name_matches

        qs = qs.filter(Q(pseudonym__icontains=q) | Q(pk__in=real_name_matches(user, q)))
    return qs[:limit]


def members_of(*, case: Case) -> QuerySet:
    return CaseMembership.objects.filter(case=case).select_related("user").order_by("role", "user__username")


def proceedings_of(*, case: Case) -> QuerySet:
    return Proceeding.objects.filter(case=case).order_by("filed_on", "id")


def parties_of(*, case: Case) -> QuerySet:
    return Party.objects.filter(case=case).select_related("person").order_by("role", "id")


def involvements_of(*, incident: Incident) -> QuerySet:
    return IncidentPerson.objects.filter(incident=incident).select_related("person").order_by("part", "id")


def incidents_of_case(*, user, case: Case) -> QuerySet:
    return permissions.incidents_for(user).filter(cases=case).order_by("-occurred_at", "-id")


def trash_for(*, user) -> dict[str, QuerySet]:
    """What the user may restore or purge: trashed cases they lead, trashed incidents they may delete."""
    return {
        "cases": permissions.cases_for(user, permissions.DELETE_CASE, trashed_only=True)
        .select_related("deleted_by")
        .order_by("-deleted_at"),
        "incidents": permissions.incidents_for(user, permissions.DELETE_INCIDENT, trashed_only=True)
        .select_related("deleted_by")
        .order_by("-deleted_at"),
    }


def dashboard_for(*, user) -> dict[str, Any]:
    return {
        "cases": list(case_list(user=user)[:10]),
        "incidents": list(incident_list(user=user)[:10]),
    }


# --- History -------------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _m2m_links(records: list, fields: set[str]) -> dict[tuple[int, str], list]:
    """{(history id, m2m field): sorted ids linked in that record} for all ``records`` in one query per field (what
    ``diff_against`` would read with two queries per record)."""
    from simple_history.utils import get_m2m_reverse_field_name

    found: dict[tuple[int, str], list] = {}
    if not records or not fields:
        return found
    ids = [record.history_id for record in records]
    for field in fields:
        rows_model = getattr(type(records[0]), field).model
        other = get_m2m_reverse_field_name(records[0].instance_type._meta.get_field(field))
        for start in range(0, len(ids), 900):
            for history_id, pk in rows_model.objects.filter(history_id__in=ids[start:start + 900]).values_list(
                    "history_id", other):
                found.setdefault((history_id, field), []).append(pk)
    for value in found.values():
        value.sort()
    return found


def _action(record, changes: list[dict]) -> str:
    if record.history_type == "+":
        return "created"
    if record.history_type == "-":
        return "deleted"
    for change in changes:
        if change["field"] == "deleted_at":
            return "deleted" if change["new"] else "restored"
    return "changed"


def _entries(records: Iterable, *, object_type: str, hidden: set[str], labels: Mapping[str, Any] | None = None,
             m2m_fields: Iterable[str] = ()) -> list[dict]:
    """Turn simple-history records of objects of one type into API entries (diffs computed in memory)."""
    labels = labels or {}
    m2m_fields = set(m2m_fields)
    records = list(records)
    links = _m2m_links(records, m2m_fields)
    by_object: dict[Any, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for object_id, recs in by_object.items():
        recs.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for rec in recs:
            changes: list[dict] = []
            if previous is not None and rec.history_type != "-":
                delta = rec.diff_against(previous, excluded_fields=m2m_fields, foreign_keys_are_objs=False)
                for change in delta.changes:
                    if change.field in hidden or change.field in _HIDDEN_FIELDS - {"deleted_at"}:
                        continue
                    changes.append({"field": change.field, "old": _plain(change.old), "new": _plain(change.new)})
                for field in sorted(m2m_fields - hidden):  # from the rows read once above (no query per record)
                    old = links.get((previous.history_id, field), [])
                    new = links.get((rec.history_id, field), [])
                    if old != new:
                        changes.append({"field": field, "old": old, "new": new})
                changes.sort(key=lambda change: change["field"])
            elif rec.history_type == "+":
                for field in rec.instance_type._meta.concrete_fields:
                    name = field.name
                    if name in hidden or name in _HIDDEN_FIELDS or name == "deleted_at":
                        continue
                    value = getattr(rec, field.attname, None)
                    if value in (None, "", [], False):
                        continue
                    changes.append({"field": name, "old": None, "new": _plain(value)})
            action = _action(rec, changes)
            if action == "changed" and not changes and previous is not None and not getattr(
                    rec, "history_change_reason", None):
                previous = rec
                continue  # e.g. only a hidden field changed
            entries.append(
                {
                    "at": rec.history_date,
                    "user": rec.history_user.get_username() if rec.history_user_id else None,
                    "action": action,
                    "object": object_type,
                    "object_id": object_id,
                    "object_label": labels.get(object_id, ""),
                    "changes": [c for c in changes if c["field"] != "deleted_at"],
                    "reason": getattr(rec, "history_change_reason", None) or "",
                    "_order": (rec.history_date, rec.history_id),
                }
            )
            previous = rec
    return entries


def _finish(entries: list[dict]) -> list[dict]:
    entries.sort(key=lambda e: e["_order"], reverse=True)
    for entry in entries:
        del entry["_order"]
    return entries


# The one history presenter, public for the other apps' objects (litigation: claims, requests, tasks).
history_entries = _entries
history_finish = _finish


def _user_entries(records, *, object_type: str, hidden: set[str] = frozenset()) -> list[dict]:
    """History entries of rows that name a user (memberships, shares): show who, not an id."""
    records = list(records.select_related("history_user", "user"))
    usernames = {r.user_id: r.user.username for r in records if r.user is not None}
    for record in records:
        record.user_id = usernames.get(record.user_id, record.user_id)
    return _entries(records, object_type=object_type, hidden=set(hidden),
                    labels={r.id: usernames.get(r.user_id, r.user_id) for r in records})


def case_history(*, user, case: Case) -> list[dict]:
    """The case's history and that of its memberships, proceedings, parties, claims, requests and tasks; newest
    first.

    Privileged notes are left out for viewers who may not read them."""
    perms = permissions.case_perms(user, case)
    hidden = set() if permissions.VIEW_PRIVILEGED in perms else {"privileged_notes"}
    entries = _entries(
        Case.history.filter(id=case.pk).select_related("history_user"), object_type="case", hidden=hidden
    )
    entries += _user_entries(CaseMembership.history.filter(case_id=case.pk), object_type="membership")
    entries += _entries(
        Proceeding.history.filter(case_id=case.pk).select_related("history_user"), object_type="proceeding",
        hidden=set(),
    )
    entries += _entries(
        Party.history.filter(case_id=case.pk).select_related("history_user"), object_type="party", hidden=set()
    )
    from litigation.selectors import case_litigation_entries  # litigation builds on cases, not the reverse

    entries += case_litigation_entries(user=user, case=case)  # claims, citations, requests, tasks
    return _finish(entries)


def incident_history(*, user, incident: Incident) -> list[dict]:
    """The incident's history (fields and linked cases), that of the persons recorded in it and of its shares;
    newest first."""
    entries = _entries(
        Incident.history.filter(id=incident.pk).select_related("history_user"),
        object_type="incident", hidden=set(), m2m_fields=["cases"],
    )
    visible = set(permissions.cases_for(user).values_list("pk", flat=True))
    for entry in entries:  # links to cases the viewer may not see are not theirs to know about
        kept = []
        for change in entry["changes"]:
            if change["field"] == "cases":
                change["old"] = [pk for pk in change["old"] or [] if pk in visible]
                change["new"] = [pk for pk in change["new"] or [] if pk in visible]
                if change["old"] == change["new"]:
                    continue
            kept.append(change)
        entry["changes"] = kept
    entries = [e for e in entries if e["changes"] or e["action"] != "changed"]
    owner_ids = {v for e in entries for c in e["changes"] if c["field"] == "owner" for v in (c["old"], c["new"]) if v}
    if owner_ids:  # who holds it, by name
        names = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "username"))
        for entry in entries:
            for change in entry["changes"]:
                if change["field"] == "owner":
                    change["old"], change["new"] = names.get(change["old"]), names.get(change["new"])
    entries += _entries(
        IncidentPerson.history.filter(incident_id=incident.pk).select_related("history_user"),
        object_type="involvement", hidden=set(),
    )
    entries += _user_entries(IncidentShare.history.filter(incident_id=incident.pk), object_type="share",
                             hidden={"incident"})
    return _finish(entries)


def person_history(*, user, person: Person) -> list[dict]:
    """The person's own history, newest first, with the reason of each change (a merge names the other person).
    Identity fields are left out for viewers who may not read them."""
    hidden = set() if person.pk in permissions.person_identity_ids(user, [person.pk]) else set(Person.IDENTITY_FIELDS)
    entries = _entries(Person.history.filter(id=person.pk).select_related("history_user"), object_type="person",
                       hidden=hidden)
    return _finish(entries)
