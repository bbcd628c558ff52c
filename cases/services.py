"""Writes for cases, membership, proceedings, parties, persons and incidents.

Callers (pages, API, commands) decide *whether* the actor may act through ``cases.permissions`` and then call one
of these functions, which validate, write, record history with the actor, and schedule re-indexing on commit.
Invalid input raises ``django.core.exceptions.ValidationError`` before anything is written.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, CaseMembership, Incident, IncidentPerson, Party, Person, Proceeding, Role
from search import indexing

User = get_user_model()

CASE_FIELDS = ("title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes")
PROCEEDING_FIELDS = ("stage", "court", "case_number", "judge", "filed_on", "hearing_on", "decided_on", "outcome")
PARTY_FIELDS = ("role", "name", "person", "notes")
PERSON_FIELDS = ("pseudonym", "real_name", "contacts", "consent_given", "consent_date", "consent_scope")
INCIDENT_FIELDS = (
    "title", "occurred_at", "location", "latitude", "longitude", "category", "description", "agency",
    "system_involved", "source_links",
)


def _assign(obj: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    changed = []
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _save(obj: models.Model, *, user, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude) or None)
    obj._history_user = user
    obj.save()


def _to_trash(obj: models.Model, *, user) -> bool:
    """Move a Case or Incident to the trash; False if it was there already."""
    if obj.deleted_at is not None:
        return False
    obj.deleted_at = timezone.now()
    obj.deleted_by = user
    _save(obj, user=user)
    return True


def _from_trash(obj: models.Model, *, user) -> bool:
    """Bring a Case or Incident back from the trash; False if it was not there."""
    if obj.deleted_at is None:
        return False
    obj.deleted_at = None
    obj.deleted_by = None
    _save(obj, user=user)
    return True


# --- Cases ---------------------------------------------------------------------------------------------------
@transaction.atomic
def case_create(*, user, title: str, **fields: Any) -> Case:
    """Create a case; its creator becomes its lead."""
    case = Case(created_by=user)
    _assign(case, {"title": title, **fields}, CASE_FIELDS)
    _save(case, user=user)
    _membership_write(actor=user, case=case, user=user, role=Role.LEAD)
    indexing.index_on_commit(case)
    return case


@transaction.atomic
def case_update(*, user, case: Case, data: Mapping[str, Any]) -> Case:
    changed = _assign(case, data, CASE_FIELDS)
    if changed:
        _save(case, user=user)
        indexing.index_on_commit(case)
    return case


@transaction.atomic
def case_trash(*, user, case: Case) -> Case:
    if _to_trash(case, user=user):
        indexing.case_access_changed_on_commit(case)
    return case


@transaction.atomic
def case_restore(*, user, case: Case) -> Case:
    if _from_trash(case, user=user):
        indexing.case_access_changed_on_commit(case)
    return case


@transaction.atomic
def case_purge(*, user, case: Case) -> None:
    """Delete a trashed case for good. Its history keeps a deletion record naming ``user``."""
    if case.deleted_at is None:
        raise ValidationError(_("Only a case in the trash can be purged. Move it to the trash first."))
    incidents = list(case.incidents.all())
    indexing.remove_on_commit(case)
    for related in (*case.proceedings.all(), *case.parties.all(), *case.memberships.all()):
        related._history_user = user
        related.delete()
    case._history_user = user
    case.delete()
    for incident in incidents:
        indexing.index_on_commit(incident)


# --- Membership ----------------------------------------------------------------------------------------------
def _membership_write(*, actor, case: Case, user, role: str) -> CaseMembership:
    membership = CaseMembership.objects.filter(case=case, user=user).first() or CaseMembership(
        case=case, user=user, added_by=actor
    )
    membership.role = role
    _save(membership, user=actor)
    permissions.role_permissions_sync(case=case, user=user, role=role)
    return membership


def _leads_left_after(case: Case, user) -> int:
    return CaseMembership.objects.filter(case=case, role=Role.LEAD).exclude(user=user).count()


@transaction.atomic
def member_set(*, actor, case: Case, user, role: str) -> CaseMembership:
    """Add ``user`` to ``case`` with ``role``, or change their role. A case always keeps at least one lead."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s. Choose one of: %(roles)s.") % {
            "role": role, "roles": ", ".join(Role.values)}})
    if not user.is_active:
        raise ValidationError({"username": _("This account is deactivated.")})
    Case.objects.select_for_update().filter(pk=case.pk).first()  # serialise membership changes per case
    current = CaseMembership.objects.filter(case=case, user=user).first()
    if current and current.role == Role.LEAD and role != Role.LEAD and _leads_left_after(case, user) == 0:
        raise ValidationError({"role": _("A case must keep at least one lead.")})
    membership = _membership_write(actor=actor, case=case, user=user, role=role)
    indexing.case_access_changed_on_commit(case)
    return membership


