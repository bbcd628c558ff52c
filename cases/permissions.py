"""The one permission path of Docket.

Roles on a case are stored as django-guardian object permissions (``CaseUserObjectPermission`` rows, written only
by ``role_permissions_sync`` below). Every page, API view, admin screen, search query and document generator asks
this module — and nothing else — what a user may see or do:

- ``cases_for(user, perm)`` / ``case_get(user, pk, perm)`` / ``case_perms(user, case)``
- ``incidents_for(user, perm)`` / ``incident_get(user, pk, perm)`` / ``incident_perms(user, incident)``
- ``persons_for(user)`` / ``person_identity_ids(user, ids)``

Missing and forbidden are the same answer: ``Http404``. Evidence and deadlines derive their rules from the cases
and incidents they belong to (``evidence.permissions``, ``deadlines.permissions`` call into this module).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.models import (
    Case,
    CaseUserObjectPermission,
    Incident,
    IncidentUserObjectPermission,
    Person,
    Role,
)

# --- The role table: the single place where a role's abilities are decided. ---------------------------------
VIEW_CASE = "view_case"
CHANGE_CASE = "change_case"
DELETE_CASE = "delete_case"
MANAGE_MEMBERS = "manage_members"
VIEW_PRIVILEGED = "view_privileged"
VIEW_IDENTITIES = "view_identities"
EDIT_INCIDENTS = "edit_incidents"
EDIT_EVIDENCE = "edit_evidence"
DOWNLOAD_RESTRICTED = "download_restricted"
GENERATE_DOCUMENTS = "generate_documents"
EDIT_DEADLINES = "edit_deadlines"

ALL_CASE_PERMS: frozenset[str] = frozenset(
    {
        VIEW_CASE, CHANGE_CASE, DELETE_CASE, MANAGE_MEMBERS, VIEW_PRIVILEGED, VIEW_IDENTITIES, EDIT_INCIDENTS,
        EDIT_EVIDENCE, DOWNLOAD_RESTRICTED, GENERATE_DOCUMENTS, EDIT_DEADLINES,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.LEAD: ALL_CASE_PERMS,
    Role.LAWYER: frozenset(
        {
            VIEW_CASE, CHANGE_CASE, VIEW_PRIVILEGED, VIEW_IDENTITIES, EDIT_INCIDENTS, EDIT_EVIDENCE,
            DOWNLOAD_RESTRICTED, GENERATE_DOCUMENTS, EDIT_DEADLINES,
        }
    ),
    Role.RESEARCHER: frozenset({VIEW_CASE, VIEW_IDENTITIES, EDIT_INCIDENTS, EDIT_EVIDENCE, DOWNLOAD_RESTRICTED}),
    Role.COORDINATOR: frozenset({VIEW_CASE, VIEW_IDENTITIES, DOWNLOAD_RESTRICTED, GENERATE_DOCUMENTS}),
    Role.OBSERVER: frozenset({VIEW_CASE}),
}

# Incident abilities, and the case permission that grants each through a linked case.
VIEW_INCIDENT = "view_incident"
CHANGE_INCIDENT = "change_incident"
DELETE_INCIDENT = "delete_incident"
VIEW_INCIDENT_IDENTITIES = "view_incident_identities"
INCIDENT_PERM_FROM_CASE: dict[str, str] = {
    VIEW_INCIDENT: VIEW_CASE,
    CHANGE_INCIDENT: EDIT_INCIDENTS,
    DELETE_INCIDENT: EDIT_INCIDENTS,
    VIEW_INCIDENT_IDENTITIES: VIEW_IDENTITIES,
}
ALL_INCIDENT_PERMS: frozenset[str] = frozenset(INCIDENT_PERM_FROM_CASE)
# What the person who logged an incident, and a user it is shared with, may do while it is linked to no case.
CREATOR_INCIDENT_PERMS = ALL_INCIDENT_PERMS
SHARED_INCIDENT_PERMS = frozenset({VIEW_INCIDENT, VIEW_INCIDENT_IDENTITIES})
SHARED_INCIDENT_EDIT_PERMS = frozenset({VIEW_INCIDENT, CHANGE_INCIDENT, VIEW_INCIDENT_IDENTITIES})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _permission_ids(model, codenames: Iterable[str]) -> dict[str, int]:
    perms = Permission.objects.filter(content_type__app_label="cases", content_type__model=model._meta.model_name)
    wanted = set(codenames)
    found = {p.codename: p.pk for p in perms if p.codename in wanted}
    missing = wanted - set(found)
    if missing:  # pragma: no cover - migrations create them; this guards a half-migrated database
        raise RuntimeError(f"permissions missing for {model.__name__}: {sorted(missing)}")
    return found


# --- Cases ---------------------------------------------------------------------------------------------------
def role_permissions_sync(*, case: Case, user, role: str | None) -> None:
    """Make the user's guardian rows on ``case`` exactly those of ``role`` (None removes them all).

    Called only by the membership services, inside their transaction."""
    CaseUserObjectPermission.objects.filter(content_object=case, user=user).delete()
    if role is None:
        return
    ids = _permission_ids(Case, ROLE_PERMISSIONS[role])
    CaseUserObjectPermission.objects.bulk_create(
        [CaseUserObjectPermission(content_object=case, user=user, permission_id=pid) for pid in ids.values()]
    )


def _case_perm_exists(user, perm: str, outer: str = "pk") -> Exists:
    return Exists(
        CaseUserObjectPermission.objects.filter(
            content_object=OuterRef(outer), user=user, permission__codename=perm,
            permission__content_type__app_label="cases",
        )
    )


def cases_for(user, perm: str = VIEW_CASE, *, include_trashed: bool = False, trashed_only: bool = False) -> QuerySet:
    """The cases on which ``user`` holds ``perm``. Trashed cases are left out unless asked for."""
    qs = Case.objects.all()
    if trashed_only:
        qs = qs.trashed()
    elif not include_trashed:
        qs = qs.alive()
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(_case_perm_exists(user, perm))


def case_get(user, pk, perm: str = VIEW_CASE, *, include_trashed: bool = False) -> Case:
    """The case, if ``user`` holds ``perm`` on it; otherwise Http404 whether it exists or not."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such case.") from None
    case = cases_for(user, perm, include_trashed=include_trashed).filter(pk=pk).first()
    if case is None:
        raise Http404("No such case.")
    return case


