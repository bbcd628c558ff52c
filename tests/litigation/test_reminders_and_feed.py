"""Never miss a reply: the daily run marks unanswered requests overdue (in the history, with the reason), reminds the
leads and lawyers before the reply date and once after it (never twice), and open requests are on the calendar."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from icalendar import Calendar

from cases import services as case_services
from deadlines import services as deadline_services
from litigation.models import AuthorityRequest, RequestReminderSent
from litigation.services import request_update
from tests.factories import CaseFactory
from tests.litigation.factories import make_request

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def run(day: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return deadline_services.reminders_send(today=D(day))


@pytest.fixture
def request_152(cast):
    # received 30 Dec 2025: reply due 23 Jan 2026 (ten working days across the New Year holidays)
    return make_request(cast.lawyer, cast.case, kind="ru-152fz-access", addressee="Moscow Metro",
                        sent_on=D("2025-12-26"), received_on=D("2025-12-30"), today=D("2025-12-30"))


def test_the_daily_run_marks_an_unanswered_request_overdue_with_history(cast, request_152,
                                                                        django_capture_on_commit_callbacks):
    assert request_152.status == "sent" and request_152.reply_due == D("2026-01-23")
    assert run("2026-01-23", django_capture_on_commit_callbacks)["requests_overdue"] == 0  # due today: not yet
    stats = run("2026-01-24", django_capture_on_commit_callbacks)
    assert stats["requests_overdue"] == 1
    request_152.refresh_from_db()
    assert request_152.status == "overdue"
    last = request_152.history.first()
    assert last.status == "overdue" and last.history_user is None
    assert "daily run" in last.history_change_reason
    assert run("2026-01-25", django_capture_on_commit_callbacks)["requests_overdue"] == 0  # once


def test_answered_and_draft_requests_are_never_overdue(cast, request_152, django_capture_on_commit_callbacks):
    request_update(user=cast.lawyer, request=request_152, data={"replied_on": D("2026-01-20")},
                   today=D("2026-01-20"))
    draft = make_request(cast.lawyer, cast.case, kind="other", addressee="City hall")
    run("2026-03-01", django_capture_on_commit_callbacks)
    request_152.refresh_from_db()
    draft.refresh_from_db()
    assert request_152.status == "answered" and draft.status == "draft"


def test_reminders_go_to_leads_and_lawyers_before_and_once_after(cast, request_152,
                                                                 django_capture_on_commit_callbacks):
    run("2026-01-09", django_capture_on_commit_callbacks)  # 14 days before
    assert sorted(a for m in mail.outbox for a in m.to) == ["lawyer@example.org", "lead@example.org"]
    assert "Moscow Metro" in mail.outbox[0].body and f"/requests/{request_152.pk}/" in mail.outbox[0].body
    assert "14" in mail.outbox[0].subject
    run("2026-01-09", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2  # never the same reminder twice
    day = D("2026-01-10")
    while day <= D("2026-02-05"):
        run(day.isoformat(), django_capture_on_commit_callbacks)
        day += dt.timedelta(days=1)
    leads = sorted(RequestReminderSent.objects.filter(user=cast.lawyer).values_list("lead_days", flat=True))
    assert leads == [-1, 1, 3, 7, 14]
    overdue_mail = [m for m in mail.outbox if "overdue" in m.subject.lower()]
    assert len(overdue_mail) == 2


def test_reminder_in_a_trashed_case_is_not_sent(cast, request_152, django_capture_on_commit_callbacks):
    case_services.case_trash(user=cast.lead, case=cast.case)
    stats = run("2026-01-24", django_capture_on_commit_callbacks)
    assert stats["requests_overdue"] == 0 and stats["request_reminders"] == 0


def _feed_events(api, client, user):
    url = api(user).get("/api/v1/calendar/").json()["url"]
    r = client.get(url[url.index("/deadlines/"):])
    assert r.status_code == 200
    return {str(e["uid"]): e for e in Calendar.from_ical(r.content).walk("VEVENT")}


def test_open_requests_are_on_the_calendar_feed(cast, api, client, request_152):
    answered = make_request(cast.lawyer, cast.case, kind="ru-59fz-appeal", received_on=D("2026-02-06"),
                            replied_on=D("2026-02-20"), today=D("2026-02-21"))
    draft = make_request(cast.lawyer, cast.case, kind="ru-59fz-appeal")
    hidden = CaseFactory()
    make_request(hidden.created_by, hidden, kind="ru-59fz-appeal", received_on=D("2026-02-06"),
                 addressee="SECRET ADDRESSEE")
    events = _feed_events(api, client, cast.observer)
    uids = [uid for uid in events if uid.startswith("request-")]
    assert len(uids) == 1 and uids[0].startswith(f"request-{request_152.pk}@")
    event = events[uids[0]]
    assert event["dtstart"].dt == D("2026-01-23") and event["dtend"].dt == D("2026-01-24")
    assert "Moscow Metro" in str(event["description"]) and "ru-152fz-access" in str(event["description"])
    assert all("SECRET" not in str(e.get("description")) for e in events.values())
    assert answered.pk and draft.pk
    # permissions at read time: a member removed from the case loses the event at once
    case_services.member_remove(actor=cast.lead, case=cast.case, user=cast.observer)
    assert not [u for u in _feed_events(api, client, cast.observer) if u.startswith("request-")]


def test_an_overdue_request_stays_on_the_feed_until_answered(cast, api, client, request_152,
                                                             django_capture_on_commit_callbacks):
    run("2026-02-01", django_capture_on_commit_callbacks)
    assert AuthorityRequest.objects.get(pk=request_152.pk).status == "overdue"
    assert any(u.startswith("request-") for u in _feed_events(api, client, cast.lawyer))
    request_update(user=cast.lawyer, request=request_152, data={"replied_on": D("2026-02-02")},
                   today=D("2026-02-02"))
    assert not any(u.startswith("request-") for u in _feed_events(api, client, cast.lawyer))
