"""Incidents: reached through their live cases by role once linked, through their owner and shares while linked to
no case (docs/access-model.md, "Incidents")."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from cases.models import (
    Incident,
    IncidentPerson,
    IncidentShare,
    IncidentUserObjectPermission,
)
from cases.permissions.base import (
    ALL_INCIDENT_PERMS,
    INCIDENT_PERM_FROM_CASE,
    MOVE_INCIDENT,
    OWNER_INCIDENT_PERMS,
    SHARED_INCIDENT_EDIT_PERMS,
    SHARED_INCIDENT_PERMS,
    VIEW_INCIDENT,
    _active,
    _permission_ids,
    case_ids_for,
    case_perms_map,
    parse_id,
    refuse_without_second_factor,
)


def incident_access_sync(incident: Incident) -> None:
    """Make the incident's direct guardian rows exactly those of its owner and its shares.

    Called only by the incident services, inside their transaction. Direct rows take effect only while the
    incident is linked to no case (see ``_incident_filter``)."""
    IncidentUserObjectPermission.objects.filter(content_object=incident).delete()
    ids = _permission_ids(Incident, ALL_INCIDENT_PERMS)
    rows = []
    if incident.owner_id:
        rows += [IncidentUserObjectPermission(content_object=incident, user_id=incident.owner_id, permission_id=pid)
                 for code, pid in ids.items() if code in OWNER_INCIDENT_PERMS]
    for share in IncidentShare.objects.filter(incident=incident).exclude(user_id=incident.owner_id):
        granted = SHARED_INCIDENT_EDIT_PERMS if share.can_edit else SHARED_INCIDENT_PERMS
        rows += [IncidentUserObjectPermission(content_object=incident, user_id=share.user_id, permission_id=pid)
                 for code, pid in ids.items() if code in granted]
    IncidentUserObjectPermission.objects.bulk_create(rows)


def incident_access_init_many(incidents: Iterable[Incident]) -> None:
    """``incident_access_sync`` for many incidents just created together (by an import): each has its owner and no
    share yet, so its rows are exactly the owner's. One INSERT … SELECT per thousand incidents instead of five model
    objects each. Called only inside the creating service's transaction."""
    from django.db import connection

    ids = _permission_ids(Incident, ALL_INCIDENT_PERMS)
    perm_ids = [pid for code, pid in ids.items() if code in OWNER_INCIDENT_PERMS]
    incident_ids = [incident.pk for incident in incidents if incident.owner_id]
    meta, qn = IncidentUserObjectPermission._meta, connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in ("content_object", "user", "permission"))
    for start in range(0, len(incident_ids), 900):
        chunk = incident_ids[start:start + 900]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(meta.db_table)} ({columns}) "
                f"SELECT i.{qn(Incident._meta.pk.column)}, i.{qn(Incident._meta.get_field('owner').column)}, p.id "
                f"FROM {qn(Incident._meta.db_table)} i, {qn(Permission._meta.db_table)} p "
                f"WHERE i.{qn(Incident._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND p.id IN ({', '.join(['%s'] * len(perm_ids))})",
                [*chunk, *perm_ids],
            )


def _incident_filter(user, perm: str, prefix: str = "") -> Q:
    """The rule as a filter on incidents, or on rows that point at one (``prefix``, e.g. "incident__"): applied to
    the pointing rows, each is checked by lookups (no list of every visible incident is built)."""
    through = Incident.cases.through
    # Linked to a live case on which the user holds the matching case permission (``cases_for``: live, two
    # factors, the permission). Written as ``IN (links of those cases)``: driven by the user's cases, so its cost
    # follows what the user may see, not how many incidents there are.
    via_case = Q(**{f"{prefix}pk__in": through.objects.filter(
        case__in=case_ids_for(user, INCIDENT_PERM_FROM_CASE[perm])).values("incident_id")})
    # Linked means linked to any case, live or in the trash: a case in the trash grants nothing, and an incident
    # does not fall back to its owner because its case went to the trash.
    linked = Incident.objects.link_exists(outer=f"{prefix}pk" if prefix else "pk")
    direct = Q(**{f"{prefix}pk__in": IncidentUserObjectPermission.objects.filter(
        user=user, permission__codename=perm).values("content_object_id")})
    return via_case | (~Q(linked) & direct)


def incident_q(user, perm: str = VIEW_INCIDENT, *, prefix: str = "incident__", unlinked: bool = False) -> Q:
    """``incidents_for(user, perm)`` as a filter on rows pointing at an incident through ``prefix`` (a live incident
    the user holds ``perm`` on; ``unlinked``: and linked to no case). For ``Exists`` over link rows: each row is
    checked by index lookups instead of comparing with the list of every incident the user may see."""
    if perm not in ALL_INCIDENT_PERMS:
        raise ValueError(f"unknown incident permission {perm!r}")
    if not _active(user):
        return Q(pk__in=[])
    alive = Q(**{f"{prefix}deleted_at__isnull": True})
    rule = Q() if user.is_superuser else _incident_filter(user, perm, prefix)
    if unlinked:
        rule &= ~Q(Incident.objects.link_exists(outer=f"{prefix}pk"))
    return alive & rule