def case_require(user, pk, perm: str, *, include_trashed: bool = False) -> Case:
    """For an action: Http404 if the user may not even view the case, PermissionDenied if they may view it but
    lack ``perm``. The 403 reveals nothing, because the caller can already see the case."""
    case = case_get(user, pk, VIEW_CASE, include_trashed=include_trashed)
    if perm not in case_perms(user, case):
        raise PermissionDenied("Your role on this case does not allow this.")
    return case


def case_perms(user, case: Case) -> frozenset[str]:
    if not _active(user):
        return frozenset()
    if user.is_superuser:
        return ALL_CASE_PERMS
    return frozenset(
        CaseUserObjectPermission.objects.filter(content_object=case, user=user).values_list(
            "permission__codename", flat=True
        )
    )


def case_perms_map(user, case_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Permissions for many cases in one query (for list pages and serializers)."""
    ids = list(case_ids)
    if not _active(user) or not ids:
        return {pk: frozenset() for pk in ids}
    if user.is_superuser:
        return {pk: ALL_CASE_PERMS for pk in ids}
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    rows = CaseUserObjectPermission.objects.filter(content_object_id__in=ids, user=user).values_list(
        "content_object_id", "permission__codename"
    )
    for case_id, codename in rows:
        found[case_id].add(codename)
    return {pk: frozenset(v) for pk, v in found.items()}


def has_case_perm(user, case: Case, perm: str) -> bool:
    return perm in case_perms(user, case)


def role_of(user, case: Case) -> str | None:
    """The user's role on the case, or None (superusers without a membership have none)."""
    if not _active(user):
        return None
    membership = case.memberships.filter(user=user).only("role").first()
    return membership.role if membership else None


# --- Incidents -----------------------------------------------------------------------------------------------
def incident_direct_grant(*, incident: Incident, user, perms: Iterable[str]) -> None:
    """Grant direct (unlinked-incident) permissions: to its creator, or to a user it is shared with."""
    IncidentUserObjectPermission.objects.filter(content_object=incident, user=user).delete()
    ids = _permission_ids(Incident, perms)
    IncidentUserObjectPermission.objects.bulk_create(
        [IncidentUserObjectPermission(content_object=incident, user=user, permission_id=pid) for pid in ids.values()]
    )


def incident_direct_revoke(*, incident: Incident, user) -> None:
    IncidentUserObjectPermission.objects.filter(content_object=incident, user=user).delete()


def _incident_filter(user, perm: str) -> Q:
    through = Incident.cases.through
    via_case = Exists(
        through.objects.filter(incident=OuterRef("pk"), case__deleted_at__isnull=True).filter(
            Exists(
                CaseUserObjectPermission.objects.filter(
                    content_object=OuterRef("case"), user=user,
                    permission__codename=INCIDENT_PERM_FROM_CASE[perm],
                    permission__content_type__app_label="cases",
                )
            )
        )
    )
    linked = Exists(through.objects.filter(incident=OuterRef("pk"), case__deleted_at__isnull=True))
    direct = Exists(
        IncidentUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=perm,
        )
    )
    # An incident with no (live) case: whoever logged it and those it is shared with. Once linked: case roles.
    return Q(via_case) | (~Q(linked) & Q(direct))


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
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such incident.") from None
    incident = incidents_for(user, perm, include_trashed=include_trashed).filter(pk=pk).first()
    if incident is None:
        raise Http404("No such incident.")
    return incident


