"""The deadline rules engine: pure functions over plain data (no ORM, no settings).

A rule (``RuleSpec``) says how long a time-limit is (``amount`` of ``unit``), when counting starts, whether an end
on a non-working day moves to the next working day, which jurisdiction's calendar applies and what law says so.
``compute(rule, trigger)`` returns the due date and the steps that led to it, so a lawyer can check every day.

The Russian rules follow the procedural codes as in force since 1 October 2019 (Federal Law 451-FZ):

- counting starts on the day after the trigger (CPC art. 107(3), CAS art. 92(3));
- time-limits in days exclude non-working days (CPC art. 107(3), CAS art. 92(2)) — they are working days;
- a time-limit in months ends on the corresponding date of the last month; if that month has no such date, on its
  last day (CPC art. 108(1), CAS art. 93(1));
- an end on a non-working day moves to the next working day (CPC art. 108(2), CAS art. 93(2)).

The ECHR counts four calendar months from the day after the final decision and does not extend a time-limit that
ends on a Saturday, Sunday or holiday (Sabri Güneş v. Turkey [GC], no. 27396/06, 29 June 2012).

Non-working days come from the ``holidays`` package (pinned in requirements.txt). For Russia it includes the
Government's transfer decrees: substituted days off and working Saturdays (``weekend_workdays``), checked in the
tests against the official production calendars for 2024, 2025 and 2026. ``CALENDAR_VERIFIED_THROUGH`` names the
last year checked; a computation reaching beyond it carries a warning step.
"""
from __future__ import annotations

import calendar as _pycalendar
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

import holidays
from django.utils.translation import get_language, gettext as _, gettext_noop, ngettext


class Unit(StrEnum):
    YEARS = "years"
    MONTHS = "months"
    DAYS = "days"  # calendar days
    WORKING_DAYS = "working_days"


class Start(StrEnum):
    NEXT_DAY = "next_day"  # the trigger day is not counted (CPC 107(3), CAS 92(2), ECHR)
    SAME_DAY = "same_day"  # the trigger day is day one


ECHR = "ECHR"
# Last year whose calendar (holidays and transfer decrees) was checked against the official calendar.
CALENDAR_VERIFIED_THROUGH: dict[str, int] = {"RU": 2026}
MIN_DATE = dt.date(1991, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_AMOUNT = {Unit.YEARS: 30, Unit.MONTHS: 360, Unit.DAYS: 3660, Unit.WORKING_DAYS: 2500}


class EngineError(ValueError):
    """The rule or the trigger cannot be computed (out of range, unknown unit, ...)."""


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    jurisdiction: str
    unit: Unit | str
    amount: int
    start: Start | str = Start.NEXT_DAY
    roll_forward: bool = True
    legal_basis: str = ""
    counting_basis: str = ""
    trigger_label: str = ""
    valid_from: dt.date | None = None  # the rule applies to triggers on or after this date


@dataclass
class Computation:
    due_date: dt.date
    steps: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"due_date": self.due_date.isoformat(), "explanation": self.steps}


class Calendar(Protocol):
    code: str

    def non_working_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a working day, or None if it is one."""


_WEEKDAYS = (
    gettext_noop("Monday"), gettext_noop("Tuesday"), gettext_noop("Wednesday"), gettext_noop("Thursday"),
    gettext_noop("Friday"), gettext_noop("Saturday"), gettext_noop("Sunday"),
)


def _weekday_name(day: dt.date) -> str:
    return _(_WEEKDAYS[day.weekday()])


def _holiday_language() -> str:
    lang = (get_language() or "en").lower()
    return "ru" if lang.startswith("ru") else "en_US"


@lru_cache(maxsize=1024)
def _year_data(code: str, year: int, language: str) -> tuple[dict[dt.date, str], frozenset[dt.date], frozenset[int]]:
    cal = holidays.country_holidays(code, years=year, language=language)
    days = {d: str(name) for d, name in cal.items() if d.year == year}
    workdays = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return days, workdays, frozenset(cal.weekend)


@dataclass(frozen=True)
class CountryCalendar:
    """A country's non-working days: weekends, public holidays, transferred days off, minus working weekends."""

    code: str

    def non_working_reason(self, day: dt.date) -> str | None:
        days, workdays, weekend = _year_data(self.code, day.year, _holiday_language())
        if day in days:
            return days[day]
        if day.weekday() in weekend and day not in workdays:
            return _weekday_name(day)
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.non_working_reason(day) is None