@transaction.atomic
def member_remove(*, actor, case: Case, user) -> None:
    Case.objects.select_for_update().filter(pk=case.pk).first()
    membership = CaseMembership.objects.filter(case=case, user=user).first()
    if membership is None:
        raise ValidationError({"username": _("This user is not a member of the case.")})
    if membership.role == Role.LEAD and _leads_left_after(case, user) == 0:
        raise ValidationError({"username": _("A case must keep at least one lead.")})
    membership._history_user = actor
    membership.delete()
    permissions.role_permissions_sync(case=case, user=user, role=None)
    indexing.case_access_changed_on_commit(case)


# --- Proceedings and parties ---------------------------------------------------------------------------------
@transaction.atomic
def proceeding_create(*, user, case: Case, **fields: Any) -> Proceeding:
    proceeding = Proceeding(case=case)
    _assign(proceeding, fields, PROCEEDING_FIELDS)
    _save(proceeding, user=user)
    return proceeding


@transaction.atomic
def proceeding_update(*, user, proceeding: Proceeding, data: Mapping[str, Any]) -> Proceeding:
    if _assign(proceeding, data, PROCEEDING_FIELDS):
        _save(proceeding, user=user)
    return proceeding


@transaction.atomic
def proceeding_delete(*, user, proceeding: Proceeding) -> None:
    proceeding._history_user = user
    proceeding.delete()


@transaction.atomic
def party_create(*, user, case: Case, **fields: Any) -> Party:
    party = Party(case=case)
    _assign(party, fields, PARTY_FIELDS)
    _save(party, user=user)
    if party.person_id:
        indexing.index_on_commit(party.person)
    return party


@transaction.atomic
def party_update(*, user, party: Party, data: Mapping[str, Any]) -> Party:
    if _assign(party, data, PARTY_FIELDS):
        _save(party, user=user)
    return party


@transaction.atomic
def party_delete(*, user, party: Party) -> None:
    person = party.person
    party._history_user = user
    party.delete()
    if person is not None:
        indexing.index_on_commit(person)


# --- Persons -------------------------------------------------------------------------------------------------
@transaction.atomic
def person_create(*, user, pseudonym: str, **fields: Any) -> Person:
    person = Person(created_by=user)
    _assign(person, {"pseudonym": pseudonym, **fields}, PERSON_FIELDS)
    _save(person, user=user)
    indexing.index_on_commit(person)
    return person


@transaction.atomic
def person_update(*, user, person: Person, data: Mapping[str, Any]) -> Person:
    if _assign(person, data, PERSON_FIELDS):
        _save(person, user=user)
        indexing.index_on_commit(person)
    return person


