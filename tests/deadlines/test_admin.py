"""Staff add rules in the admin without code; the deadline admin shows only what the permission path allows."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from deadlines import services
from deadlines.models import DeadlineRule
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


def test_staff_adds_a_rule_and_the_api_uses_it(staff, client, api, cast):
    client.force_login(staff)
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "ru-cpc-objections", "name": "Objections to the minutes", "jurisdiction": "ru",
        "unit": "working_days", "amount": "5", "start": "next_day", "roll_forward": "on",
        "legal_basis": "CPC RF art. 231", "counting_basis": "CPC RF art. 107(3)", "description": "Five days.",
        "active": "on",
    })
    assert r.status_code == 302, r.content[:2000]
    rule = DeadlineRule.objects.get(code="ru-cpc-objections")
    assert rule.jurisdiction == "RU" and rule.history.first().history_user == staff
    assert "ru-cpc-objections" in {x["code"] for x in api(cast.observer).get("/api/v1/deadline-rules/").json()}
    r = api(cast.observer).post("/api/v1/deadline-rules/preview/", {"rule": "ru-cpc-objections",
                                                                   "trigger_date": "2025-04-30"}, format="json")
    # 1 May holiday, 2 May off, 3-4 weekend: 5, 6, 7 May, 8-11 off, 12, 13 May
    assert r.json()["due_date"] == "2025-05-13"


def test_admin_refuses_an_impossible_rule(staff, client):
    client.force_login(staff)
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "Bad Code", "name": "x", "jurisdiction": "RU", "unit": "months", "amount": "0",
        "start": "next_day", "legal_basis": "x"})
    assert r.status_code == 200 and not DeadlineRule.objects.filter(name="x").exists()
    r = client.post("/admin/deadlines/deadlinerule/add/", {
        "code": "zz-rule", "name": "x", "jurisdiction": "ZZ", "unit": "months", "amount": "1",
        "start": "next_day", "legal_basis": "x"})
    assert r.status_code == 200 and not DeadlineRule.objects.filter(code="zz-rule").exists()


def test_deadline_admin_is_filtered_through_the_permission_path(staff, client, cast):
    mine = services.deadline_create(user=cast.lead, case=cast.case, title="Visible one", due_date=dt.date(2025, 1, 1))
    other = CaseFactory(lead=UserFactory())
    hidden = services.deadline_create(user=other.created_by, case=other, title="Hidden one",
                                      due_date=dt.date(2025, 1, 1))
    client.force_login(staff)
    r = client.get("/admin/deadlines/deadline/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Visible one" in body and "Hidden one" not in body
    assert client.get(f"/admin/deadlines/deadline/{mine.pk}/change/").status_code == 200
    r = client.get(f"/admin/deadlines/deadline/{hidden.pk}/change/", follow=True)
    assert "Hidden one" not in r.content.decode()
