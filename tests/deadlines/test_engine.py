"""The rules engine against the codes' text and the official Russian production calendars.

Each row of the table says which provision decides the answer. Non-working days: the Government decrees on the
transfer of days off (2024: decree of 10.08.2023 No. 1310; 2025: of 04.10.2024 No. 1335; 2026: of 24.09.2025
No. 1466) as published in the official production calendars.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from deadlines import engine
from deadlines.engine import BUILTIN_RULES, CountryCalendar, EngineError, RuleSpec, Unit, compute

RULES = {r.code: r for r in BUILTIN_RULES}
D = dt.date.fromisoformat

# (rule, trigger, expected due date, why)
TABLE = [
    # --- months: corresponding date (CPC 108(1), CAS 93(1)) ------------------------------------------------
    ("ru-cpc-appeal", "2025-03-14", "2025-04-14", "corresponding date, a Monday"),
    ("ru-cas-appeal", "2025-09-30", "2025-10-30", "corresponding date, a Thursday"),
    ("ru-cpc-appeal", "2025-01-31", "2025-02-28", "February 2025 has no 31st: last day of the month"),
    ("ru-cpc-appeal", "2024-01-31", "2024-02-29", "leap year: last day of February is the 29th"),
    ("ru-cpc-appeal", "2023-01-31", "2023-02-28", "not a leap year: the 28th (a Tuesday)"),
    ("ru-cpc-appeal", "2024-01-29", "2024-02-29", "leap year: 29 February exists"),
    ("ru-cpc-appeal", "2025-02-28", "2025-03-28", "from the 28th: the 28th, not the month's last day"),
    ("ru-cas-claim", "2024-11-30", "2025-02-28", "three months, February has no 30th"),
    ("ru-cas-claim", "2023-11-30", "2024-02-29", "three months into a leap February"),
    # --- New Year holidays and transfers (CPC 108(2), CAS 93(2)) -------------------------------------------
    ("ru-cpc-appeal", "2024-12-01", "2025-01-09", "1 Jan 2025 holiday; 1-8 Jan off; first working day 9 Jan"),
    ("ru-cpc-appeal", "2024-11-29", "2025-01-09", "29 Dec Sun, 30-31 Dec transferred days off, 1-8 Jan"),
    ("ru-cpc-appeal", "2025-12-01", "2026-01-12", "2026: 1-8 Jan, 9 Jan transferred from 3 Jan, 10-11 weekend"),
    ("ru-cpc-appeal", "2025-12-01", "2026-01-12", "(same, twice: the cache gives the same answer)"),
    ("ru-cas-appeal", "2025-11-30", "2025-12-30", "30 Dec 2025 is a working Tuesday"),
    ("ru-cpc-cassation", "2025-09-30", "2025-12-30", "three months, working Tuesday"),
    ("ru-cpc-appeal", "2025-11-30", "2025-12-30", "one month"),
    ("ru-cpc-cassation", "2025-10-01", "2026-01-12", "31 Dec 2025 transferred from 5 Jan, then the 2026 holidays"),
    # --- working Saturdays: the period ends on them, no roll-forward ---------------------------------------
    ("ru-cpc-appeal", "2024-11-28", "2024-12-28", "28 Dec 2024 is a working Saturday"),
    ("ru-cas-claim", "2024-09-28", "2024-12-28", "28 Dec 2024 is a working Saturday"),
    ("ru-cpc-appeal", "2024-03-27", "2024-04-27", "27 Apr 2024 is a working Saturday"),
    ("ru-cpc-appeal", "2024-10-02", "2024-11-02", "2 Nov 2024 is a working Saturday"),
    ("ru-cpc-appeal", "2025-10-01", "2025-11-01", "1 Nov 2025 is a working Saturday"),
    # --- transferred days off in 2025: 2 May, 8 May, 13 Jun, 3 Nov, 31 Dec ---------------------------------
    ("ru-cpc-appeal", "2025-04-02", "2025-05-05", "2 May off (from 4 Jan), 3-4 May weekend"),
    ("ru-cas-appeal", "2025-04-08", "2025-05-12", "8 May off (from 23 Feb), 9 May Victory Day, 10-11 weekend"),
    ("ru-cas-claim", "2025-02-08", "2025-05-12", "8 May off, three months"),
    ("ru-cpc-appeal", "2025-05-13", "2025-06-16", "13 Jun off (from 8 Mar), 14-15 weekend"),
    ("ru-cpc-appeal", "2025-10-03", "2025-11-05", "3 Nov off (from 1 Nov), 4 Nov Unity Day"),
    ("ru-cpc-appeal", "2024-03-29", "2024-05-02", "29 Apr 2024 off (from 27 Apr), 30 Apr off (from 2 Nov), 1 May"),
    ("ru-cpc-appeal", "2024-04-10", "2024-05-13", "10 May 2024 off (from 6 Jan), 11-12 weekend"),
    ("ru-cpc-cassation", "2025-10-31", "2026-02-02", "31 Jan 2026 Saturday, 1 Feb Sunday"),
    ("ru-cas-appeal", "2026-02-09", "2026-03-10", "9 Mar 2026: 8 Mar falls on a Sunday, day off moves to Monday"),
    ("ru-cas-appeal", "2026-04-09", "2026-05-12", "9 May 2026 Saturday, 10 Sunday, 11 May day off"),
    # --- working days: 15 working days, counting from the next day (CAS 92(2), 314; CPC 107(3), 332) -------
    ("ru-cas-private-complaint", "2024-12-20", "2025-01-21", "28 Dec counted, 30 Dec-8 Jan skipped"),
    ("ru-cpc-private-complaint", "2024-12-20", "2025-01-21", "same counting under the CPC"),
    ("ru-cas-private-complaint", "2025-10-24", "2025-11-17", "1 Nov counted (working Saturday), 3-4 Nov skipped"),
    ("ru-cas-private-complaint", "2025-04-25", "2025-05-22", "1-4, 8-11 May skipped"),
    ("ru-cas-private-complaint", "2025-03-03", "2025-03-24", "a plain three weeks"),
    # --- ECHR: four calendar months, no extension for weekends or holidays ----------------------------------
    ("echr-application", "2025-01-31", "2025-05-31", "ends on a Saturday and stays there"),
    ("echr-application", "2024-10-31", "2025-02-28", "no 31 February"),
    ("echr-application", "2023-10-31", "2024-02-29", "leap year"),
    ("echr-application", "2024-09-01", "2025-01-01", "1 January: the Court does not move it"),
    ("echr-application", "2022-03-15", "2022-07-15", "first year of the four-month rule"),
    ("echr-application", "2022-02-01", "2022-06-01", "the first day of the four-month rule"),
    ("echr-application", "2022-01-31", "2022-07-31", "the last day of the six-month rule (a Sunday: not moved)"),
    ("echr-application", "2021-08-31", "2022-02-28", "six months, no 31 February"),
]


@pytest.mark.parametrize(("code", "trigger", "expected", "why"), TABLE, ids=[f"{r[0]}:{r[1]}" for r in TABLE])
def test_rule_table(code, trigger, expected, why):
    """Each rule gives the date the code and the official calendar give."""
    result = compute(RULES[code], D(trigger))
    assert result.due_date == D(expected), why
    last = result.steps[-1]
    assert (last["step"], last["date"]) == ("due", expected) and expected in last["text"]


RU_2024_WEEKDAYS_OFF = {
    "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08", "2024-02-23", "2024-03-08",
    "2024-04-29", "2024-04-30", "2024-05-01", "2024-05-09", "2024-05-10", "2024-06-12", "2024-11-04", "2024-12-30",
    "2024-12-31",
}
RU_2025_WEEKDAYS_OFF = {
    "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08", "2025-05-01", "2025-05-02",
    "2025-05-08", "2025-05-09", "2025-06-12", "2025-06-13", "2025-11-03", "2025-11-04", "2025-12-31",
}
RU_2026_WEEKDAYS_OFF = {
    "2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09", "2026-02-23",
    "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
}


@pytest.mark.parametrize(
    ("year", "weekdays_off", "working_weekends", "working_days"),
    [
        (2024, RU_2024_WEEKDAYS_OFF, {"2024-04-27", "2024-11-02", "2024-12-28"}, 248),
        (2025, RU_2025_WEEKDAYS_OFF, {"2025-11-01"}, 247),
        (2026, RU_2026_WEEKDAYS_OFF, set(), 247),
    ],
)
def test_russian_calendar_matches_the_official_production_calendar(year, weekdays_off, working_weekends, working_days):
    """Weekdays off, working Saturdays and the count of working days are those of the official calendar."""
    cal = CountryCalendar("RU")
    days = [d for d in (dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366)) if d.year == year]
    off = {d.isoformat() for d in days if d.weekday() < 5 and cal.non_working_reason(d)}
    on_weekend = {d.isoformat() for d in days if d.weekday() >= 5 and cal.non_working_reason(d) is None}
    assert off == weekdays_off
    assert on_weekend == working_weekends
    assert sum(cal.non_working_reason(d) is None for d in days) == working_days


def test_roll_forward_explains_every_skipped_day():
    result = compute(RULES["ru-cpc-appeal"], D("2024-11-29"))
    roll = next(s for s in result.steps if s["step"] == "roll_forward")
    assert [s["date"] for s in roll["skipped"]] == [
        "2024-12-29", "2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04",
        "2025-01-05", "2025-01-06", "2025-01-07", "2025-01-08",
    ]
    assert all(s["reason"] for s in roll["skipped"])
    assert "108" in roll["basis"]


def test_month_end_clamp_is_explained():
    result = compute(RULES["ru-cpc-appeal"], D("2025-01-31"))
    end = next(s for s in result.steps if s["step"] == "period_end")
    assert end["date"] == "2025-02-28" and "last day" in end["text"]


def test_echr_weekend_end_is_flagged_but_not_moved():
    result = compute(RULES["echr-application"], D("2025-01-31"))
    assert [s["step"] for s in result.steps].count("no_roll_forward") == 1
    assert result.due_date == D("2025-05-31")


def test_echr_before_protocol_15_counts_six_months_and_says_why():
    """A final decision before 1 Feb 2022 keeps the six months of the former Article 35 § 1 (Protocol 15, art. 8(3))."""
    result = compute(RULES["echr-application"], D("2021-12-01"))
    assert result.due_date == D("2022-06-01")
    assert not result.warnings
    assert [s["step"] for s in result.steps].count("transition") == 1


def test_beyond_verified_calendar_warns():
    result = compute(RULES["ru-cpc-appeal"], D("2027-03-01"))
    assert result.warnings
    assert not compute(RULES["ru-cpc-appeal"], D("2026-03-02")).warnings


def test_calendar_days_rule_includes_non_working_days_and_rolls_forward():
    rule = RuleSpec("x", "x", "RU", Unit.DAYS, 10, legal_basis="test")
    # 10 calendar days from 2024-12-22: 23 Dec .. 1 Jan; 1 Jan is a holiday -> 9 Jan 2025.
    assert compute(rule, D("2024-12-22")).due_date == D("2025-01-09")
    assert compute(rule, D("2025-03-03")).due_date == D("2025-03-13")


def test_same_day_start_counts_the_trigger():
    rule = RuleSpec("x", "x", "RU", Unit.DAYS, 1, start="same_day", roll_forward=False)
    assert compute(rule, D("2025-03-03")).due_date == D("2025-03-03")


def test_years_rule():
    rule = RuleSpec("x", "x", "RU", Unit.YEARS, 3)
    assert compute(rule, D("2021-02-28")).due_date == D("2024-02-28")
    assert compute(rule, D("2020-02-29")).due_date == D("2023-02-28")


def test_unknown_jurisdiction_uses_weekends_only():
    rule = RuleSpec("x", "x", "ZZ", Unit.MONTHS, 1)
    assert compute(rule, D("2025-04-05")).due_date == D("2025-05-05")  # 5 May is a Monday


@pytest.mark.parametrize("bad", [
    RuleSpec("x", "x", "RU", "weeks", 1),
    RuleSpec("x", "x", "RU", Unit.DAYS, 0),
    RuleSpec("x", "x", "RU", Unit.DAYS, 10**6),
    RuleSpec("x", "x", "RU", Unit.DAYS, 1, start="tomorrow"),
])
def test_bad_rules_are_refused(bad):
    with pytest.raises(EngineError):
        compute(bad, D("2025-01-01"))


@pytest.mark.parametrize("trigger", [dt.date(1800, 1, 1), dt.date(2200, 1, 1), "2025-01-01", dt.datetime(2025, 1, 1)])
def test_bad_triggers_are_refused(trigger):
    with pytest.raises(EngineError):
        compute(RULES["ru-cpc-appeal"], trigger)


# --- properties ------------------------------------------------------------------------------------------------
triggers = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 10, 31))
ru_cal = CountryCalendar("RU")


@hsettings(max_examples=300, deadline=None)
@given(trigger=triggers, code=st.sampled_from(sorted(RULES)))
def test_never_before_the_trigger(trigger, code):
    assert compute(RULES[code], trigger).due_date > trigger


@hsettings(max_examples=300, deadline=None)
@given(trigger=triggers, code=st.sampled_from([c for c, r in RULES.items() if r.roll_forward]))
def test_a_moved_date_is_a_working_day_and_every_end_is_one(trigger, code):
    result = compute(RULES[code], trigger)
    assert ru_cal.non_working_reason(result.due_date) is None
    rolled = [s for s in result.steps if s["step"] == "roll_forward"]
    if rolled:
        # every day between the period's end and the due date was non-working
        assert all(ru_cal.non_working_reason(D(s["date"])) for s in rolled[0]["skipped"])


@hsettings(max_examples=200, deadline=None)
@given(trigger=triggers, amount=st.integers(min_value=1, max_value=60))
def test_working_days_rule_counts_exactly_that_many_working_days(trigger, amount):
    rule = RuleSpec("x", "x", "RU", Unit.WORKING_DAYS, amount)
    due = compute(rule, trigger).due_date
    days = [trigger + dt.timedelta(days=i) for i in range(1, (due - trigger).days + 1)]
    assert sum(ru_cal.non_working_reason(d) is None for d in days) == amount
    assert ru_cal.non_working_reason(due) is None


@hsettings(max_examples=200, deadline=None)
@given(trigger=triggers, months=st.integers(min_value=1, max_value=24))
def test_month_end_is_the_corresponding_or_last_day(trigger, months):
    end, clamped = engine.add_months(trigger, months)
    assert (end.year * 12 + end.month) - (trigger.year * 12 + trigger.month) == months
    assert end.day == trigger.day or (clamped and end.day < trigger.day and (end + dt.timedelta(days=1)).day == 1)


@pytest.mark.django_db
def test_seeded_rules_match_the_engine_builtins():
    """The data migration seeded exactly the engine's built-in rules (the admin may change them later)."""
    from deadlines.models import DeadlineRule

    for spec in BUILTIN_RULES:
        assert DeadlineRule.objects.get(code=spec.code).as_spec() == spec, spec.code


def test_explanation_follows_the_active_language():
    """A Russian-speaking lawyer reads the holidays' Russian names (the period texts come from the catalogue)."""
    from django.utils import translation

    with translation.override("ru"):
        result = compute(RULES["ru-cpc-appeal"], D("2024-11-29"))
    roll = next(s for s in result.steps if s["step"] == "roll_forward")
    reasons = {s["date"]: s["reason"] for s in roll["skipped"]}
    assert "Новогодние каникулы" in reasons["2025-01-01"]
    assert "28.12.2024" in reasons["2024-12-30"]  # the transferred day off names its source
    assert result.due_date == D("2025-01-09")