@dataclass(frozen=True)
class WeekendCalendar:
    """Saturdays and Sundays only: for jurisdictions the ``holidays`` package does not know."""

    code: str

    def non_working_reason(self, day: dt.date) -> str | None:
        return _weekday_name(day) if day.weekday() >= 5 else None


@dataclass(frozen=True)
class NoNonWorkingDays:
    """Every day counts and no end moves: the ECHR's practice for its application time-limit."""

    code: str = ECHR

    def non_working_reason(self, day: dt.date) -> str | None:
        return None


def calendar_for(jurisdiction: str) -> Calendar:
    return _calendar_for((jurisdiction or "").upper())


@lru_cache(maxsize=64)
def _calendar_for(code: str) -> Calendar:
    if code == ECHR:
        return NoNonWorkingDays()
    if code in holidays.list_supported_countries():
        return CountryCalendar(code)
    return WeekendCalendar(code)


def add_months(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The corresponding date ``months`` later; if that month has no such date, its last day (clamped=True)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = _pycalendar.monthrange(year, month)[1]
    if day.day > last:
        return dt.date(year, month, last), True
    return dt.date(year, month, day.day), False


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _step(kind: str, day: dt.date | None, text: str, *, basis: str = "", skipped=None) -> dict[str, Any]:
    step: dict[str, Any] = {"step": kind, "date": _iso(day) if day else None, "text": text}
    if basis:
        step["basis"] = basis
    if skipped:
        step["skipped"] = [{"date": _iso(d), "reason": r} for d, r in skipped]
    return step


def _unit_text(unit: Unit, amount: int) -> str:
    n = amount
    if unit == Unit.YEARS:
        text = ngettext("%(n)s year", "%(n)s years", n)
    elif unit == Unit.MONTHS:
        text = ngettext("%(n)s month", "%(n)s months", n)
    elif unit == Unit.DAYS:
        text = ngettext("%(n)s calendar day", "%(n)s calendar days", n)
    else:
        text = ngettext("%(n)s working day", "%(n)s working days", n)
    return text % {"n": n}


def validate_rule(rule: RuleSpec) -> tuple[Unit, Start]:
    try:
        unit, start = Unit(rule.unit), Start(rule.start)
    except ValueError:
        raise EngineError(_("The rule has an unknown unit or start.")) from None
    if not isinstance(rule.amount, int) or rule.amount < 1 or rule.amount > MAX_AMOUNT[unit]:
        raise EngineError(_("The rule's amount must be between 1 and %(max)s.") % {"max": MAX_AMOUNT[unit]})
    return unit, start


def compute(rule: RuleSpec, trigger: dt.date, calendar: Calendar | None = None) -> Computation:
    """The due date of ``rule`` counted from ``trigger``, with every step explained."""
    unit, start_mode = validate_rule(rule)
    if not isinstance(trigger, dt.date) or isinstance(trigger, dt.datetime):
        raise EngineError(_("The trigger must be a date."))
    if not (MIN_DATE <= trigger <= MAX_DATE):
        raise EngineError(
            _("The trigger date must be between %(min)s and %(max)s.") % {"min": _iso(MIN_DATE), "max": _iso(MAX_DATE)}
        )
    cal = calendar or calendar_for(rule.jurisdiction)
    steps: list[dict[str, Any]] = []
    warnings: list[str] = []

    label = f" ({rule.trigger_label})" if rule.trigger_label else ""
    steps.append(_step("trigger", trigger, _("Trigger: %(date)s%(label)s.") % {"date": _iso(trigger), "label": label}))
    steps.append(_step(
        "rule", None,
        _("Rule %(code)s: %(period)s; %(basis)s.") % {
            "code": rule.code, "period": _unit_text(unit, rule.amount),
            "basis": rule.legal_basis or _("no basis given"),
        },
        basis=rule.legal_basis,
    ))
    if rule.valid_from and trigger < rule.valid_from:
        msg = _("This rule applies to triggers on or after %(date)s; check which time-limit applied before.") % {
            "date": _iso(rule.valid_from)
        }
        warnings.append(msg)
        steps.append(_step("warning", rule.valid_from, msg))

    first = trigger + dt.timedelta(days=1) if start_mode == Start.NEXT_DAY else trigger
    if start_mode == Start.NEXT_DAY:
        text = _("Counting starts on the next day, %(date)s.") % {"date": _iso(first)}
    else:
        text = _("Counting starts on the trigger day itself, %(date)s.") % {"date": _iso(first)}
    steps.append(_step("start", first, text, basis=rule.counting_basis))

    if unit in (Unit.MONTHS, Unit.YEARS):
        months = rule.amount * (12 if unit == Unit.YEARS else 1)
        end, clamped = add_months(trigger, months)
        if start_mode == Start.SAME_DAY:
            end -= dt.timedelta(days=1)
        if clamped:
            text = _(
                "%(period)s after %(trigger)s: the last month has no day %(day)s, so the time-limit ends on the "
                "last day of that month, %(date)s."
            ) % {"period": _unit_text(unit, rule.amount), "trigger": _iso(trigger), "day": trigger.day,
                 "date": _iso(end)}
        else:
            text = _("%(period)s after %(trigger)s ends on the corresponding date, %(date)s.") % {
                "period": _unit_text(unit, rule.amount), "trigger": _iso(trigger), "date": _iso(end),
            }
        steps.append(_step("period_end", end, text, basis=rule.counting_basis))
    elif unit == Unit.DAYS:
        end = first + dt.timedelta(days=rule.amount - 1)
        steps.append(_step(
            "period_end", end,
            _("%(period)s counted from %(first)s, non-working days included, end on %(date)s.") % {
                "period": _unit_text(unit, rule.amount), "first": _iso(first), "date": _iso(end)},
            basis=rule.counting_basis,
        ))
    else:  # working days
        counted = 0
        day = first
        skipped: list[tuple[dt.date, str]] = []
        while True:
            reason = cal.non_working_reason(day)
            if reason is None:
                counted += 1
                if counted == rule.amount:
                    break
            else:
                skipped.append((day, reason))
            day += dt.timedelta(days=1)
            if day > MAX_DATE:
                raise EngineError(_("The time-limit ends after %(max)s.") % {"max": _iso(MAX_DATE)})
        end = day
        steps.append(_step(
            "period_end", end,
            _("%(period)s counted from %(first)s, non-working days left out (%(n)s skipped): the last counted day "
              "is %(date)s.") % {"period": _unit_text(unit, rule.amount), "first": _iso(first), "n": len(skipped),
                                 "date": _iso(end)},
            basis=rule.counting_basis, skipped=skipped,
        ))

    reason = cal.non_working_reason(end)
    if reason is not None and rule.roll_forward:
        skipped = []
        while reason is not None:
            skipped.append((end, reason))
            end += dt.timedelta(days=1)
            reason = cal.non_working_reason(end)
        steps.append(_step(
            "roll_forward", end,
            _("%(day)s is a non-working day (%(reason)s); the time-limit ends on the next working day, %(date)s.") % {
                "day": _iso(skipped[0][0]), "reason": skipped[0][1], "date": _iso(end)},
            basis=rule.counting_basis, skipped=skipped,
        ))
    elif not rule.roll_forward and (reason is not None or end.weekday() >= 5):
        why = reason or _weekday_name(end)
        steps.append(_step(
            "no_roll_forward", end,
            _("%(date)s is a %(reason)s, but this time-limit does not move to the next working day: file by then.")
            % {"date": _iso(end), "reason": why},
            basis=rule.counting_basis,
        ))

    verified = CALENDAR_VERIFIED_THROUGH.get((rule.jurisdiction or "").upper())
    if verified is not None and end.year > verified:
        msg = _(
            "The calendar for %(year)s has not been checked against the official transfer of days off; verify the "
            "date against the Government's decree."
        ) % {"year": end.year}
        warnings.append(msg)
        steps.append(_step("warning", None, msg))

    steps.append(_step("due", end, _("Due date: %(date)s (%(weekday)s).") % {
        "date": _iso(end), "weekday": _weekday_name(end)}))
    return Computation(due_date=end, steps=steps, warnings=warnings)


# --- The built-in rules (also seeded into the DeadlineRule table by migration 0002) ---------------------------
RU_CPC_COUNTING = (
    "CPC RF art. 107(3) (start next day; days are working days), art. 108(1)-(2) (month end; roll forward)"
)
RU_CAS_COUNTING = (
    "CAS RF art. 92(3) (start next day), art. 92(2) (days are working days), art. 93(1)-(2) (month end; roll forward)"
)
ECHR_COUNTING = (
    "ECHR Practical Guide on Admissibility: counting starts the day after the final decision; four calendar months; "
    "no extension when the last day is a weekend or holiday (Sabri Güneş v. Turkey [GC], no. 27396/06)"
)

BUILTIN_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("ru-cpc-appeal", "Appeal against a first-instance decision (civil procedure)", "RU", Unit.MONTHS, 1,
             legal_basis="CPC RF art. 321(2)", counting_basis=RU_CPC_COUNTING,
             trigger_label="the decision in its final form"),
    RuleSpec("ru-cas-appeal", "Appeal against a first-instance decision (administrative procedure)", "RU",
             Unit.MONTHS, 1, legal_basis="CAS RF art. 298(1)", counting_basis=RU_CAS_COUNTING,
             trigger_label="the decision in its final form"),
    RuleSpec("ru-cas-claim", "Administrative claim against a public authority", "RU", Unit.MONTHS, 3,
             legal_basis="CAS RF art. 219(1)", counting_basis=RU_CAS_COUNTING,
             trigger_label="the day the person learnt of the violation of their rights"),
    RuleSpec("ru-cpc-cassation", "Cassation appeal to a cassation court of general jurisdiction (civil procedure)",
             "RU", Unit.MONTHS, 3, legal_basis="CPC RF art. 376.1(1)", counting_basis=RU_CPC_COUNTING,
             trigger_label="the appealed ruling taking legal effect (an appellate ruling: the day it is given)"),
    RuleSpec("ru-cas-cassation", "Cassation appeal (administrative procedure)", "RU", Unit.MONTHS, 6,
             legal_basis="CAS RF art. 318(2)", counting_basis=RU_CAS_COUNTING,
             trigger_label="the appealed ruling taking legal effect"),
    RuleSpec("ru-cas-private-complaint", "Private complaint against a ruling (administrative procedure)", "RU",
             Unit.WORKING_DAYS, 15, legal_basis="CAS RF art. 314(1)", counting_basis=RU_CAS_COUNTING,
             trigger_label="the ruling of the first-instance court"),
    RuleSpec("ru-cpc-private-complaint", "Private complaint against a ruling (civil procedure)", "RU",
             Unit.WORKING_DAYS, 15, legal_basis="CPC RF art. 332", counting_basis=RU_CPC_COUNTING,
             trigger_label="the ruling of the first-instance court"),
    RuleSpec("echr-application", "Application to the European Court of Human Rights", ECHR, Unit.MONTHS, 4,
             roll_forward=False,
             legal_basis="ECHR art. 35(1) as amended by Protocol No. 15 (in force 1 August 2021; four months for "
                         "final decisions from 1 February 2022)",
             counting_basis=ECHR_COUNTING,
             trigger_label="the final domestic decision (the day it was served, if not given in public)",
             valid_from=dt.date(2022, 2, 1)),
)
