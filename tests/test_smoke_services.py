"""The services behind the factories: creator is lead, roles become guardian permissions, history has the actor."""
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from cases import permissions
from cases.models import Case, Role
from tests.factories import CaseFactory, IncidentFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_creator_is_lead_with_every_case_permission():
    case = CaseFactory()
    assert permissions.role_of(case.created_by, case) == Role.LEAD
    assert permissions.case_perms(case.created_by, case) == permissions.ALL_CASE_PERMS
    assert case.history.first().history_user == case.created_by


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_permissions_match_the_table(role):
    case = CaseFactory()
    user = UserFactory()
    add_member(case, user, role)
    assert permissions.case_perms(user, case) == permissions.ROLE_PERMISSIONS[role]
    assert list(permissions.cases_for(user)) == [case]


def test_outsider_sees_nothing():
    case = CaseFactory()
    outsider = UserFactory()
    assert not permissions.cases_for(outsider).exists()
    with pytest.raises(Http404):
        permissions.case_get(outsider, case.pk)


def test_last_lead_cannot_leave_or_be_demoted():
    case = CaseFactory()
    with pytest.raises(ValidationError):
        add_member(case, case.created_by, Role.OBSERVER)
    assert permissions.role_of(case.created_by, case) == Role.LEAD


def test_unlinked_incident_visible_to_creator_only_then_to_case_members():
    researcher, member, outsider = UserFactory(), UserFactory(), UserFactory()
    incident = IncidentFactory(user=researcher)
    assert list(permissions.incidents_for(researcher)) == [incident]
    assert not permissions.incidents_for(member).exists()
    case = CaseFactory()
    add_member(case, member, Role.OBSERVER)
    add_member(case, researcher, Role.RESEARCHER)
    from cases import services
    # only its owner (whoever logged it) may link an unlinked incident to a case
    services.incident_update(user=researcher, incident=incident, data={}, cases=[case])
    assert list(permissions.incidents_for(member)) == [incident]
    assert not permissions.incidents_for(outsider).exists()
    # once linked, the creator sees it only through a role on one of its cases
    services.member_remove(actor=case.created_by, case=case, user=researcher)
    assert not permissions.incidents_for(researcher).exists()
    assert permissions.VIEW_INCIDENT_IDENTITIES not in permissions.incident_perms(member, incident)


def test_trashed_case_hidden_and_restorable():
    case = CaseFactory()
    from cases import services
    services.case_trash(user=case.created_by, case=case)
    assert not permissions.cases_for(case.created_by).exists()
    assert list(permissions.cases_for(case.created_by, trashed_only=True)) == [case]
    services.case_restore(user=case.created_by, case=case)
    assert Case.objects.alive().filter(pk=case.pk).exists()