# --- Incidents -----------------------------------------------------------------------------------------------
@transaction.atomic
def incident_create(*, user, title: str, occurred_at, cases: Iterable[Case] = (), **fields: Any) -> Incident:
    """Log an incident. ``cases`` must already be checked: the caller holds EDIT_INCIDENTS on each."""
    incident = Incident(created_by=user)
    _assign(incident, {"title": title, "occurred_at": occurred_at, **fields}, INCIDENT_FIELDS)
    _save(incident, user=user)
    permissions.incident_direct_grant(incident=incident, user=user, perms=permissions.CREATOR_INCIDENT_PERMS)
    cases = list(cases)
    if cases:
        incident._history_user = user
        incident.cases.set(cases)
    indexing.index_on_commit(incident)
    return incident


@transaction.atomic
def incident_update(*, user, incident: Incident, data: Mapping[str, Any],
                    cases: Iterable[Case] | None = None) -> Incident:
    """Change fields and, if ``cases`` is given, the set of linked cases (already permission-checked)."""
    if _assign(incident, data, INCIDENT_FIELDS):
        _save(incident, user=user)
    if cases is not None:
        new = {c.pk for c in cases}
        old = set(incident.cases.values_list("pk", flat=True))
        if new != old:
            incident._history_user = user
            incident.cases.set(list(cases))
    indexing.index_on_commit(incident)
    for involvement in incident.involvements.select_related("person"):
        indexing.index_on_commit(involvement.person)
    return incident


@transaction.atomic
def incident_trash(*, user, incident: Incident) -> Incident:
    if _to_trash(incident, user=user):
        indexing.index_on_commit(incident)
    return incident


@transaction.atomic
def incident_restore(*, user, incident: Incident) -> Incident:
    if _from_trash(incident, user=user):
        indexing.index_on_commit(incident)
    return incident


@transaction.atomic
def incident_purge(*, user, incident: Incident) -> None:
    if incident.deleted_at is None:
        raise ValidationError(_("Only an incident in the trash can be purged. Move it to the trash first."))
    indexing.remove_on_commit(incident)
    for involvement in incident.involvements.all():
        involvement._history_user = user
        involvement.delete()
    incident._history_user = user
    incident.delete()


@transaction.atomic
def incident_share(*, actor, incident: Incident, user, can_edit: bool = False) -> None:
    """Share an incident that is linked to no case with another user (a direct guardian grant)."""
    if user.pk == incident.created_by_id:
        raise ValidationError({"username": _("The person who logged the incident already has access.")})
    perms = permissions.SHARED_INCIDENT_EDIT_PERMS if can_edit else permissions.SHARED_INCIDENT_PERMS
    permissions.incident_direct_grant(incident=incident, user=user, perms=perms)
    indexing.index_on_commit(incident)


@transaction.atomic
def incident_unshare(*, actor, incident: Incident, user) -> None:
    if user.pk == incident.created_by_id:
        raise ValidationError({"username": _("Access of the person who logged the incident cannot be removed.")})
    permissions.incident_direct_revoke(incident=incident, user=user)
    indexing.index_on_commit(incident)


@transaction.atomic
def incident_person_add(*, user, incident: Incident, person: Person, part: str, notes: str = "") -> IncidentPerson:
    if IncidentPerson.objects.filter(incident=incident, person=person, part=part).exists():
        raise ValidationError({"person": _("This person is already recorded in this part.")})
    involvement = IncidentPerson(incident=incident, person=person, part=part, notes=notes)
    _save(involvement, user=user)
    indexing.index_on_commit(person)
    return involvement


@transaction.atomic
def incident_person_remove(*, user, involvement: IncidentPerson) -> None:
    person = involvement.person
    involvement._history_user = user
    involvement.delete()
    indexing.index_on_commit(person)


# --- Users ---------------------------------------------------------------------------------------------------
@transaction.atomic
def user_create(*, username: str, password: str, email: str = "") -> Any:
    """Create an account (staff only at the API level). The password must pass the site's validators."""
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username, email=email)
    user.full_clean(exclude=["password"])
    validate_password(password, user=user)
    user.set_password(password)
    user.save()
    return user