def incident_require(user, pk, perm: str, *, include_trashed: bool = False) -> Incident:
    """Like ``case_require``: 404 unless viewable, 403 if viewable but ``perm`` is missing."""
    incident = incident_get(user, pk, VIEW_INCIDENT, include_trashed=include_trashed)
    if perm not in incident_perms(user, incident):
        raise PermissionDenied("Your access to this incident does not allow this.")
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
        through.objects.filter(incident_id__in=ids, case__deleted_at__isnull=True).values_list("incident_id", "case_id")
    )
    per_case = case_perms_map(user, {case_id for _, case_id in links})
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    linked: set[int] = set()
    for incident_id, case_id in links:
        linked.add(incident_id)
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


def has_incident_perm(user, incident: Incident, perm: str) -> bool:
    return perm in incident_perms(user, incident)


# --- Persons -------------------------------------------------------------------------------------------------
def persons_for(user, *, identities: bool = False) -> QuerySet:
    """Persons the user may see (by pseudonym), or — with ``identities`` — whose identity they may see.

    A person is reachable through a party of a case or an involvement in an incident, or because the user
    recorded them and they are linked to nothing yet."""
    if not _active(user):
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    case_perm = VIEW_IDENTITIES if identities else VIEW_CASE
    incident_perm = VIEW_INCIDENT_IDENTITIES if identities else VIEW_INCIDENT
    cases = cases_for(user, case_perm).values("pk")
    incidents = incidents_for(user, incident_perm).values("pk")
    orphan = Q(created_by=user) & ~Exists(Person.parties.rel.related_model.objects.filter(person=OuterRef("pk"))) & ~Exists(
        Person.involvements.rel.related_model.objects.filter(person=OuterRef("pk"))
    )
    return Person.objects.filter(
        Q(Exists(Person.parties.rel.related_model.objects.filter(person=OuterRef("pk"), case__in=cases)))
        | Q(Exists(Person.involvements.rel.related_model.objects.filter(person=OuterRef("pk"), incident__in=incidents)))
        | orphan
    )


def person_identity_ids(user, person_ids: Iterable[int]) -> frozenset[int]:
    """Of the given persons, those whose identity the user may see (one query)."""
    ids = list(person_ids)
    if not ids or not _active(user):
        return frozenset()
    return frozenset(persons_for(user, identities=True).filter(pk__in=ids).values_list("pk", flat=True))


def person_editable(user, person: Person) -> bool:
    """May ``user`` edit ``person``? Through a case where they edit incidents and parties, an incident they may
    change, or because they recorded the person and it is linked to nothing yet."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    from cases.models import IncidentPerson, Party

    if Party.objects.filter(person=person, case__in=cases_for(user, EDIT_INCIDENTS).values("pk")).exists():
        return True
    if IncidentPerson.objects.filter(
        person=person, incident__in=incidents_for(user, CHANGE_INCIDENT).values("pk")
    ).exists():
        return True
    return person.created_by_id == user.pk and not person.parties.exists() and not person.involvements.exists()


def incident_shared_with(incident: Incident) -> list:
    """Users an unlinked incident is shared with (direct grants other than its creator's), each annotated with
    ``can_edit``."""
    from django.contrib.auth import get_user_model

    rows = IncidentUserObjectPermission.objects.filter(content_object=incident, user=OuterRef("pk"))
    edit_rows = rows.filter(permission__codename=CHANGE_INCIDENT)
    return list(
        get_user_model().objects.filter(Exists(rows)).exclude(pk=incident.created_by_id)
        .annotate(can_edit=Exists(edit_rows)).order_by("username")
    )


def anonymous() -> AnonymousUser:
    return AnonymousUser()