def incidents_for(user, perm: str = VIEW_INCIDENT, *, include_trashed: bool = False,
                  trashed_only: bool = False) -> QuerySet:
    if perm not in ALL_INCIDENT_PERMS:
        raise ValueError(f"unknown incident permission {perm!r}")
    qs = Incident.objects.all()
    if trashed_only:
        qs = qs.trashed()
    elif not include_trashed:
        qs = qs.alive()
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(_incident_filter(user, perm))


def incident_get(user, pk, perm: str = VIEW_INCIDENT, *, include_trashed: bool = False) -> Incident:
    pk = parse_id(pk)
    if pk is None:
        raise Http404("No such incident.")
    incident = incidents_for(user, perm, include_trashed=include_trashed).filter(pk=pk).first()
    if incident is None:
        refuse_without_second_factor(
            user, lambda u: incidents_for(u, perm, include_trashed=include_trashed).filter(pk=pk).exists())
        raise Http404("No such incident.")
    return incident


def incident_require(user, pk, perm: str, *, include_trashed: bool = False) -> Incident:
    """Like ``case_require``: 404 unless viewable, 403 if viewable but ``perm`` is missing."""
    incident = incident_get(user, pk, VIEW_INCIDENT, include_trashed=include_trashed)
    if perm not in incident_perms(user, incident):
        raise PermissionDenied(gettext("Your access to this incident does not allow this."))
    return incident


def incident_perms(user, incident: Incident) -> frozenset[str]:
    if not _active(user):
        return frozenset()
    if user.is_superuser:
        return ALL_INCIDENT_PERMS
    return incident_perms_map(user, [incident.pk])[incident.pk]


def incident_perms_map(user, incident_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Incident permissions for many incidents in a constant number of queries."""
    ids = list(incident_ids)
    if not _active(user) or not ids:
        return {pk: frozenset() for pk in ids}
    if user.is_superuser:
        return {pk: ALL_INCIDENT_PERMS for pk in ids}
    through = Incident.cases.through
    links = list(
        through.objects.filter(incident_id__in=ids).values_list("incident_id", "case_id", "case__deleted_at")
    )
    per_case = case_perms_map(user, {case_id for _, case_id, deleted in links if deleted is None})
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    linked: set[int] = set()
    for incident_id, case_id, deleted in links:
        linked.add(incident_id)
        if deleted is not None:
            continue
        for iperm, cperm in INCIDENT_PERM_FROM_CASE.items():
            if cperm in per_case[case_id]:
                found[incident_id].add(iperm)
    unlinked = [pk for pk in ids if pk not in linked]
    if unlinked:
        rows = IncidentUserObjectPermission.objects.filter(content_object_id__in=unlinked, user=user).values_list(
            "content_object_id", "permission__codename"
        )
        for incident_id, codename in rows:
            found[incident_id].add(codename)
    return {pk: frozenset(v) for pk, v in found.items()}


def involvement_require(user, pk, perm: str = VIEW_INCIDENT) -> IncidentPerson:
    """A person's involvement in an incident: 404 unless the incident is visible, then ``incident_require``."""
    pk = parse_id(pk)
    involvement = (
        IncidentPerson.objects.filter(pk=pk, incident__in=incidents_for(user).values("pk"))
        .select_related("person").first() if pk is not None else None
    )
    if involvement is None:
        raise Http404("No such person in an incident.")
    if perm != VIEW_INCIDENT:
        incident_require(user, involvement.incident_id, perm)
    return involvement


def has_incident_perm(user, incident: Incident, perm: str) -> bool:
    return perm in incident_perms(user, incident)


def incident_is_linked(incident: Incident) -> bool:
    """Linked to any case, live or in the trash."""
    return Incident.objects.filter(pk=incident.pk).linked().exists()


def incident_movable(user, incident: Incident) -> bool:
    """May ``user`` move the incident: link it to other cases, share it, take it off its last case? A lead
    (``move_out``) of one of its live cases, or — while it is linked to no case — its owner."""
    return MOVE_INCIDENT in incident_perms(user, incident)


def incident_shared_with(incident: Incident) -> list:
    """The users an unlinked incident is shared with, each annotated with ``can_edit``."""
    users = []
    for share in IncidentShare.objects.filter(incident=incident).select_related("user").order_by("user__username"):
        share.user.can_edit = share.can_edit
        users.append(share.user)
    return users


