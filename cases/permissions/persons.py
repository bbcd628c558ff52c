"""Persons, and the rule for moving a thing out of where it is (docs/access-model.md, "Persons" and "Links")."""
from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from cases.models import Case, Incident, IncidentPerson, Party, Person
from cases.permissions.base import (
    CHANGE_CASE,
    CHANGE_INCIDENT,
    EDIT_INCIDENTS,
    MOVE_INCIDENT,
    MOVE_OUT,
    VIEW_CASE,
    VIEW_IDENTITIES,
    VIEW_INCIDENT,
    VIEW_INCIDENT_IDENTITIES,
    _active,
    case_ids_for,
    cases_for,
    parse_id,
    refuse_without_second_factor,
)
from cases.permissions.incidents import incident_q, incidents_for

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
    cases = case_ids_for(user, case_perm)
    return Person.objects.filter(
        Q(Exists(Party.objects.filter(person=OuterRef("pk"), case__in=cases)))
        | Q(Exists(IncidentPerson.objects.filter(person=OuterRef("pk")).filter(incident_q(user, incident_perm))))
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
    cases = case_ids_for(user, EDIT_INCIDENTS)
    return Person.objects.filter(
        Q(Exists(Party.objects.filter(person=OuterRef("pk"), case__in=cases)))
        | Q(Exists(IncidentPerson.objects.filter(person=OuterRef("pk")).filter(incident_q(user, CHANGE_INCIDENT))))
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
        if pk is not None:
            refuse_without_second_factor(user, lambda u: persons_for(u).filter(pk=pk).exists())
        raise Http404("No such person.")
    return person


def person_require(user, pk, perm: str) -> Person:
    """404 unless the person is visible to ``user``; 403 if visible but ``perm`` ("identity", "edit") is missing."""
    if perm not in PERSON_PERMS:
        raise ValueError(f"unknown person permission {perm!r}")
    person = person_get(user, pk)
    if perm != PERSON_VIEW and perm not in person_perms(user, person):
        raise PermissionDenied(gettext("You may not do this with this person."))
    return person


def person_erasable(user, person: Person) -> bool:
    """May ``user`` erase the person's identity (``privacy.services.person_erase``)? A lead or lawyer
    (``change_case``) of every case the person is in, live or in the trash; for a person in no case, whoever may
    edit them and read their identity. Legal holds are the service's to check."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    holding = cases_holding_person(person)
    if holding.exists():
        return not holding.exclude(pk__in=cases_for(user, CHANGE_CASE, include_trashed=True).values("pk")).exists()
    perms = person_perms(user, person)
    return PERSON_EDIT in perms and PERSON_IDENTITY in perms


def person_editable(user, person: Person) -> bool:
    return _active(user) and (user.is_superuser or persons_editable_by(user).filter(pk=person.pk).exists())


# --- Moving things between cases and incidents (no transitive grants) ----------------------------------------
def cases_holding_person(person: Person) -> QuerySet:
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
        return holding_cases.filter(pk__in=case_ids_for(user, MOVE_OUT)).exists()
    if holding_incidents.exists():
        return holding_incidents.filter(
            pk__in=incidents_for(user, MOVE_INCIDENT, include_trashed=True).values("pk")
        ).exists()
    return created_by_id is not None and created_by_id == user.pk


def person_movable(user, person: Person) -> bool:
    return thing_movable(
        user, holding_cases=cases_holding_person(person),
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
        raise PermissionDenied(gettext("Only someone who may read this person's identity may link them."))
    if case is not None:
        target_cases = Case.objects.filter(pk=case.pk)
        already_in = Party.objects.filter(case=case, person=person).exists() or IncidentPerson.objects.filter(
            person=person, incident__cases=case).exists()
    else:
        target_cases = incident.cases.all()
        already_in = IncidentPerson.objects.filter(incident=incident, person=person).exists() or (
            target_cases.exists()
            and not target_cases.exclude(pk__in=cases_holding_person(person).values("pk")).exists()
        )
    if already_in:
        return  # the target shows the person to nobody who does not see them already
    if not person_movable(user, person):
        raise PermissionDenied(gettext("This person belongs to a case or incident you may not move them out of."))


