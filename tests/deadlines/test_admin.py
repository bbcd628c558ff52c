"""Superusers add rules in the admin without code. Other staff, even with the deadline permissions and a role on the
case, open no deadline screen in the admin (it is for superusers only, see tests/test_admin.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from deadlines import services
from deadlines.models import DeadlineRule
from tests.conftest import login_with_two_factors
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(cast):
    cast.lawyer.is_staff = True
    cast.lawyer.save()
    cast.lawyer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="deadlines", codename__in=["add_deadlinerule", "change_deadlinerule",
                                                           "view_deadlinerule", "view_deadline"]))
    return cast.lawyer


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_superuser_adds_a_rule_and_the_api_uses_it(root, client, api, cast):
    login_with_two_factors(client, root)
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "ru-cpc-objections", "name": "Objections to the minutes", "jurisdiction": "ru",
        "unit": "working_days", "amount": "5", "start": "next_day", "roll_forward": "on",
        "legal_basis": "CPC RF art. 231", "counting_basis": "CPC RF art. 107(3)", "description": "Five days.",
        "active": "on",
    })
    assert r.status_code == 302, r.content[:2000]
    rule = DeadlineRule.objects.get(code="ru-cpc-objections")
    assert rule.jurisdiction == "RU" and rule.history.first().history_user == root
    assert "ru-cpc-objections" in {x["code"] for x in api(cast.observer).get("/api/v1/deadline-rules/").json()}
    r = api(cast.observer).post("/api/v1/deadline-rules/preview/", {"rule": "ru-cpc-objections",
                                                                   "trigger_date": "2025-04-30"}, format="json")
    # 1 May holiday, 2 May off, 3-4 weekend: 5, 6, 7 May, 8-11 off, 12, 13 May
    assert r.json()["due_date"] == "2025-05-13"


def test_staff_without_superuser_status_cannot_add_or_change_rules(staff, client):
    login_with_two_factors(client, staff)
    rule = DeadlineRule.objects.get(code="ru-cpc-appeal")
    before = rule.amount
    assert client.get("/admin/deadlines/deadlinerule/").status_code == 403
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "ru-staff-rule", "name": "x", "jurisdiction": "RU", "unit": "months", "amount": "1",
        "start": "next_day", "legal_basis": "x"})
    assert r.status_code == 403 and not DeadlineRule.objects.filter(code="ru-staff-rule").exists()
    r = client.post(f"/admin/deadlines/deadlinerule/{rule.pk}/change/", {"amount": "12"})
    assert r.status_code == 403
    rule.refresh_from_db()
    assert rule.amount == before


def test_admin_refuses_an_impossible_rule(root, client):
    login_with_two_factors(client, root)
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "Bad Code", "name": "x", "jurisdiction": "RU", "unit": "months", "amount": "0",
        "start": "next_day", "legal_basis": "x"})
    assert r.status_code == 200 and not DeadlineRule.objects.filter(name="x").exists()
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "zz-rule", "name": "x", "jurisdiction": "ZZ", "unit": "months", "amount": "1",
        "start": "next_day", "legal_basis": "x"})
    assert r.status_code == 200 and not DeadlineRule.objects.filter(code="zz-rule").exists()


def test_deadline_admin_is_for_superusers_only(staff, root, client, cast):
    mine = services.deadline_create(user=cast.lead, case=cast.case, title="Visible one", due_date=dt.date(2025, 1, 1))
    other = CaseFactory(lead=UserFactory())
    hidden = services.deadline_create(user=other.created_by, case=other, title="Hidden one",
                                      due_date=dt.date(2025, 1, 1))
    login_with_two_factors(client, staff)  # a lawyer of the case, with the deadline permissions
    assert client.get("/admin/deadlines/deadline/").status_code == 403
    for deadline in (mine, hidden):
        for page in ("change", "history"):
            r = client.get(f"/admin/deadlines/deadline/{deadline.pk}/{page}/")
            assert r.status_code == 403 and deadline.title not in r.content.decode()
    login_with_two_factors(client, root)
    body = client.get("/admin/deadlines/deadline/").content.decode()
    assert "Visible one" in body and "Hidden one" in body
