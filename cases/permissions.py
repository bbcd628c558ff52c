"""The one permission path of Docket.

Roles on a case are stored as django-guardian object permissions (``CaseUserObjectPermission`` rows, written only
by ``role_permissions_sync`` below). Every page, API view, admin screen, search query and document generator asks
this module — and nothing else — what a user may see or do:

- ``cases_for(user, perm)`` / ``case_get(user, pk, perm)`` / ``case_perms(user, case)``
- ``incidents_for(user, perm)`` / ``incident_get(user, pk, perm)`` / ``incident_perms(user, incident)``
- ``persons_for(user)`` / ``person_require(user, pk, perm)`` / ``person_identity_ids(user, ids)``
- ``incident_movable`` / ``person_movable`` and ``person_link_check``: may a thing leave where it is (no transitive
  grants, see docs/access-model.md)

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
    IncidentPerson,
    IncidentShare,
    IncidentUserObjectPermission,
    Party,
    Person,
    Role,
)

# --- The role table: the single place where a role's abilities are decided. ---------------------------------
VIEW_CASE = "view_case"
CHANGE_CASE = "change_case"
DELETE_CASE = "delete_case"
MANAGE_MEMBERS = "manage_members"
MOVE_OUT = "move_out"
VIEW_PRIVILEGED = "view_privileged"
VIEW_IDENTITIES = "view_identities"
EDIT_INCIDENTS = "edit_incidents"
EDIT_EVIDENCE = "edit_evidence"
DOWNLOAD_RESTRICTED = "download_restricted"
GENERATE_DOCUMENTS = "generate_documents"
EDIT_DEADLINES = "edit_deadlines"

ALL_CASE_PERMS: frozenset[str] = frozenset(
    {
        VIEW_CASE, CHANGE_CASE, DELETE_CASE, MANAGE_MEMBERS, MOVE_OUT, VIEW_PRIVILEGED, VIEW_IDENTITIES, EDIT_INCIDENTS,
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

# Incident abilities, and the case permission that grants each through a linked (live) case.
VIEW_INCIDENT = "view_incident"
CHANGE_INCIDENT = "change_incident"
DELETE_INCIDENT = "delete_incident"
VIEW_INCIDENT_IDENTITIES = "view_incident_identities"
MOVE_INCIDENT = "move_incident"  # link it to cases, share it, take it off its last case
INCIDENT_PERM_FROM_CASE: dict[str, str] = {
    VIEW_INCIDENT: VIEW_CASE,
    CHANGE_INCIDENT: EDIT_INCIDENTS,
    DELETE_INCIDENT: EDIT_INCIDENTS,
    VIEW_INCIDENT_IDENTITIES: VIEW_IDENTITIES,
    MOVE_INCIDENT: MOVE_OUT,
}
ALL_INCIDENT_PERMS: frozenset[str] = frozenset(INCIDENT_PERM_FROM_CASE)
# While an incident is linked to no case: its owner holds everything; a user it is shared with may read it (and
# edit its fields when shared "with edit"), never trash, purge, share or link it.
OWNER_INCIDENT_PERMS = ALL_INCIDENT_PERMS
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


MAX_ID = 2**63 - 1


def parse_id(pk) -> int | None:
    """A database id from a path, a query parameter or a body (1 ≤ id < 2**63), or None if it cannot be one."""
    if isinstance(pk, bool):
        return None
    try:
        value = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 1 <= value <= MAX_ID else None


def case_get(user, pk, perm: str = VIEW_CASE, *, include_trashed: bool = False) -> Case:
    """The case, if ``user`` holds ``perm`` on it; otherwise Http404 whether it exists or not."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404("No such case.")
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


def _case_child_require(model, label: str, user, pk, perm: str):
    """A row that belongs to a case (a proceeding, a party): 404 unless its case is visible, then ``case_require``."""
    pk = parse_id(pk)
    obj = model.objects.filter(pk=pk, case__in=cases_for(user).values("pk")).first() if pk is not None else None
    if obj is None:
        raise Http404(f"No such {label}.")
    if perm != VIEW_CASE:
        case_require(user, obj.case_id, perm)
    return obj


