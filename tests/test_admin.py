"""The admin: superusers see every screen; other staff see only what the permission path allows, read-only, and
can never edit object permissions (the django-guardian #756 bypass)."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases.models import CaseUserObjectPermission, Role
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    """Staff with every model-level permission there is — the worst case for an object-permission bypass."""
    user = UserFactory(username="staffer", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


def test_every_admin_changelist_and_add_page_loads_for_a_superuser(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    case = CaseFactory(lead=root)
    IncidentFactory(user=root, cases=[case])
    PersonFactory(user=root)
    client.force_login(root)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:%s_%s_changelist" % info))
        assert response.status_code == 200, (model, response.status_code)
        if model_admin.has_add_permission(response.wsgi_request):
            assert client.get(reverse("admin:%s_%s_add" % info)).status_code == 200, model


def test_staff_cannot_open_or_grant_object_permissions(client, staff):
    case = CaseFactory()
    client.force_login(staff)
    for name in ("caseuserobjectpermission", "incidentuserobjectpermission", "casemembership"):
        assert client.get(reverse(f"admin:cases_{name}_changelist")).status_code == 403
        assert client.get(reverse(f"admin:cases_{name}_add")).status_code == 403
    before = CaseUserObjectPermission.objects.count()
    response = client.post(reverse("admin:cases_caseuserobjectpermission_add"), {
        "content_object": case.pk, "user": staff.pk,
        "permission": Permission.objects.get(codename="view_case").pk,
    })
    assert response.status_code == 403
    assert CaseUserObjectPermission.objects.count() == before


def test_staff_see_only_their_cases_read_only_and_no_privileged_notes(client, staff):
    mine = CaseFactory(title="Visible case", privileged_notes="SECRET-NOTE")
    add_member(mine, staff, Role.OBSERVER)
    CaseFactory(title="Hidden case")
    client.force_login(staff)
    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "Visible case" in listing and "Hidden case" not in listing
    change = client.get(reverse("admin:cases_case_change", args=[mine.pk]))
    assert change.status_code == 200
    assert "SECRET-NOTE" not in change.content.decode()
    response = client.post(reverse("admin:cases_case_change", args=[mine.pk]), {"title": "Renamed"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.title == "Visible case"
