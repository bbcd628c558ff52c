"""Each request rule on real dates: Russian holidays and the Government's transfers (2025-2026 production
calendars), GDPR month ends (31 January + one month), the addressee's extension, the Member State's calendar.

The rules are the seeded DeadlineRule rows (migration 0002_request_rules), computed by deadlines.engine — the same
engine and calendars as court deadlines — through the request service."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.engine import add_months, calendar_for
from deadlines.models import DeadlineRule
from litigation import rules
from litigation.services import request_compute, request_create, request_update

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def due(code: str, received: str, jurisdiction: str = "") -> dt.date:
    return request_compute(rule=DeadlineRule.objects.get(code=code), received_on=D(received),
                           jurisdiction=jurisdiction).due_date


@pytest.mark.parametrize(("code", "received", "expected", "why"), [
    # 152-FZ art. 20(1): ten working days. 31 Dec 2025 is a day off (transferred from 5 Jan), 1-8 Jan holidays,
    # 9 Jan transferred from 3 Jan, 10-11 Jan a weekend: the first working day counted is 12 January.
    ("ru-152fz-access", "2025-12-30", "2026-01-23", "New Year holidays and transfers"),
    ("ru-152fz-access-extended", "2025-12-30", "2026-01-30", "plus five working days"),
    # 8 March 2026 is a Sunday: the day off moves to Monday 9 March.
    ("ru-152fz-access", "2026-03-02", "2026-03-17", "8 March moved to 9 March"),
    # 4 November 2026 (Unity Day) is a Wednesday.
    ("ru-152fz-access", "2026-10-28", "2026-11-12", "4 November"),
    ("ru-152fz-access", "2025-10-24", "2025-11-10", "1 November 2025, a working Saturday, counts"),
    # 59-FZ art. 12(1): 30 calendar days from registration; an end on a non-working day moves on.
    ("ru-59fz-appeal", "2026-02-06", "2026-03-10", "ends on Sunday 8 March, 9 March off: Tuesday 10th"),
    ("ru-59fz-appeal", "2025-12-05", "2026-01-12", "ends on 4 January, in the New Year holidays"),
    ("ru-59fz-appeal", "2026-03-02", "2026-04-01", "an ordinary working day"),
    ("ru-59fz-appeal-extended", "2026-02-06", "2026-04-07", "30 + 30 days"),
    # 8-FZ art. 18: thirty days from registration, postponed by at most fifteen.
    ("ru-8fz-information", "2026-10-05", "2026-11-05", "ends on 4 November"),
    ("ru-8fz-information-extended", "2026-10-05", "2026-11-19", "30 + 15 days"),
    ("ru-8fz-information", "2025-12-20", "2026-01-19", "ends on Monday 19 January"),
    # GDPR art. 12(3) with Regulation 1182/71 art. 3: one month; no such day → the month's last day.
    ("gdpr-access", "2025-01-31", "2025-02-28", "31 January + one month = 28 February"),
    ("gdpr-access", "2024-01-31", "2024-02-29", "a leap year: 29 February"),
    ("gdpr-access", "2026-01-31", "2026-03-02", "28 February 2026 is a Saturday: next working day"),
    ("gdpr-access", "2025-03-15", "2025-04-15", "the same date of the next month"),
    ("gdpr-access-extended", "2025-01-31", "2025-04-30", "one month + two further months"),
    ("gdpr-access-extended", "2023-11-30", "2024-02-29", "three months from 30 November, leap year"),
    # GDPR art. 78(2): three months for the authority to inform the complainant.
    ("dpa-complaint", "2025-11-30", "2026-03-02", "30 February does not exist; 28 February is a Saturday"),
])
def test_rule_dates(code, received, expected, why):
    assert due(code, received) == D(expected), why


def test_member_state_calendar_moves_a_gdpr_end_off_its_public_holidays():
    # One month from 25 November 2025 ends on Thursday 25 December: Christmas in Germany (and 26th too).
    assert due("gdpr-access", "2025-11-25") == D("2025-12-25")  # EU default: weekends only
    assert due("gdpr-access", "2025-11-25", jurisdiction="DE") == D("2025-12-29")


def test_eu_rule_without_a_member_state_says_which_holidays_it_ignored():
    result = request_compute(rule=DeadlineRule.objects.get(code="gdpr-access"), received_on=D("2025-03-15"))
    assert result.warnings and "Member State" in result.warnings[0]


def test_every_rule_cites_its_article_and_explains_itself():
    for row in rules.REQUEST_RULES:
        rule = DeadlineRule.objects.get(code=row["code"])
        assert "art." in rule.legal_basis
        assert len(rule.description) > 80
        assert rule.active
    assert "266-FZ" in DeadlineRule.objects.get(code="ru-152fz-access").legal_basis


def test_152fz_before_the_2022_amendment_warns():
    result = request_compute(rule=DeadlineRule.objects.get(code="ru-152fz-access"), received_on=D("2022-05-04"))
    assert any("2022-09-01" in w for w in result.warnings)


def test_explanation_names_the_skipped_holidays():
    result = request_compute(rule=DeadlineRule.objects.get(code="ru-152fz-access"), received_on=D("2025-12-30"))
    end = [s for s in result.steps if s["step"] == "period_end"][0]
    skipped = {s["date"] for s in end["skipped"]}
    assert {"2025-12-31", "2026-01-07", "2026-01-09"} <= skipped
    assert "2026-01-12" not in skipped


# --- Through the request service: kind → rule, extension, manual dates ---------------------------------------
def test_kind_picks_its_rule_and_extension_switches(cast):
    req = request_create(user=cast.lawyer, case=cast.case, addressee="Moscow Metro", kind="ru-152fz-access",
                         sent_on=D("2025-12-26"), received_on=D("2025-12-30"), today=D("2026-01-05"))
    assert req.rule.code == "ru-152fz-access"
    assert req.reply_due == D("2026-01-23")
    assert req.status == "sent"
    req = request_update(user=cast.lawyer, request=req, data={"extended": True}, today=D("2026-01-05"))
    assert (req.rule.code, req.reply_due) == ("ru-152fz-access-extended", D("2026-01-30"))
    req = request_update(user=cast.lawyer, request=req, data={"extended": False}, today=D("2026-01-05"))
    assert (req.rule.code, req.reply_due) == ("ru-152fz-access", D("2026-01-23"))


def test_gdpr_request_uses_the_controllers_calendar(cast):
    req = request_create(user=cast.lawyer, case=cast.case, addressee="Example GmbH", kind="gdpr-access",
                         jurisdiction="de", received_on=D("2025-11-25"), today=D("2025-11-26"))
    assert req.jurisdiction == "DE" and req.reply_due == D("2025-12-29")


def test_a_draft_waits_for_the_day_of_receipt(cast):
    req = request_create(user=cast.lawyer, case=cast.case, addressee="Roskomnadzor", kind="ru-59fz-appeal")
    assert req.status == "draft" and req.reply_due is None and req.rule.code == "ru-59fz-appeal"
    assert req.explanation[0]["step"] == "waiting"
    req = request_update(user=cast.lawyer, request=req, data={"received_on": D("2026-02-06")},
                         today=D("2026-02-07"))
    assert req.reply_due == D("2026-03-10") and req.status == "sent"


def test_a_date_given_by_hand_is_kept_without_a_rule(cast):
    req = request_create(user=cast.lawyer, case=cast.case, addressee="City hall", kind="other",
                         reply_due=D("2026-05-01"), today=D("2026-04-01"))
    assert req.rule is None and req.reply_due == D("2026-05-01") and req.explanation[0]["step"] == "manual"
    req = request_create(user=cast.lawyer, case=cast.case, addressee="Metro", kind="ru-152fz-access",
                         reply_due=D("2026-05-01"), today=D("2026-04-01"))
    assert req.rule is None and req.reply_due == D("2026-05-01")


def test_a_computed_date_cannot_be_overridden_by_hand(cast):
    from django.core.exceptions import ValidationError

    req = request_create(user=cast.lawyer, case=cast.case, addressee="Metro", kind="ru-152fz-access",
                         received_on=D("2026-03-02"), today=D("2026-03-03"))
    with pytest.raises(ValidationError) as exc:
        request_update(user=cast.lawyer, request=req, data={"reply_due": D("2026-06-01")}, today=D("2026-03-03"))
    assert "reply_due" in exc.value.message_dict
    req.refresh_from_db()
    assert req.reply_due == D("2026-03-17")


# --- Properties over every day of 2025-2026 (the production calendars checked by the deadlines tests) -------------
RU = calendar_for("RU")
DAYS_2025_2026 = st.dates(min_value=D("2025-01-01"), max_value=D("2026-11-30"))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += RU.non_working_reason(day) is None
    return n


@settings(max_examples=60, deadline=None)
@given(received=DAYS_2025_2026)
def test_152fz_is_exactly_ten_working_days_and_ends_on_one(received):
    due = request_compute(rule=DeadlineRule.objects.get(code="ru-152fz-access"), received_on=received).due_date
    assert RU.non_working_reason(due) is None
    assert working_days_between(received, due) == 10


@settings(max_examples=60, deadline=None)
@given(received=DAYS_2025_2026)
def test_59fz_is_thirty_days_moved_only_off_non_working_days(received):
    due = request_compute(rule=DeadlineRule.objects.get(code="ru-59fz-appeal"), received_on=received).due_date
    nominal = received + dt.timedelta(days=30)
    assert due >= nominal and RU.non_working_reason(due) is None
    day = nominal
    while day < due:  # every day skipped was a non-working day
        assert RU.non_working_reason(day) is not None
        day += dt.timedelta(days=1)


@settings(max_examples=60, deadline=None)
@given(received=DAYS_2025_2026)
def test_gdpr_month_is_the_same_date_or_the_months_last_day_then_a_weekday(received):
    due = request_compute(rule=DeadlineRule.objects.get(code="gdpr-access"), received_on=received).due_date
    nominal, _clamped = add_months(received, 1)
    assert nominal <= due <= nominal + dt.timedelta(days=2) and due.weekday() < 5
