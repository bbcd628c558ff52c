"""The admin: superusers see every screen. Other staff, even holding every model-level permission and a role on a
case, open no screen of a domain model — list, add, change, delete, history or history item — and never read a
privileged note or a real name there; they can never edit object permissions (the django-guardian #756 bypass).
A malformed or out-of-range id is a 404, never a 500."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from cases import services
from cases.models import CaseUserObjectPermission, Role
from deadlines import services as deadline_services
from evidence import services as evidence_services
from tests.conftest import login_with_two_factors
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.test_permission_matrix import history_counts

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
    login_with_two_factors(client, root)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:%s_%s_changelist" % info))
        assert response.status_code == 200, (model, response.status_code)
        if model_admin.has_add_permission(response.wsgi_request):
            assert client.get(reverse("admin:%s_%s_add" % info)).status_code == 200, model


def test_staff_cannot_open_or_grant_object_permissions(client, staff):
    case = CaseFactory()
    login_with_two_factors(client, staff)
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


DOMAIN_APPS = ("cases", "evidence", "deadlines", "documents", "search", "litigation", "intake", "exchange", "ops")
SECRETS = ("SECRET-NOTE", "REAL-NAME-SECRET", "OLD-SECRET-NOTE", "OLD-REAL-NAME")
HUGE = str(2**70)


def domain_admins() -> list[tuple]:
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in DOMAIN_APPS]


@pytest.fixture
def secrets_world():
    """One row (at least) of every domain model, with a privileged note and a real name changed once, so both the
    old and the new values are in the history."""
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Metro cameras", privileged_notes="OLD-SECRET-NOTE")
    services.case_update(user=lead, case=case, data={"privileged_notes": "SECRET-NOTE"})
    person = PersonFactory(user=lead, pseudonym="Applicant A", real_name="OLD-REAL-NAME")
    services.person_update(user=lead, person=person, data={"real_name": "REAL-NAME-SECRET"})
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Park Kultury")
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    services.proceeding_create(user=lead, case=case, stage="first_instance", court="Tverskoy District Court")
    evidence_services.evidence_upload(user=lead, uploaded_file=SimpleUploadedFile("statement.txt", b"REAL-NAME-SECRET"),
                                      title="Statement", case=case)
    deadline_services.deadline_create(user=lead, case=case, title="Appeal", due_date=dt.date(2030, 1, 15))
    return case


def object_urls(model, model_admin, pk, history_id) -> list[str]:
    info = (model._meta.app_label, model._meta.model_name)
    urls = [reverse("admin:%s_%s_changelist" % info), reverse("admin:%s_%s_add" % info),
            reverse("admin:%s_%s_change" % info, args=[pk]), reverse("admin:%s_%s_delete" % info, args=[pk]),
            reverse("admin:%s_%s_history" % info, args=[pk])]
    if isinstance(model_admin, SimpleHistoryAdmin):
        urls.append(reverse("admin:%s_%s_simple_history" % info, args=[pk, history_id]))
    return urls


def first_row(model) -> tuple[str, str]:
    """The pk of a stored row (or 1) and the history id of one of its history records (or 1)."""
    obj = model._default_manager.order_by("pk").first()
    pk = str(obj.pk) if obj is not None else "1"
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    history_id = "1"
    if manager_name and obj is not None:
        record = getattr(model, manager_name).filter(pk=obj.pk).order_by("history_id").first()
        history_id = str(record.history_id) if record is not None else "1"
    return pk, history_id


def test_every_domain_model_is_in_the_admin_test():
    labels = {model._meta.label for model, _ in domain_admins()}
    assert {"cases.Case", "cases.Person", "cases.Incident", "evidence.EvidenceItem", "deadlines.Deadline",
            "documents.DocumentTemplate"} <= labels


@pytest.mark.parametrize("member", [False, True], ids=["no role", "observer of the case"])
def test_staff_with_every_permission_open_no_domain_screen(client, staff, secrets_world, member):
    if member:
        add_member(secrets_world, staff, Role.OBSERVER)
    login_with_two_factors(client, staff)
    before = history_counts()
    for model, model_admin in domain_admins():
        pk, history_id = first_row(model)
        for url in object_urls(model, model_admin, pk, history_id):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (403, 404), (method, url, response.status_code)
                body = response.content.decode()
                assert not any(secret in body for secret in SECRETS), (method, url)
        app_index = client.get(reverse("admin:app_list", args=[model._meta.app_label]))
        assert app_index.status_code == 404
    index = client.get(reverse("admin:index")).content.decode()
    for app in DOMAIN_APPS:
        assert f'href="/admin/{app}/"' not in index
    assert history_counts() == before


def test_history_pages_of_a_hidden_case_and_person_are_refused(client, staff, secrets_world):
    """The issue's example: django-simple-history's views ignore get_queryset and showed any case's history."""
    person = secrets_world.parties.first().person
    login_with_two_factors(client, staff)
    for obj in (secrets_world, person):
        info = (obj._meta.app_label, obj._meta.model_name)
        record = obj.history.order_by("-history_id").first()
        for url in (reverse("admin:%s_%s_history" % info, args=[obj.pk]),
                    reverse("admin:%s_%s_simple_history" % info, args=[obj.pk, record.history_id])):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "SECRET" not in response.content.decode()