def proceeding_require(user, pk, perm: str = VIEW_CASE):
    from cases.models import Proceeding

    return _case_child_require(Proceeding, "proceeding", user, pk, perm)


def party_require(user, pk, perm: str = VIEW_CASE) -> Party:
    return _case_child_require(Party, "party", user, pk, perm)


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
    # Linked means linked to any case, live or in the trash: a case in the trash grants nothing, and an incident
    # does not fall back to its owner because its case went to the trash.
    linked = Exists(through.objects.filter(incident=OuterRef("pk")))
    direct = Exists(
        IncidentUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=perm,
        )
    )
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
    pk = parse_id(pk)
    if pk is None:
        raise Http404("No such incident.")
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
    return Incident.cases.through.objects.filter(incident_id=incident.pk).exists()


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


# --- Persons -------------------------------------------------------------------------------------------------
PERSON_VIEW = "view"
PERSON_IDENTITY = "identity"
PERSON_EDIT = "edit"
PERSON_PERMS = (PERSON_VIEW, PERSON_IDENTITY, PERSON_EDIT)


def _in_nothing() -> Q:
    return ~Q(Exists(Party.objects.filter(person=OuterRef("pk")))) & ~Q(
        Exists(IncidentPerson.objects.filter(person=OuterRef("pk")))
    )


def persons_for(user, *, identities: bool = False) -> QuerySet:
    """Persons the user may see (by pseudonym), or — with ``identities`` — whose identity they may see.

    A person is reachable through a party of a live case, an involvement in a visible incident, or because the
    user recorded them and they are in nothing yet."""
    if not _active(user):
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    case_perm = VIEW_IDENTITIES if identities else VIEW_CASE
    incident_perm = VIEW_INCIDENT_IDENTITIES if identities else VIEW_INCIDENT
    cases = cases_for(user, case_perm).values("pk")
    incidents = incidents_for(user, incident_perm).values("pk")
    return Person.objects.filter(
        Q(Exists(Party.objects.filter(person=OuterRef("pk"), case__in=cases)))
        | Q(Exists(IncidentPerson.objects.filter(person=OuterRef("pk"), incident__in=incidents)))
        | (Q(created_by=user) & _in_nothing())
    )


def persons_linkable(user) -> QuerySet:
    """Persons the user may offer to link somewhere: visible, and whose identity they may read or whom they
    created (``person_link_check`` still decides for a given target)."""
    return persons_for(user).filter(
        Q(pk__in=persons_for(user, identities=True).values("pk")) | Q(created_by=user)
    )


def persons_editable_by(user) -> QuerySet:
    """Persons the user may edit: through a live case where they edit incidents and parties, an incident they may
    change, or because they recorded the person and it is in nothing yet."""
    if not _active(user):
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    cases = cases_for(user, EDIT_INCIDENTS).values("pk")
    incidents = incidents_for(user, CHANGE_INCIDENT).values("pk")
    return Person.objects.filter(
        Q(Exists(Party.objects.filter(person=OuterRef("pk"), case__in=cases)))
        | Q(Exists(IncidentPerson.objects.filter(person=OuterRef("pk"), incident__in=incidents)))
        | (Q(created_by=user) & _in_nothing())
    )


def person_identity_ids(user, person_ids: Iterable[int]) -> frozenset[int]:
    """Of the given persons, those whose identity the user may see (one query)."""
    ids = list(person_ids)
    if not ids or not _active(user):
        return frozenset()
    return frozenset(persons_for(user, identities=True).filter(pk__in=ids).values_list("pk", flat=True))


def person_perms(user, person: Person) -> frozenset[str]:
    found = set()
    if persons_for(user).filter(pk=person.pk).exists():
        found.add(PERSON_VIEW)
        if person_identity_ids(user, [person.pk]):
            found.add(PERSON_IDENTITY)
        if persons_editable_by(user).filter(pk=person.pk).exists():
            found.add(PERSON_EDIT)
    return frozenset(found)


