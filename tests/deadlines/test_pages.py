"""The deadline pages: upcoming, month, detail with explanation and history, the form, calendar settings, includes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from deadlines import selectors, services
from deadlines.models import Deadline, ReminderPreference
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def mk(cast, title, days, **kw) -> Deadline:
    return services.deadline_create(user=cast.lead, case=cast.case, title=title,
                                    due_date=today() + dt.timedelta(days=days), **kw)


def test_upcoming_sections(cast, client):
    mk(cast, "Overdue one", -2)
    mk(cast, "This week one", 3)
    mk(cast, "Later one", 20)
    mk(cast, "Far one", 90)
    client.force_login(cast.observer)
    r = client.get(reverse("deadline-upcoming"))
    assert r.status_code == 200
    agenda = r.context["agenda"]
    assert [d.title for d in agenda.overdue] == ["Overdue one"]
    assert [d.title for d in agenda.this_week] == ["This week one"]
    assert [d.title for d in agenda.next_30_days] == ["Later one"]
    assert "Far one" not in r.content.decode()


def test_upcoming_hides_other_cases(cast, client):
    other = CaseFactory()
    services.deadline_create(user=other.created_by, case=other, title="Secret", due_date=today())
    client.force_login(cast.lawyer)
    assert "Secret" not in client.get(reverse("deadline-upcoming")).content.decode()


def test_anonymous_is_sent_to_login(db, client):
    r = client.get(reverse("deadline-upcoming"))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_month_view(cast, client):
    services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", rule="ru-cpc-appeal",
                             trigger_date=dt.date(2024, 11, 29))
    client.force_login(cast.observer)
    r = client.get(reverse("deadline-month", args=["2025", "01"]))
    assert r.status_code == 200
    weeks = r.context["weeks"]
    day9 = next(day for week in weeks for day in week if day.date == dt.date(2025, 1, 9))
    assert [d.title for d in day9.deadlines] == ["Appeal"]
    day3 = next(day for week in weeks for day in week if day.date == dt.date(2025, 1, 3))
    assert day3.non_working
    assert 'class=" non-working"' in r.content.decode() or "non-working" in r.content.decode()
    assert client.get("/deadlines/month/2025/13/").status_code == 404
    assert client.get("/deadlines/month/1800/01/").status_code == 404


def test_detail_shows_explanation_and_history(cast, client):
    d = services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", rule="ru-cpc-appeal",
                                 trigger_date=dt.date(2024, 11, 29))
    services.deadline_update(user=cast.lawyer, deadline=d, data={"trigger_date": dt.date(2024, 12, 2)})
    client.force_login(cast.observer)
    r = client.get(reverse("deadline-detail", args=[d.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "New Year Holidays" in body or "Новогодние" in body
    assert "108" in body  # the counting provision
    assert len(r.context["history"]) == 2
    assert "Mark as done" not in body  # the observer may not edit


def test_detail_outsider_404(cast, client):
    d = mk(cast, "Appeal", 5)
    client.force_login(cast.outsider)
    assert client.get(reverse("deadline-detail", args=[d.pk])).status_code == 404
    assert client.get(reverse("deadline-edit", args=[d.pk])).status_code == 404
    assert client.post(reverse("deadline-complete", args=[d.pk])).status_code == 404
    assert client.post(reverse("deadline-delete", args=[d.pk])).status_code == 404
    assert client.get(reverse("deadline-create") + f"?case={cast.case.pk}").status_code == 404
    assert Deadline.objects.filter(pk=d.pk, status="open").exists()


def test_observer_cannot_edit_pages(cast, client):
    d = mk(cast, "Appeal", 5)
    client.force_login(cast.observer)
    assert client.get(reverse("deadline-edit", args=[d.pk])).status_code == 403
    assert client.post(reverse("deadline-complete", args=[d.pk])).status_code == 403
    assert client.get(reverse("deadline-create") + f"?case={cast.case.pk}").status_code == 403


def test_create_form_computes_on_the_server(cast, client):
    client.force_login(cast.lawyer)
    url = reverse("deadline-create") + f"?case={cast.case.pk}"
    r = client.get(url)
    assert r.status_code == 200 and r.context["form"].initial["case"] == cast.case.pk
    r = client.post(url, {"case": cast.case.pk, "title": "Private complaint", "kind": "response",
                          "rule": "ru-cas-private-complaint", "trigger_date": "2025-10-24",
                          "due_date": "2020-01-01", "status": "open", "responsible": "researcher"})
    assert r.status_code == 302, r.context["form"].errors
    d = Deadline.objects.get()
    assert d.due_date == dt.date(2025, 11, 17) and d.responsible == cast.researcher
    assert r["Location"] == d.get_absolute_url()


def test_create_form_errors(cast, client):
    client.force_login(cast.lawyer)
    url = reverse("deadline-create")
    r = client.post(url, {"case": cast.case.pk, "title": "x", "kind": "other", "status": "open"})
    assert r.status_code == 200 and "due_date" in r.context["form"].errors
    r = client.post(url, {"case": cast.case.pk, "title": "x", "kind": "other", "status": "open",
                          "rule": "ru-cpc-appeal", "trigger_date": "2025-02-30"})
    assert r.status_code == 200 and "trigger_date" in r.context["form"].errors
    other = CaseFactory()
    r = client.post(url, {"case": other.pk, "title": "x", "kind": "other", "status": "open",
                          "due_date": "2025-01-01"})
    assert r.status_code == 200 and "case" in r.context["form"].errors
    assert not Deadline.objects.exists()


def test_edit_form_recomputes(cast, client):
    d = services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", rule="ru-cpc-appeal",
                                 trigger_date=dt.date(2025, 3, 14))
    client.force_login(cast.lead)
    r = client.get(reverse("deadline-edit", args=[d.pk]))
    assert r.status_code == 200
    r = client.post(reverse("deadline-edit", args=[d.pk]), {
        "title": "Appeal", "kind": "appeal", "rule": "ru-cpc-appeal", "trigger_date": "2025-04-02",
        "due_date": "2025-04-14", "status": "open"})
    assert r.status_code == 302, r.context["form"].errors
    d.refresh_from_db()
    assert d.due_date == dt.date(2025, 5, 5) and d.case == cast.case


def test_complete_and_delete(cast, client):
    d = mk(cast, "Appeal", 5)
    client.force_login(cast.lawyer)
    assert client.post(reverse("deadline-complete", args=[d.pk])).status_code == 302
    d.refresh_from_db()
    assert d.status == "done" and d.completed_by == cast.lawyer
    assert client.post(reverse("deadline-delete", args=[d.pk])).status_code == 302
    assert not Deadline.objects.filter(pk=d.pk).exists()


def test_calendar_settings(cast, client):
    client.force_login(cast.lawyer)
    r = client.get(reverse("calendar-settings"))
    assert r.status_code == 200 and r.context["feed_url"] is None
    client.post(reverse("calendar-settings"), {"action": "create"})
    url1 = client.get(reverse("calendar-settings")).context["feed_url"]
    assert url1 and "/deadlines/calendar/" in url1
    client.post(reverse("calendar-settings"), {"action": "revoke"})
    url2 = client.get(reverse("calendar-settings")).context["feed_url"]
    assert url2 != url1 and client.get(url1[url1.index("/deadlines/"):]).status_code == 404
    r = client.post(reverse("calendar-settings"), {"action": "reminders", "lead_days": "10, 2", "email_enabled": "on"})
    assert r.status_code == 302
    assert ReminderPreference.objects.get(user=cast.lawyer).lead_days == [10, 2]
    r = client.post(reverse("calendar-settings"), {"action": "reminders", "lead_days": "ten"})
    assert r.status_code == 200 and r.context["form"].errors
    assert ReminderPreference.objects.get(user=cast.lawyer).lead_days == [10, 2]


def test_case_include_and_selector(cast, rf):
    d = mk(cast, "Appeal", 5)
    other = CaseFactory()
    services.deadline_create(user=other.created_by, case=other, title="Other", due_date=today())
    items = selectors.deadline_list_for_case(user=cast.observer, case=cast.case)
    assert items == [d]
    assert selectors.deadline_list_for_case(user=cast.outsider, case=cast.case) == []
    html = render_to_string("deadlines/_case_deadlines.html", {"case": cast.case, "deadlines": items,
                                                               "perms": frozenset({"edit_deadlines"})})
    assert "Appeal" in html and f"?case={cast.case.pk}" in html
    html = render_to_string("deadlines/_case_deadlines.html", {"case": cast.case, "deadlines": [],
                                                               "perms": frozenset()})
    assert "No deadlines" in html and "?case=" not in html


def test_dashboard_widget_and_selector(cast):
    mk(cast, "Soon", 3)
    mk(cast, "Late", -1)
    mk(cast, "Far", 45)
    done = mk(cast, "Done", 2)
    services.deadline_complete(user=cast.lead, deadline=done)
    items = selectors.deadlines_upcoming_for_user(user=cast.observer, days=30)
    assert [d.title for d in items] == ["Late", "Soon"]
    assert selectors.deadlines_upcoming_for_user(user=cast.outsider) == []
    html = render_to_string("deadlines/_upcoming_widget.html", {"deadlines": items})
    assert "Soon" in html and "Overdue" in html


def test_case_page_and_dashboard_show_deadlines(cast, client):
    mk(cast, "Appeal on the case page", 4)
    client.force_login(cast.lawyer)
    body = client.get(cast.case.get_absolute_url()).content.decode()
    assert "Appeal on the case page" in body and f"/deadlines/new/?case={cast.case.pk}" in body
    assert "Appeal on the case page" in client.get(reverse("dashboard")).content.decode()
    client.force_login(cast.observer)
    body = client.get(cast.case.get_absolute_url()).content.decode()
    assert "Appeal on the case page" in body and "/deadlines/new/" not in body


def _fill(cast, n):
    have = Deadline.objects.count()
    for i in range(have, n):
        services.deadline_create(user=cast.lead, case=cast.case, title=f"d{i}", rule="ru-cpc-appeal",
                                 trigger_date=today() - dt.timedelta(days=20 - i % 30), responsible=cast.lawyer)


def test_page_query_counts_do_not_grow_with_rows(cast, client, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.observer)
    feed = api(cast.observer).get("/api/v1/calendar/").json()["url"]
    feed = feed[feed.index("/deadlines/"):]
    month_url = reverse("deadline-month", args=[str(today().year), f"{today().month:02d}"])
    urls = [reverse("deadline-upcoming"), month_url, feed, cast.case.get_absolute_url()]
    counts = {}
    for n in (5, 50):
        _fill(cast, n)
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts[(url, n)] = len(ctx.captured_queries)
    for url in urls:
        assert counts[(url, 5)] == counts[(url, 50)], (url, counts)
