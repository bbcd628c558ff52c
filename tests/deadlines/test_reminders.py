"""Reminders: who gets them, when, never twice; past-due deadlines become missed with history."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from cases import services as case_services
from deadlines import services
from deadlines.models import Deadline, ReminderSent

pytestmark = pytest.mark.django_db(transaction=False)

D = dt.date.fromisoformat


def run(day: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_send(today=D(day))


def recipients() -> list[str]:
    return sorted(addr for m in mail.outbox for addr in m.to)


@pytest.fixture
def deadline(cast):
    return services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", due_date=D("2025-06-20"),
                                    responsible=cast.researcher)


def test_reminder_goes_to_responsible_leads_and_lawyers_only(cast, deadline, django_capture_on_commit_callbacks):
    stats = run("2025-06-06", django_capture_on_commit_callbacks)  # 14 days before
    assert stats["sent"] == 3
    assert recipients() == ["lawyer@example.org", "lead@example.org", "researcher@example.org"]
    msg = mail.outbox[0]
    assert "14" in msg.subject and "Appeal" in msg.subject
    assert "2025-06-20" in msg.body and f"/deadlines/{deadline.pk}/" in msg.body


def test_repeated_runs_send_nothing_twice(cast, deadline, django_capture_on_commit_callbacks):
    for _ in range(3):
        run("2025-06-06", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    assert ReminderSent.objects.count() == 3
    call_command("send_reminders", "--date", "2025-06-06")
    assert len(mail.outbox) == 3


def test_each_lead_time_once(cast, deadline, django_capture_on_commit_callbacks):
    """Run every day for a month: each recipient gets exactly the 14, 7, 3 and 1 day reminders."""
    day = D("2025-05-25")
    while day <= D("2025-06-20"):
        run(day.isoformat(), django_capture_on_commit_callbacks)
        day += dt.timedelta(days=1)
    leads = sorted(ReminderSent.objects.filter(user=cast.lead).values_list("lead_days", flat=True))
    assert leads == [1, 3, 7, 14]
    assert len(mail.outbox) == 12


def test_a_late_start_sends_the_nearest_lead_time_only(cast, deadline, django_capture_on_commit_callbacks):
    run("2025-06-18", django_capture_on_commit_callbacks)  # 2 days left: the 3-day reminder, not 14 and 7 too
    assert set(ReminderSent.objects.values_list("lead_days", flat=True)) == {3}
    assert "2 day" in mail.outbox[0].subject


def test_user_lead_times_and_opt_out(cast, deadline, django_capture_on_commit_callbacks):
    services.reminder_preference_set(user=cast.lawyer, lead_days=[30])
    services.reminder_preference_set(user=cast.lead, lead_days=[14, 7], email_enabled=False)
    run("2025-05-21", django_capture_on_commit_callbacks)  # 30 days before
    assert recipients() == ["lawyer@example.org"]


def test_done_deadlines_and_removed_members_get_nothing(cast, deadline, django_capture_on_commit_callbacks):
    case_services.member_remove(actor=cast.lead, case=cast.case, user=cast.researcher)
    run("2025-06-06", django_capture_on_commit_callbacks)
    assert "researcher@example.org" not in recipients()
    mail.outbox.clear()
    services.deadline_complete(user=cast.lead, deadline=deadline)
    run("2025-06-13", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_past_due_becomes_missed_with_history_and_one_notice(cast, deadline, django_capture_on_commit_callbacks):
    stats = run("2025-06-21", django_capture_on_commit_callbacks)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MISSED and stats["missed"] == 1
    last = deadline.history.first()
    assert last.status == "missed" and last.history_change_reason == "past its due date"
    assert all("Missed" in m.subject for m in mail.outbox) and len(mail.outbox) == 3
    run("2025-06-22", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3 and deadline.history.count() == 2


def test_due_today_is_not_missed(cast, deadline, django_capture_on_commit_callbacks):
    run("2025-06-20", django_capture_on_commit_callbacks)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN


def test_moved_due_date_is_reminded_again(cast, deadline, django_capture_on_commit_callbacks):
    run("2025-06-19", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    services.deadline_update(user=cast.lead, deadline=deadline, data={"due_date": D("2025-06-27")})
    run("2025-06-26", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 6


def test_task_runs_the_same_service(cast, deadline, django_capture_on_commit_callbacks):
    from deadlines.tasks import send_reminders_task

    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders_task.enqueue("2025-06-06")
    assert result.return_value == {"missed": 0, "sent": 3, "requests_overdue": 0, "request_reminders": 0}
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders_task.enqueue("2025-06-06")
    assert len(mail.outbox) == 3


def test_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "2025-02-30")


def test_preference_api(cast, api):
    client = api(cast.lawyer)
    assert client.get("/api/v1/deadline-reminders/").json() == {"lead_days": [14, 7, 3, 1], "email_enabled": True}
    r = client.put("/api/v1/deadline-reminders/", {"lead_days": [1, 30, 30], "email_enabled": False}, format="json")
    assert r.status_code == 200 and r.json() == {"lead_days": [30, 1], "email_enabled": False}
    for bad in ({"lead_days": [-1]}, {"lead_days": "14"}, {"lead_days": list(range(11))}, {"lead_days": [400]}, {}):
        assert client.put("/api/v1/deadline-reminders/", bad, format="json").status_code == 400, bad
    assert client.get("/api/v1/deadline-reminders/").json()["lead_days"] == [30, 1]
    assert api().get("/api/v1/deadline-reminders/").status_code == 401