def person_get(user, pk) -> Person:
    """The person, if ``user`` may see them (by pseudonym); otherwise Http404 whether they exist or not."""
    pk = parse_id(pk)
    person = persons_for(user).filter(pk=pk).first() if pk is not None else None
    if person is None:
        raise Http404("No such person.")
    return person


def person_require(user, pk, perm: str) -> Person:
    """404 unless the person is visible to ``user``; 403 if visible but ``perm`` ("identity", "edit") is missing."""
    if perm not in PERSON_PERMS:
        raise ValueError(f"unknown person permission {perm!r}")
    person = person_get(user, pk)
    if perm != PERSON_VIEW and perm not in person_perms(user, person):
        raise PermissionDenied("You may not do this with this person.")
    return person


def person_editable(user, person: Person) -> bool:
    return _active(user) and (user.is_superuser or persons_editable_by(user).filter(pk=person.pk).exists())


# --- Moving things between cases and incidents (no transitive grants) ----------------------------------------
def _cases_holding_person(person: Person) -> QuerySet:
    """Every case (live or trashed) the person is in: as a party, or through an incident of the case."""
    return Case.objects.filter(
        Q(Exists(Party.objects.filter(case=OuterRef("pk"), person=person)))
        | Q(Exists(Incident.cases.through.objects.filter(
            case=OuterRef("pk"), incident__involvements__person=person)))
    )


def thing_movable(user, *, holding_cases: QuerySet, holding_incidents: QuerySet, created_by_id: int | None) -> bool:
    """The rule of docs/access-model.md for moving a thing out of where it is:

    in at least one case → ``move_out`` on one of its live cases; else in (unlinked) incidents only → the owner
    of one of them; else → whoever created it."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if holding_cases.exists():
        return holding_cases.filter(pk__in=cases_for(user, MOVE_OUT).values("pk")).exists()
    if holding_incidents.exists():
        return holding_incidents.filter(
            pk__in=incidents_for(user, MOVE_INCIDENT, include_trashed=True).values("pk")
        ).exists()
    return created_by_id is not None and created_by_id == user.pk


def person_movable(user, person: Person) -> bool:
    return thing_movable(
        user, holding_cases=_cases_holding_person(person),
        holding_incidents=Incident.objects.filter(involvements__person=person),
        created_by_id=person.created_by_id,
    )


def person_link_check(user, person: Person, *, case: Case | None = None, incident: Incident | None = None) -> None:
    """May ``user`` record ``person`` as a party of ``case`` or as involved in ``incident``? The caller has already
    checked the right to edit the target. Http404 when the person is hidden from the user; PermissionDenied when
    they may not read the person's identity (and did not create them), or the target would show the person to
    people who may not see them now and the user may not move the person out of where they are."""
    if not persons_for(user).filter(pk=person.pk).exists():
        raise Http404("No such person.")
    if person.created_by_id != user.pk and not person_identity_ids(user, [person.pk]):
        raise PermissionDenied("Only someone who may read this person's identity may link them.")
    if case is not None:
        target_cases = Case.objects.filter(pk=case.pk)
        already_in = Party.objects.filter(case=case, person=person).exists() or IncidentPerson.objects.filter(
            person=person, incident__cases=case).exists()
    else:
        target_cases = incident.cases.all()
        already_in = IncidentPerson.objects.filter(incident=incident, person=person).exists() or (
            target_cases.exists()
            and not target_cases.exclude(pk__in=_cases_holding_person(person).values("pk")).exists()
        )
    if already_in:
        return  # the target shows the person to nobody who does not see them already
    if not person_movable(user, person):
        raise PermissionDenied("This person belongs to a case or incident you may not move them out of.")


def anonymous() -> AnonymousUser:
    return AnonymousUser()
