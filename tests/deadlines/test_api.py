"""The Deadlines section of API.md: fields, computed dates, filters, bad input, and who may do what."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import services
from deadlines.models import Deadline
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

BUILTIN = {"ru-cpc-appeal", "ru-cas-appeal", "ru-cas-claim", "ru-cpc-cassation", "ru-cas-private-complaint",
           "echr-application"}


def make(cast, **kw) -> Deadline:
    kw.setdefault("title", "Appeal")
    return services.deadline_create(user=cast.lead, case=cast.case, **kw)


def test_rules_list_is_a_plain_list_with_the_builtins(cast, api):
    r = api(cast.observer).get("/api/v1/deadline-rules/")
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body, list)
    assert BUILTIN <= {row["code"] for row in body}
    for row in body:
        assert {"code", "name", "jurisdiction", "description"} <= set(row)
    echr = next(row for row in body if row["code"] == "echr-application")
    assert echr["jurisdiction"] == "ECHR" and echr["roll_forward"] is False and echr["unit"] == "months"


def test_rules_need_authentication(db, api):
    assert api().get("/api/v1/deadline-rules/").status_code == 401
    assert api().get("/api/v1/deadlines/").status_code == 401


def test_create_with_rule_computes_the_due_date(cast, api):
    r = api(cast.lawyer).post("/api/v1/deadlines/", {
        "case": cast.case.pk, "title": "Appeal against the decision", "rule": "ru-cpc-appeal",
        "trigger_date": "2024-11-29", "kind": "appeal", "responsible": "lawyer",
    }, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["due_date"] == "2025-01-09"
    assert body["rule"] == "ru-cpc-appeal" and body["trigger_date"] == "2024-11-29" and body["status"] == "open"
    assert body["case"] == cast.case.pk and body["kind"] == "appeal" and body["responsible"] == "lawyer"
    steps = [s["step"] for s in body["explanation"]]
    assert steps[0] == "trigger" and "roll_forward" in steps and steps[-1] == "due"
    assert {"id", "case", "title", "due_date", "rule", "trigger_date", "status"} <= set(body)
    d = Deadline.objects.get(pk=body["id"])
    assert d.due_date.isoformat() == "2025-01-09" and d.history.first().history_user == cast.lawyer


def test_a_given_due_date_is_kept(cast, api):
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "Hearing",
                                                    "due_date": "2025-01-04", "kind": "hearing"}, format="json")
    assert r.status_code == 201
    assert r.json()["due_date"] == "2025-01-04" and r.json()["rule"] is None
    assert r.json()["explanation"][0]["step"] == "manual"


def test_a_due_date_contradicting_the_rule_is_refused(cast, api):
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "x", "rule": "ru-cpc-appeal",
                                                    "trigger_date": "2025-03-14", "due_date": "2025-04-20"},
                            format="json")
    assert r.status_code == 400 and "due_date" in r.json()["errors"]
    assert not Deadline.objects.exists()


@pytest.mark.parametrize("payload, field", [
    ({"title": "x"}, "due_date"),  # neither a due date nor a rule
    ({"title": "x", "rule": "nope", "trigger_date": "2025-01-01"}, "rule"),
    ({"title": "x", "rule": "ru-cpc-appeal", "trigger_date": "2025-02-30"}, "trigger_date"),
    ({"title": "x", "rule": "ru-cpc-appeal"}, "trigger_date"),
    ({"title": "x", "trigger_date": "2025-01-01"}, "rule"),
    ({"title": "x", "due_date": "garbage"}, "due_date"),
    ({"title": "x", "due_date": "2025-13-01"}, "due_date"),
    ({"title": "", "due_date": "2025-01-01"}, "title"),
    ({"due_date": "2025-01-01"}, "title"),
    ({"title": "x", "due_date": "2025-01-01", "status": "lost"}, "status"),
    ({"title": "x", "due_date": "2025-01-01", "kind": "party"}, "kind"),
    ({"title": "x", "rule": "ru-cpc-appeal", "trigger_date": "1800-01-01"}, "trigger_date"),
    ({"title": "x", "rule": ["ru-cpc-appeal"], "trigger_date": "2025-01-01"}, "rule"),
    ({"title": "x", "due_date": "2025-01-01", "responsible": "outsider"}, "responsible"),
    ({"title": "x", "due_date": "2025-01-01", "responsible": "nobody-at-all"}, "responsible"),
    ({"title": "x", "due_date": "2025-01-01", "proceeding": 99999999}, "proceeding"),
    ({"title": "x", "due_date": "2025-01-01", "due_time": "25:00"}, "due_time"),
])
def test_bad_input_is_a_400_and_writes_nothing(cast, api, payload, field):
    before = Deadline.history.count()
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": cast.case.pk, **payload}, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"], r.json()
    assert r.json()["detail"]
    assert not Deadline.objects.exists() and Deadline.history.count() == before


@pytest.mark.parametrize("case", [None, "abc", -1, 2**70, 999999])
def test_bad_or_missing_case_is_a_400(cast, api, case):
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": case, "title": "x", "due_date": "2025-01-01"},
                            format="json")
    assert r.status_code == 400 and "case" in r.json()["errors"]


def test_malformed_body_is_a_400(cast, api):
    r = api(cast.lead).post("/api/v1/deadlines/", "{not json", content_type="application/json")
    assert r.status_code == 400
    r = api(cast.lead).post("/api/v1/deadlines/", [1, 2], format="json")
    assert r.status_code == 400


def test_proceeding_of_another_case_is_refused(cast, api):
    from cases import services as case_services

    other = CaseFactory(lead=cast.lead)
    proceeding = case_services.proceeding_create(user=cast.lead, case=other, stage="first_instance")
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "x", "due_date": "2025-01-01",
                                                    "proceeding": proceeding.pk}, format="json")
    assert r.status_code == 400 and "proceeding" in r.json()["errors"]
    mine = case_services.proceeding_create(user=cast.lead, case=cast.case, stage="appeal")
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "x", "due_date": "2025-01-01",
                                                    "proceeding": mine.pk}, format="json")
    assert r.status_code == 201 and r.json()["proceeding"] == mine.pk


def test_outsider_cannot_create_and_learns_nothing(cast, api):
    """Same answer for a case that exists and one that does not."""
    client = api(cast.outsider)
    real = client.post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "x", "due_date": "2025-01-01"},
                       format="json")
    missing = client.post("/api/v1/deadlines/", {"case": 987654, "title": "x", "due_date": "2025-01-01"},
                          format="json")
    assert real.status_code == missing.status_code == 400
    assert real.json() == missing.json()
    assert not Deadline.objects.exists()


@pytest.mark.parametrize("role", ["researcher", "observer"])
def test_members_who_may_not_edit_get_403(cast, api, role):
    r = api(getattr(cast, role)).post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "x",
                                                              "due_date": "2025-01-01"}, format="json")
    assert r.status_code == 403
    assert not Deadline.objects.exists()


def test_outsider_gets_404_for_read_patch_delete(cast, api):
    d = make(cast, due_date="2025-05-05")
    client = api(cast.outsider)
    for method in ("get", "patch", "delete"):
        r = getattr(client, method)(f"/api/v1/deadlines/{d.pk}/", {"title": "hacked"}, format="json")
        assert r.status_code == 404, method
    assert client.get(f"/api/v1/deadlines/{d.pk}/history/").status_code == 404
    assert client.get("/api/v1/deadlines/").json()["count"] == 0
    d.refresh_from_db()
    assert d.title == "Appeal" and d.history.count() == 1


def test_observer_reads_but_cannot_change(cast, api):
    d = make(cast, due_date="2025-05-05")
    client = api(cast.observer)
    r = client.get(f"/api/v1/deadlines/{d.pk}/")
    assert r.status_code == 200 and r.json()["can_edit"] is False
    assert client.patch(f"/api/v1/deadlines/{d.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/deadlines/{d.pk}/").status_code == 403
    assert Deadline.objects.filter(pk=d.pk, title="Appeal").exists()


def test_patch_trigger_recomputes_and_history_keeps_both(cast, api):
    d = make(cast, rule="ru-cpc-appeal", trigger_date="2025-03-14")
    assert d.due_date.isoformat() == "2025-04-14"
    r = api(cast.lawyer).patch(f"/api/v1/deadlines/{d.pk}/", {"trigger_date": "2025-04-02"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["due_date"] == "2025-05-05"
    dues = [h.due_date.isoformat() for h in d.history.order_by("history_date")]
    assert dues == ["2025-04-14", "2025-05-05"]
    history = api(cast.observer).get(f"/api/v1/deadlines/{d.pk}/history/").json()
    change = history[0]
    assert change["user"] == "lawyer" and change["action"] == "changed"
    fields = {c["field"]: c for c in change["changes"]}
    assert (fields["due_date"]["old"], fields["due_date"]["new"]) == ("2025-04-14", "2025-05-05")
    assert (fields["trigger_date"]["old"], fields["trigger_date"]["new"]) == ("2025-03-14", "2025-04-02")
    old_steps, new_steps = fields["explanation"]["old"], fields["explanation"]["new"]
    assert old_steps[-1]["date"] == "2025-04-14" and new_steps[-1]["date"] == "2025-05-05"
    assert history[-1]["action"] == "created" and history[-1]["user"] == "lead"


def test_history_names_people_and_rules(cast, api):
    d = make(cast, due_date="2025-05-05")
    r = api(cast.lead).patch(f"/api/v1/deadlines/{d.pk}/", {"responsible": "lawyer", "rule": "ru-cpc-appeal",
                                                            "trigger_date": "2025-03-14"}, format="json")
    assert r.status_code == 200
    change = {c["field"]: c for c in api(cast.lead).get(f"/api/v1/deadlines/{d.pk}/history/").json()[0]["changes"]}
    assert change["responsible"]["new"] == "lawyer" and change["rule"]["new"] == "ru-cpc-appeal"
    assert change["due_date"] == {"field": "due_date", "label": "due date", "old": "2025-05-05", "new": "2025-04-14"}


def test_patch_rule_change_recomputes(cast, api):
    d = make(cast, rule="ru-cpc-appeal", trigger_date="2025-03-14")
    r = api(cast.lead).patch(f"/api/v1/deadlines/{d.pk}/", {"rule": "ru-cas-claim"}, format="json")
    assert r.status_code == 200 and r.json()["due_date"] == "2025-06-16"  # 14 Jun Saturday -> 16 Jun Monday


def test_patch_due_date_of_a_computed_deadline_needs_the_rule_cleared(cast, api):
    d = make(cast, rule="ru-cpc-appeal", trigger_date="2025-03-14")
    client = api(cast.lead)
    r = client.patch(f"/api/v1/deadlines/{d.pk}/", {"due_date": "2025-04-20"}, format="json")
    assert r.status_code == 400
    d.refresh_from_db()
    assert d.due_date.isoformat() == "2025-04-14" and d.history.count() == 1
    r = client.patch(f"/api/v1/deadlines/{d.pk}/", {"due_date": "2025-04-20", "rule": None}, format="json")
    assert r.status_code == 200
    assert r.json()["due_date"] == "2025-04-20" and r.json()["rule"] is None and r.json()["trigger_date"] is None
    # patching the title does not touch a computed date
    d2 = make(cast, rule="ru-cpc-appeal", trigger_date="2025-03-14")
    r = client.patch(f"/api/v1/deadlines/{d2.pk}/", {"title": "Renamed", "due_date": "2025-04-14"}, format="json")
    assert r.status_code == 200 and r.json()["due_date"] == "2025-04-14"


@pytest.mark.parametrize("payload", [
    {"rule": "nope"}, {"trigger_date": "2025-02-30"}, {"status": "lost"}, {"due_date": "x"},
    {"case": 12345}, {"title": ""}, {"responsible": "outsider"}, {"id": 5, "explanation": []},
])
def test_bad_patch_is_a_400_and_changes_nothing(cast, api, payload):
    d = make(cast, rule="ru-cpc-appeal", trigger_date="2025-03-14")
    r = api(cast.lead).patch(f"/api/v1/deadlines/{d.pk}/", payload, format="json")
    if set(payload) <= {"id", "explanation"}:
        assert r.status_code == 200  # read-only fields are ignored
    else:
        assert r.status_code == 400, r.content
    d.refresh_from_db()
    assert d.due_date.isoformat() == "2025-04-14" and d.history.count() == 1


def test_status_done_records_who_and_when(cast, api):
    d = make(cast, due_date="2025-05-05")
    r = api(cast.lawyer).patch(f"/api/v1/deadlines/{d.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 200
    assert r.json()["completed_by"] == "lawyer" and r.json()["completed_at"]
    r = api(cast.lawyer).patch(f"/api/v1/deadlines/{d.pk}/", {"status": "open"}, format="json")
    assert r.json()["completed_by"] is None


def test_delete(cast, api):
    d = make(cast, due_date="2025-05-05")
    assert api(cast.lawyer).delete(f"/api/v1/deadlines/{d.pk}/").status_code == 204
    assert not Deadline.objects.filter(pk=d.pk).exists()
    assert d.history.first().history_type == "-" and d.history.first().history_user == cast.lawyer


def test_list_filters(cast, api):
    other = CaseFactory(lead=cast.lead)
    a = make(cast, due_date="2025-05-05")
    b = services.deadline_create(user=cast.lead, case=other, title="b", due_date="2025-05-06")
    services.deadline_update(user=cast.lead, deadline=b, data={"status": "done"})
    client = api(cast.lead)
    assert [x["id"] for x in client.get("/api/v1/deadlines/").json()["results"]] == [a.pk, b.pk]
    assert [x["id"] for x in client.get(f"/api/v1/deadlines/?case={cast.case.pk}").json()["results"]] == [a.pk]
    assert [x["id"] for x in client.get("/api/v1/deadlines/?status=done").json()["results"]] == [b.pk]
    assert client.get("/api/v1/deadlines/?status=lost").status_code == 400
    assert client.get("/api/v1/deadlines/?case=abc").status_code == 400
    assert client.get(f"/api/v1/deadlines/?case={2**70}").status_code == 400
    # the lawyer is not on the other case
    assert [x["id"] for x in api(cast.lawyer).get("/api/v1/deadlines/").json()["results"]] == [a.pk]


def test_trashed_case_hides_its_deadlines(cast, api):
    from cases import services as case_services

    d = make(cast, due_date="2025-05-05")
    case_services.case_trash(user=cast.lead, case=cast.case)
    assert api(cast.lead).get(f"/api/v1/deadlines/{d.pk}/").status_code == 404
    assert api(cast.lead).get("/api/v1/deadlines/").json()["count"] == 0


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_is_constant(cast, api, n, django_assert_max_num_queries):
    other = CaseFactory(lead=cast.lead)
    for i in range(n):
        services.deadline_create(user=cast.lead, case=cast.case if i % 2 else other, title=f"d{i}",
                                 rule="ru-cpc-appeal", trigger_date="2025-03-14", responsible=cast.lead)
    client = api(cast.lawyer)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/deadlines/?page_size=100")
    assert r.status_code == 200 and r.json()["count"] == (n // 2)
    assert len(ctx.captured_queries) <= 6, [q["sql"] for q in ctx.captured_queries]


def test_list_query_count_same_at_5_and_50(cast, api):
    counts = {}
    for n in (5, 50):
        have = Deadline.objects.count()
        for i in range(have, n):
            services.deadline_create(user=cast.lead, case=cast.case, title=f"d{i}", rule="ru-cpc-appeal",
                                     trigger_date="2025-03-14", responsible=cast.lawyer)
        with CaptureQueriesContext(connection) as ctx:
            r = api(cast.observer).get("/api/v1/deadlines/?page_size=100")
        assert r.json()["count"] == n
        counts[n] = len(ctx.captured_queries)
    assert counts[5] == counts[50], counts


def test_preview(cast, api):
    client = api(cast.observer)
    r = client.post("/api/v1/deadline-rules/preview/", {"rule": "ru-cas-private-complaint",
                                                       "trigger_date": "2025-10-24"}, format="json")
    assert r.status_code == 200
    assert r.json()["due_date"] == "2025-11-17" and r.json()["explanation"][-1]["step"] == "due"
    r = client.get("/api/v1/deadline-rules/preview/", {"rule": "echr-application", "trigger_date": "2025-01-31"})
    assert r.status_code == 200 and r.json()["due_date"] == "2025-05-31"
    for bad in ({"rule": "nope", "trigger_date": "2025-01-01"}, {"rule": "ru-cpc-appeal", "trigger_date": "2025-02-30"},
                {"rule": "ru-cpc-appeal"}, {}, {"rule": "ru-cpc-appeal", "trigger_date": "9999-01-01"}):
        assert client.post("/api/v1/deadline-rules/preview/", bad, format="json").status_code == 400, bad
    assert api().post("/api/v1/deadline-rules/preview/", {}, format="json").status_code == 401


def test_inactive_rule_is_unknown_for_new_deadlines(cast, api):
    from deadlines.models import DeadlineRule

    DeadlineRule.objects.filter(code="ru-cas-claim").update(active=False)
    r = api(cast.lead).post("/api/v1/deadlines/", {"case": cast.case.pk, "title": "x", "rule": "ru-cas-claim",
                                                    "trigger_date": "2025-01-01"}, format="json")
    assert r.status_code == 400
    assert "ru-cas-claim" not in {x["code"] for x in api(cast.lead).get("/api/v1/deadline-rules/").json()}


def test_a_retired_rule_stays_on_its_deadlines(cast, api):
    from deadlines.models import DeadlineRule

    d = make(cast, rule="ru-cas-claim", trigger_date="2025-03-14")
    DeadlineRule.objects.filter(code="ru-cas-claim").update(active=False)
    client = api(cast.lead)
    r = client.patch(f"/api/v1/deadlines/{d.pk}/", {"title": "Renamed", "rule": "ru-cas-claim"}, format="json")
    assert r.status_code == 200 and r.json()["rule"] == "ru-cas-claim"
    r = client.patch(f"/api/v1/deadlines/{d.pk}/", {"rule": "ru-cpc-appeal"}, format="json")
    assert r.status_code == 200 and r.json()["due_date"] == "2025-04-14"
    r = client.patch(f"/api/v1/deadlines/{d.pk}/", {"rule": "ru-cas-claim"}, format="json")
    assert r.status_code == 400  # once changed away, a retired rule cannot be chosen again


def test_responsible_who_left_the_case_does_not_block_changes(cast, api):
    from cases import services as case_services

    d = make(cast, due_date="2025-05-05", responsible=cast.lawyer)
    case_services.member_remove(actor=cast.lead, case=cast.case, user=cast.lawyer)
    r = api(cast.lead).patch(f"/api/v1/deadlines/{d.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 200
    r = api(cast.lead).patch(f"/api/v1/deadlines/{d.pk}/", {"responsible": None}, format="json")
    assert r.status_code == 200 and r.json()["responsible"] is None
    r = api(cast.lead).patch(f"/api/v1/deadlines/{d.pk}/", {"responsible": "lawyer"}, format="json")
    assert r.status_code == 400  # but cannot be made responsible again