def test_refused_before_any_lookup_missing_and_existing_ids_answer_alike(client, staff, secrets_world):
    login_with_two_factors(client, staff)
    for pk in (str(secrets_world.pk), "999999", "abc", HUGE):
        assert client.get(f"/admin/cases/case/{pk}/history/").status_code == 403
        assert client.get(f"/admin/cases/case/{pk}/history/1/").status_code == 403


def test_inactive_superuser_opens_nothing(client, secrets_world):
    root = UserFactory(username="former-root", is_staff=True, is_superuser=True, is_active=False)
    login_with_two_factors(client, root)
    response = client.get(f"/admin/cases/case/{secrets_world.pk}/history/")
    assert response.status_code in (302, 403)
    assert "SECRET-NOTE" not in response.content.decode()


def test_superuser_bad_ids_are_404_or_a_redirect_never_500(secrets_world):
    from django.test import Client

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    login_with_two_factors(client, root)
    for model, model_admin in domain_admins():
        pk, history_id = first_row(model)
        info = (model._meta.app_label, model._meta.model_name)
        for bad in ("abc", HUGE, "-1", "1.5"):
            for name, args in (("history", [bad]), ("change", [bad]), ("delete", [bad])):
                response = client.get(reverse("admin:%s_%s_%s" % (*info, name), args=args))
                assert response.status_code in (302, 403, 404), (model, name, bad, response.status_code)
            if isinstance(model_admin, SimpleHistoryAdmin):
                for args in ([bad, history_id], [pk, bad]):
                    response = client.get(reverse("admin:%s_%s_simple_history" % info, args=args))
                    assert response.status_code == 404, (model, args, response.status_code)


def test_superuser_reads_history_and_history_items(client, secrets_world):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    login_with_two_factors(client, root)
    record = secrets_world.history.order_by("-history_id").first()
    history = client.get(f"/admin/cases/case/{secrets_world.pk}/history/")
    assert history.status_code == 200 and "SECRET-NOTE" in history.content.decode()
    item = client.get(f"/admin/cases/case/{secrets_world.pk}/history/{record.history_id}/")
    assert item.status_code == 200 and "SECRET-NOTE" in item.content.decode()


def test_staff_cannot_list_or_mint_api_tokens(client, staff):
    """knox's own admin lets anyone with "add auth token" mint a token for any account, a superuser's included."""
    from knox.models import AuthToken

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    AuthToken.objects.create(user=root)
    login_with_two_factors(client, staff)
    assert client.get(reverse("admin:knox_authtoken_changelist")).status_code == 403
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403
    response = client.post(reverse("admin:knox_authtoken_add"), {"user": root.pk, "expiry_0": "", "expiry_1": ""})
    assert response.status_code == 403
    assert AuthToken.objects.filter(user=root).count() == 1
    login_with_two_factors(client, root)
    assert client.get(reverse("admin:knox_authtoken_changelist")).status_code == 200
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403  # tokens come from signing in
