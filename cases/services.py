"""Writes for cases, membership, proceedings, parties, persons and incidents.

Each service checks its own preconditions first — who may do it, on which objects, in which state — through
``cases.permissions`` (``Http404`` when the object is hidden from the actor, ``PermissionDenied`` when it is visible
but the actor may not do this), then validates, writes, records history with the actor, and schedules re-indexing
on commit. So a page, the API, a command and a task get the same answer. Invalid input raises
``django.core.exceptions.ValidationError`` before anything is written. The rules are those of docs/access-model.md.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import concurrency, permissions
from cases.models import Case, CaseMembership, Incident, IncidentPerson, IncidentShare, Party, Person, Proceeding, Role
from search import indexing

User = get_user_model()

CASE_FIELDS = ("title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes", "legal_hold",
               "two_factor_required")
# Settings of a case that only those who manage its members (leads) may change.
CASE_SETTINGS = ("legal_hold", "two_factor_required")
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
    concurrency.next_version(obj)
    obj.save()


def _to_trash(obj: models.Model, *, user) -> bool:
    """Move a Case or Incident to the trash; False if it was there already."""
    concurrency.lock_for_update(obj)
    if obj.deleted_at is not None:
        return False
    obj.deleted_at = timezone.now()
    obj.deleted_by = user
    _save(obj, user=user)
    return True


def _from_trash(obj: models.Model, *, user) -> bool:
    """Bring a Case or Incident back from the trash; False if it was not there."""
    concurrency.lock_for_update(obj)
    if obj.deleted_at is None:
        return False
    obj.deleted_at = None
    obj.deleted_by = None
    _save(obj, user=user)
    return True


# --- Cases ---------------------------------------------------------------------------------------------------
def _require_active(user) -> None:
    if not permissions.is_active_user(user):
        raise PermissionDenied(_("Sign in first."))


def _case(user, case: Case, perm: str, *, include_trashed: bool = False) -> Case:
    """Re-check ``perm`` on ``case`` for ``user`` (404 hidden, 403 visible but not allowed); the fresh row."""
    return permissions.case_require(user, case.pk, perm, include_trashed=include_trashed)


@transaction.atomic
def case_create(*, user, title: str, **fields: Any) -> Case:
    """Create a case; its creator becomes its lead."""
    _require_active(user)
    if fields.get("two_factor_required") and not permissions.second_factor_verified(user):
        raise PermissionDenied(_("Sign in with two factors yourself before you require them of the case's members: "
                                 "set up two-factor sign-in in your account, then sign in again."))
    case = Case(created_by=user)
    _assign(case, {"title": title, **fields}, CASE_FIELDS)
    _save(case, user=user)
    _membership_write(actor=user, case=case, user=user, role=Role.LEAD)
    indexing.index_on_commit(case)
    return case


@transaction.atomic
def case_update(*, user, case: Case, data: Mapping[str, Any], expected_version: int | None = None) -> Case:
    """Change a case's fields (``change_case``); privileged notes only by those who may read them; its settings
    (legal hold, two factors required) only by those who manage its members (leads). With ``expected_version``,
    VersionConflict (and nothing written) if someone saved the case since that version."""
    perms = permissions.case_perms(user, _case(user, case, permissions.CHANGE_CASE))
    if "privileged_notes" in data and permissions.VIEW_PRIVILEGED not in perms:
        raise PermissionDenied(_("Your role may not read or write privileged notes."))
    if set(CASE_SETTINGS) & set(data) and permissions.MANAGE_MEMBERS not in perms:
        raise PermissionDenied(_("Only a lead of the case may set its legal hold or require two factors."))
    if data.get("two_factor_required") and not permissions.second_factor_verified(user):
        raise PermissionDenied(_("Sign in with two factors yourself before you require them of the case's members: "
                                 "set up two-factor sign-in in your account, then sign in again."))
    concurrency.lock_for_update(case, expected_version)
    changed = _assign(case, data, CASE_FIELDS)
    if changed:
        _save(case, user=user)
        indexing.index_on_commit(case)
    return case


@transaction.atomic
def case_trash(*, user, case: Case) -> Case:
    """Move a case to the trash (lead). Nobody reaches anything through it until it is restored."""
    _case(user, case, permissions.DELETE_CASE, include_trashed=True)
    if _to_trash(case, user=user):
        indexing.case_access_changed_on_commit(case)
    return case


@transaction.atomic
def case_restore(*, user, case: Case) -> Case:
    _case(user, case, permissions.DELETE_CASE, include_trashed=True)
    if case.deleted_at is None:
        raise ValidationError(_("This case is not in the trash."))
    if _from_trash(case, user=user):
        indexing.case_access_changed_on_commit(case)
    return case


@transaction.atomic
def case_purge(*, user, case: Case) -> None:
    """Delete a trashed case for good (lead). Its history keeps a deletion record naming ``user``.

    An incident linked to no other case becomes unlinked and lands with ``user`` (docs/access-model.md): nobody
    regains an incident because its case went away."""
    _case(user, case, permissions.DELETE_CASE, include_trashed=True)
    if case.deleted_at is None:
        raise ValidationError(_("Only a case in the trash can be purged. Move it to the trash first."))
    incidents = list(case.incidents.all())
    for incident in incidents:
        incident._history_user = user
        incident.cases.remove(case)  # with history, before the cascade would drop the link silently
        if not permissions.incident_is_linked(incident):
            _incident_change_hands(incident, user=user)
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
    """Add ``user`` to ``case`` with ``role``, or change their role (lead). A case always keeps at least one lead."""
    _case(actor, case, permissions.MANAGE_MEMBERS)
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
    """Take a member off the case (lead): they lose everything they had through it at once."""
    _case(actor, case, permissions.MANAGE_MEMBERS)
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
    _case(user, case, permissions.CHANGE_CASE)
    proceeding = Proceeding(case=case)
    _assign(proceeding, fields, PROCEEDING_FIELDS)
    _save(proceeding, user=user)
    indexing.index_on_commit(proceeding)
    return proceeding


@transaction.atomic
def proceeding_update(*, user, proceeding: Proceeding, data: Mapping[str, Any]) -> Proceeding:
    permissions.case_require(user, proceeding.case_id, permissions.CHANGE_CASE)
    if _assign(proceeding, data, PROCEEDING_FIELDS):
        _save(proceeding, user=user)
        indexing.index_on_commit(proceeding)
    return proceeding


@transaction.atomic
def proceeding_delete(*, user, proceeding: Proceeding) -> None:
    permissions.case_require(user, proceeding.case_id, permissions.CHANGE_CASE)
    proceeding._history_user = user
    indexing.remove_on_commit(proceeding)
    proceeding.delete()


@transaction.atomic
def party_create(*, user, case: Case, **fields: Any) -> Party:
    """Add a party to a case (``change_case``). A person is linked only under the rules of
    ``permissions.person_link_check`` (no transitive grants)."""
    _case(user, case, permissions.CHANGE_CASE)
    if fields.get("person") is not None:
        permissions.person_link_check(user, fields["person"], case=case)
    party = Party(case=case)
    _assign(party, fields, PARTY_FIELDS)
    _save(party, user=user)
    if party.person_id:
        indexing.index_on_commit(party.person)
    return party


@transaction.atomic
def party_update(*, user, party: Party, data: Mapping[str, Any]) -> Party:
    permissions.case_require(user, party.case_id, permissions.CHANGE_CASE)
    new_person = data.get("person")
    if new_person is not None and new_person.pk != party.person_id:
        permissions.person_link_check(user, new_person, case=party.case)
    if _assign(party, data, PARTY_FIELDS):
        _save(party, user=user)
    return party


@transaction.atomic
def party_delete(*, user, party: Party) -> None:
    permissions.case_require(user, party.case_id, permissions.CHANGE_CASE)
    person = party.person
    party._history_user = user
    party.delete()
    if person is not None:
        indexing.index_on_commit(person)


# --- Persons -------------------------------------------------------------------------------------------------
@transaction.atomic
def person_create(*, user, pseudonym: str, **fields: Any) -> Person:
    _require_active(user)
    person = Person(created_by=user)
    _assign(person, {"pseudonym": pseudonym, **fields}, PERSON_FIELDS)
    _save(person, user=user)
    indexing.index_on_commit(person)
    return person


@transaction.atomic
def person_update(*, user, person: Person, data: Mapping[str, Any], expected_version: int | None = None) -> Person:
    """Edit a person (see ``permissions.persons_editable_by``); identity fields only by those who may read them.
    With ``expected_version``, VersionConflict (and nothing written) if someone saved the person since."""
    permissions.person_require(user, person.pk, permissions.PERSON_EDIT)
    if set(data) & set(Person.IDENTITY_FIELDS):
        permissions.person_require(user, person.pk, permissions.PERSON_IDENTITY)
    concurrency.lock_for_update(person, expected_version)
    if _assign(person, data, PERSON_FIELDS):
        _save(person, user=user)
        indexing.index_on_commit(person)
    return person


# --- Incidents -----------------------------------------------------------------------------------------------
def _incident(user, incident: Incident, perm: str, *, include_trashed: bool = False) -> Incident:
    return permissions.incident_require(user, incident.pk, perm, include_trashed=include_trashed)


def _cases_to_link(user, cases: Iterable[Case]) -> list[Case]:
    """The cases, each one the user may add incidents to; else a ValidationError (same for hidden and missing)."""
    found = []
    for case in cases:
        pk = permissions.parse_id(getattr(case, "pk", case))
        live = permissions.cases_for(user, permissions.EDIT_INCIDENTS).filter(pk=pk).first() if pk else None
        if live is None:
            raise ValidationError({"cases": _("No case you may add incidents to has id %(id)s.") % {
                "id": getattr(case, "pk", case)}})
        found.append(live)
    return found


def _incident_change_hands(incident: Incident, *, user) -> None:
    """The incident just lost its last case link: it lands with ``user`` as its owner, and every earlier direct
    grant (the previous owner's, every share) is dropped, so nobody regains it because its case went away."""
    for share in IncidentShare.objects.filter(incident=incident):
        share._history_user = user
        share.delete()
    if incident.owner_id != getattr(user, "pk", None):
        incident.owner = user
        _save(incident, user=user)
    permissions.incident_access_sync(incident)


@transaction.atomic
def incident_create(*, user, title: str, occurred_at, cases: Iterable[Case] = (), **fields: Any) -> Incident:
    """Log an incident, linked to ``cases`` (each needs ``edit_incidents``) or to none (then its logger owns it)."""
    _require_active(user)
    cases = _cases_to_link(user, cases)
    incident = Incident(created_by=user, owner=user)
    _assign(incident, {"title": title, "occurred_at": occurred_at, **fields}, INCIDENT_FIELDS)
    _save(incident, user=user)
    permissions.incident_access_sync(incident)
    if cases:
        incident._history_user = user
        incident.cases.set(cases)
    indexing.index_on_commit(incident)
    return incident


def _cases_change_check(user, incident: Incident, old: set[int], new: set[int]) -> None:
    """The rules for changing an incident's cases (docs/access-model.md): ``edit_incidents`` on every case added
    or removed; adding a case moves the incident out of where it is (``move_incident``); taking it off its last
    case too (the actor becomes its owner)."""
    added, removed = new - old, old - new
    editable = set(permissions.cases_for(user, permissions.EDIT_INCIDENTS).filter(pk__in=added | removed)
                   .values_list("pk", flat=True))
    if (added | removed) - editable:
        raise ValidationError({"cases": _("No case you may add incidents to has id %(id)s.") % {
            "id": min((added | removed) - editable)}})
    if (added or not new) and not permissions.incident_movable(user, incident):
        if added:
            raise PermissionDenied(_("Only a lead of one of its cases, or its owner while it is linked to no case, "
                                   "may link this incident to another case."))
        raise PermissionDenied(_("Only a lead of its case may take this incident off its last case."))


@transaction.atomic
def incident_update(*, user, incident: Incident, data: Mapping[str, Any],
                    cases: Iterable[Case] | None = None, expected_version: int | None = None) -> Incident:
    """Change fields (``change_incident``) and, if ``cases`` is given, the set of linked cases (see
    ``_cases_change_check``). Links to cases the user may not edit must be passed through unchanged. With
    ``expected_version``, VersionConflict (and nothing written) if someone saved the incident since."""
    _incident(user, incident, permissions.CHANGE_INCIDENT)
    concurrency.lock_for_update(incident, expected_version)
    if cases is not None:
        wanted = {permissions.parse_id(getattr(c, "pk", c)) for c in cases}
        old = set(incident.cases.values_list("pk", flat=True))
        if None in wanted:
            raise ValidationError({"cases": _("A case id must be a positive whole number.")})
        if wanted != old:
            _cases_change_check(user, incident, old, wanted)
    fields_changed = bool(_assign(incident, data, INCIDENT_FIELDS))
    if fields_changed:
        _save(incident, user=user)
    if cases is not None and wanted != old:
        incident._history_user = user
        incident.cases.set(list(Case.objects.filter(pk__in=wanted)))
        if not wanted:
            _incident_change_hands(incident, user=user)
        elif not fields_changed:
            concurrency.bump_version(incident)
    indexing.index_on_commit(incident)
    for involvement in incident.involvements.select_related("person"):
        indexing.index_on_commit(involvement.person)
    return incident


@transaction.atomic
def incident_trash(*, user, incident: Incident) -> Incident:
    _incident(user, incident, permissions.DELETE_INCIDENT, include_trashed=True)
    if _to_trash(incident, user=user):
        indexing.index_on_commit(incident)
    return incident


@transaction.atomic
def incident_restore(*, user, incident: Incident) -> Incident:
    _incident(user, incident, permissions.DELETE_INCIDENT, include_trashed=True)
    if incident.deleted_at is None:
        raise ValidationError(_("This incident is not in the trash."))
    if _from_trash(incident, user=user):
        indexing.index_on_commit(incident)
    return incident


@transaction.atomic
def incident_purge(*, user, incident: Incident) -> None:
    _incident(user, incident, permissions.DELETE_INCIDENT, include_trashed=True)
    if incident.deleted_at is None:
        raise ValidationError(_("Only an incident in the trash can be purged. Move it to the trash first."))
    indexing.remove_on_commit(incident)
    for related in (*incident.involvements.all(), *incident.shares.all()):
        related._history_user = user
        related.delete()
    incident._history_user = user
    incident.delete()


def _owner_check(user, incident: Incident) -> None:
    """Sharing is for the owner of an incident linked to no case."""
    incident = permissions.incident_require(user, incident.pk, permissions.VIEW_INCIDENT)
    if permissions.incident_is_linked(incident):
        raise ValidationError({"detail": _("This incident is linked to a case: its members see it by role.")})
    if not permissions.incident_movable(user, incident):
        raise PermissionDenied(_("Only the owner of an incident may share it."))


@transaction.atomic
def incident_share(*, actor, incident: Incident, user, can_edit: bool = False) -> IncidentShare:
    """Share an incident that is linked to no case with another user (its owner only); recorded in its history."""
    _owner_check(actor, incident)
    if not user.is_active:
        raise ValidationError({"username": _("This account is deactivated.")})
    if user.pk == incident.owner_id:
        raise ValidationError({"username": _("The owner of the incident already has access.")})
    share = IncidentShare.objects.filter(incident=incident, user=user).first() or IncidentShare(
        incident=incident, user=user, created_by=actor)
    if share.pk is None or share.can_edit != bool(can_edit):
        share.can_edit = bool(can_edit)
        _save(share, user=actor)
    permissions.incident_access_sync(incident)
    indexing.index_on_commit(incident)
    return share


@transaction.atomic
def incident_unshare(*, actor, incident: Incident, user) -> None:
    _owner_check(actor, incident)
    if user.pk == incident.owner_id:
        raise ValidationError({"username": _("The owner's access to the incident cannot be removed.")})
    share = IncidentShare.objects.filter(incident=incident, user=user).first()
    if share is None:
        raise ValidationError({"username": _("The incident is not shared with this user.")})
    share._history_user = actor
    share.delete()
    permissions.incident_access_sync(incident)
    indexing.index_on_commit(incident)


@transaction.atomic
def incident_person_add(*, user, incident: Incident, person: Person, part: str, notes: str = "") -> IncidentPerson:
    """Record a person in an incident (``change_incident``), under ``permissions.person_link_check``."""
    incident = _incident(user, incident, permissions.CHANGE_INCIDENT)
    permissions.person_link_check(user, person, incident=incident)
    if IncidentPerson.objects.filter(incident=incident, person=person, part=part).exists():
        raise ValidationError({"person": _("This person is already recorded in this part.")})
    involvement = IncidentPerson(incident=incident, person=person, part=part, notes=notes)
    _save(involvement, user=user)
    indexing.index_on_commit(person)
    return involvement


@transaction.atomic
def incident_person_remove(*, user, involvement: IncidentPerson) -> None:
    permissions.incident_require(user, involvement.incident_id, permissions.CHANGE_INCIDENT)
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
