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
ends on a Saturday, Sunday or holiday (Sabri Güneş v. Turkey [GC], no. 27396/06, 29 June 2012). The four months
apply to final decisions taken on or after 1 February 2022; a final decision taken before that date keeps the six
months of the former Article 35 § 1 (Protocol No. 15, Article 8 § 3): a rule's ``earlier_amount`` is the time-limit
for triggers before its ``valid_from``. The Convention ceased to apply to the Russian Federation on 16 September 2022
(Committee of Ministers Resolution CM/Res(2022)3; the Court's Resolution of 22 March 2022): an application about a
Russian case whose facts are later is flagged with a warning (``compute(..., respondent_state="RU",
fact_dates=...)``).

Explanations are structured data: each step keeps its message id (``msg``) and parameters (``params``: dates,
periods, weekdays, non-working days, rule texts), and ``render_steps`` words them in the reader's active language;
the ``text`` stored with a step is only its wording when it was computed.

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
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _


class Unit(StrEnum):
    YEARS = "years"
    MONTHS = "months"
    DAYS = "days"  # calendar days
    WORKING_DAYS = "working_days"


class Start(StrEnum):
    NEXT_DAY = "next_day"  # the trigger day is not counted (CPC 107(3), CAS 92(2), ECHR)
    SAME_DAY = "same_day"  # the trigger day is day one


ECHR = "ECHR"
# The Convention ceased to apply to the Russian Federation on this date (CM/Res(2022)3).
CONVENTION_CEASED_RU = dt.date(2022, 9, 16)
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
    earlier_amount: int | None = None  # the time-limit (same unit) for triggers before valid_from


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


# Parameters of a step, kept as data so that the step can be worded again in another language.
def _p_date(day: dt.date) -> dict[str, str]:
    return {"t": "date", "v": _iso(day)}


def _p_period(unit: Unit, amount: int) -> dict[str, Any]:
    return {"t": "period", "unit": unit.value, "n": amount}


def _p_weekday(day: dt.date) -> dict[str, str]:
    return {"t": "weekday", "v": _iso(day)}


def _p_reason(day: dt.date, jurisdiction: str) -> dict[str, str]:
    return {"t": "nonworking", "v": _iso(day), "j": (jurisdiction or "").upper()}


def _p_text(text: str) -> dict[str, str]:
    return {"t": "text", "v": text or ""}


def _p_label(text: str) -> dict[str, str]:
    return {"t": "label", "v": text or ""}


def rule_text(value: str) -> str:
    """A rule's name, legal basis or trigger label in the active language (built-in texts are in the catalogue;
    texts staff wrote themselves are shown as written)."""
    return _(value) if value else ""


def render_param(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    kind = value.get("t")
    try:
        if kind == "date":
            return value["v"]
        if kind == "period":
            return _unit_text(Unit(value["unit"]), int(value["n"]))
        if kind == "weekday":
            return _weekday_name(dt.date.fromisoformat(value["v"]))
        if kind == "nonworking":
            day = dt.date.fromisoformat(value["v"])
            return calendar_for(value.get("j", "")).non_working_reason(day) or _weekday_name(day)
        if kind == "text":
            return rule_text(value["v"])
        if kind == "label":
            return f" ({rule_text(value['v'])})" if value["v"] else ""
    except (KeyError, ValueError, TypeError):
        return ""
    return value


def render_text(msg: str, params: dict[str, Any]) -> str:
    return _(msg) % {key: render_param(val) for key, val in (params or {}).items()}


def render_steps(steps: Any) -> list[dict[str, Any]]:
    """The steps worded in the active language, from their structured data (steps stored before explanations were
    structured keep their stored text)."""
    if not isinstance(steps, list):
        return []
    rendered = []
    for step in steps:
        if not isinstance(step, dict):
            continue
        step = dict(step)
        if step.get("msg"):
            try:
                step["text"] = render_text(step["msg"], step.get("params") or {})
            except (KeyError, ValueError, TypeError):
                pass
        if step.get("skipped") and step.get("jurisdiction"):
            cal = calendar_for(step["jurisdiction"])
            step["skipped"] = [
                {**s, "reason": cal.non_working_reason(dt.date.fromisoformat(s["date"]))
                 or _weekday_name(dt.date.fromisoformat(s["date"]))}
                for s in step["skipped"] if isinstance(s, dict) and "date" in s
            ]
        rendered.append(step)
    return rendered


def _step(kind: str, day: dt.date | None, msg: str, params: dict[str, Any] | None = None, *, basis: str = "",
          skipped=None, jurisdiction: str = "") -> dict[str, Any]:
    params = params or {}
    step: dict[str, Any] = {"step": kind, "date": _iso(day) if day else None, "text": render_text(msg, params),
                            "msg": msg, "params": params}
    if basis:
        step["basis"] = basis
    if skipped:
        step["skipped"] = [{"date": _iso(d), "reason": r} for d, r in skipped]
        step["jurisdiction"] = (jurisdiction or "").upper()
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
    amounts = [rule.amount] + ([rule.earlier_amount] if rule.earlier_amount is not None else [])
    for amount in amounts:
        if not isinstance(amount, int) or amount < 1 or amount > MAX_AMOUNT[unit]:
            raise EngineError(_("The rule's amount must be between 1 and %(max)s.") % {"max": MAX_AMOUNT[unit]})
    return unit, start


MSG_TRIGGER = gettext_noop("Trigger: %(date)s%(label)s.")
MSG_RULE = gettext_noop("Rule %(code)s: %(period)s; %(basis)s.")
MSG_NO_BASIS = gettext_noop("no basis given")
MSG_OLD_TRIGGER = gettext_noop("This rule applies to triggers on or after %(date)s; check which time-limit applied "
                               "before.")
MSG_EARLIER = gettext_noop("The trigger is before %(date)s: the time-limit in force then applies, %(period)s.")
MSG_START_NEXT = gettext_noop("Counting starts on the next day, %(date)s.")
MSG_START_SAME = gettext_noop("Counting starts on the trigger day itself, %(date)s.")
MSG_CLAMPED = gettext_noop("%(period)s after %(trigger)s: the last month has no day %(day)s, so the time-limit ends on "
                           "the last day of that month, %(date)s.")
MSG_CORRESPONDING = gettext_noop("%(period)s after %(trigger)s ends on the corresponding date, %(date)s.")
MSG_CALENDAR_DAYS = gettext_noop("%(period)s counted from %(first)s, non-working days included, end on %(date)s.")
MSG_WORKING_DAYS = gettext_noop("%(period)s counted from %(first)s, non-working days left out (%(n)s skipped): the "
                                "last counted day is %(date)s.")
MSG_ROLL = gettext_noop("%(day)s is a non-working day (%(reason)s); the time-limit ends on the next working day, "
                        "%(date)s.")
MSG_NO_ROLL = gettext_noop("%(date)s is a %(reason)s, but this time-limit does not move to the next working day: file "
                           "by then.")
MSG_UNVERIFIED = gettext_noop("The calendar for %(year)s has not been checked against the official transfer of days "
                              "off; verify the date against the Government's decree.")
MSG_CONVENTION_RU = gettext_noop(
    "The Convention ceased to apply to the Russian Federation on %(ceased)s: the Court deals with applications "
    "against Russia only for acts and omissions up to that date, and this case has facts after it (the latest on "
    "%(date)s).")
MSG_DUE = gettext_noop("Due date: %(date)s (%(weekday)s).")


def convention_warning(rule: RuleSpec, respondent_state: str, fact_dates) -> dict[str, Any] | None:
    """A warning step when an ECHR rule is computed for a Russian case with facts after 16 September 2022."""
    if (rule.jurisdiction or "").upper() != ECHR or (respondent_state or "").upper() != "RU":
        return None
    later = sorted(d for d in fact_dates or () if isinstance(d, dt.date) and d > CONVENTION_CEASED_RU)
    if not later:
        return None
    return _step("warning", later[-1], MSG_CONVENTION_RU,
                 {"ceased": _p_date(CONVENTION_CEASED_RU), "date": _p_date(later[-1])})


def compute(rule: RuleSpec, trigger: dt.date, calendar: Calendar | None = None, *, respondent_state: str = "",
            fact_dates=()) -> Computation:
    """The due date of ``rule`` counted from ``trigger``, with every step explained. ``respondent_state`` and
    ``fact_dates`` (the case's jurisdiction and the dates of its facts) only add warnings."""
    unit, start_mode = validate_rule(rule)
    if not isinstance(trigger, dt.date) or isinstance(trigger, dt.datetime):
        raise EngineError(_("The trigger must be a date."))
    if not (MIN_DATE <= trigger <= MAX_DATE):
        raise EngineError(
            _("The trigger date must be between %(min)s and %(max)s.") % {"min": _iso(MIN_DATE), "max": _iso(MAX_DATE)}
        )
    cal = calendar or calendar_for(rule.jurisdiction)
    code = getattr(cal, "code", rule.jurisdiction)
    steps: list[dict[str, Any]] = []
    warnings: list[str] = []

    steps.append(_step("trigger", trigger, MSG_TRIGGER, {"date": _p_date(trigger),
                                                         "label": _p_label(rule.trigger_label)}))
    steps.append(_step(
        "rule", None, MSG_RULE,
        {"code": rule.code, "period": _p_period(unit, rule.amount),
         "basis": _p_text(rule.legal_basis or MSG_NO_BASIS)},
        basis=rule.legal_basis,
    ))
    amount = rule.amount
    if rule.valid_from and trigger < rule.valid_from:
        if rule.earlier_amount:
            amount = rule.earlier_amount
            steps.append(_step("transition", rule.valid_from, MSG_EARLIER,
                               {"date": _p_date(rule.valid_from), "period": _p_period(unit, amount)},
                               basis=rule.legal_basis))
        else:
            step = _step("warning", rule.valid_from, MSG_OLD_TRIGGER, {"date": _p_date(rule.valid_from)})
            warnings.append(step["text"])
            steps.append(step)

    first = trigger + dt.timedelta(days=1) if start_mode == Start.NEXT_DAY else trigger
    steps.append(_step("start", first, MSG_START_NEXT if start_mode == Start.NEXT_DAY else MSG_START_SAME,
                       {"date": _p_date(first)}, basis=rule.counting_basis))

    if unit in (Unit.MONTHS, Unit.YEARS):
        months = amount * (12 if unit == Unit.YEARS else 1)
        end, clamped = add_months(trigger, months)
        if start_mode == Start.SAME_DAY:
            end -= dt.timedelta(days=1)
        params = {"period": _p_period(unit, amount), "trigger": _p_date(trigger), "date": _p_date(end)}
        if clamped:
            params["day"] = trigger.day
        steps.append(_step("period_end", end, MSG_CLAMPED if clamped else MSG_CORRESPONDING, params,
                           basis=rule.counting_basis))
    elif unit == Unit.DAYS:
        end = first + dt.timedelta(days=amount - 1)
        steps.append(_step("period_end", end, MSG_CALENDAR_DAYS,
                           {"period": _p_period(unit, amount), "first": _p_date(first), "date": _p_date(end)},
                           basis=rule.counting_basis))
    else:  # working days
        counted = 0
        day = first
        skipped: list[tuple[dt.date, str]] = []
        while True:
            reason = cal.non_working_reason(day)
            if reason is None:
                counted += 1
                if counted == amount:
                    break
            else:
                skipped.append((day, reason))
            day += dt.timedelta(days=1)
            if day > MAX_DATE:
                raise EngineError(_("The time-limit ends after %(max)s.") % {"max": _iso(MAX_DATE)})
        end = day
        steps.append(_step(
            "period_end", end, MSG_WORKING_DAYS,
            {"period": _p_period(unit, amount), "first": _p_date(first), "n": len(skipped), "date": _p_date(end)},
            basis=rule.counting_basis, skipped=skipped, jurisdiction=code,
        ))

    reason = cal.non_working_reason(end)
    if reason is not None and rule.roll_forward:
        skipped = []
        while reason is not None:
            skipped.append((end, reason))
            end += dt.timedelta(days=1)
            reason = cal.non_working_reason(end)
        steps.append(_step(
            "roll_forward", end, MSG_ROLL,
            {"day": _p_date(skipped[0][0]), "reason": _p_reason(skipped[0][0], code), "date": _p_date(end)},
            basis=rule.counting_basis, skipped=skipped, jurisdiction=code,
        ))
    elif not rule.roll_forward and (reason is not None or end.weekday() >= 5):
        why = _p_reason(end, code) if reason is not None else _p_weekday(end)
        steps.append(_step("no_roll_forward", end, MSG_NO_ROLL, {"date": _p_date(end), "reason": why},
                           basis=rule.counting_basis))

    verified = CALENDAR_VERIFIED_THROUGH.get((rule.jurisdiction or "").upper())
    if verified is not None and end.year > verified:
        step = _step("warning", None, MSG_UNVERIFIED, {"year": end.year})
        warnings.append(step["text"])
        steps.append(step)

    russia = convention_warning(rule, respondent_state, fact_dates)
    if russia is not None:
        warnings.append(russia["text"])
        steps.append(russia)

    steps.append(_step("due", end, MSG_DUE, {"date": _p_date(end), "weekday": _p_weekday(end)}))
    return Computation(due_date=end, steps=steps, warnings=warnings)


# --- The built-in rules (also seeded into the DeadlineRule table by migration 0002) ---------------------------
RU_CPC_COUNTING = gettext_noop(
    "CPC RF art. 107(3) (start next day; days are working days), art. 108(1)-(2) (month end; roll forward)"
)
RU_CAS_COUNTING = gettext_noop(
    "CAS RF art. 92(3) (start next day), art. 92(2) (days are working days), art. 93(1)-(2) (month end; roll forward)"
)
ECHR_COUNTING = gettext_noop(
    "ECHR Practical Guide on Admissibility: counting starts the day after the final decision; four calendar months "
    "(six for a final decision before 1 February 2022); no extension when the last day is a weekend or holiday "
    "(Sabri Güneş v. Turkey [GC], no. 27396/06)"
)
ECHR_BASIS = gettext_noop(
    "ECHR art. 35(1) as amended by Protocol No. 15 (four months for final decisions from 1 February 2022; six months "
    "for earlier final decisions, Protocol No. 15 art. 8(3))"
)

BUILTIN_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("ru-cpc-appeal", gettext_noop("Appeal against a first-instance decision (civil procedure)"), "RU",
             Unit.MONTHS, 1, legal_basis=gettext_noop("CPC RF art. 321(2)"), counting_basis=RU_CPC_COUNTING,
             trigger_label=gettext_noop("the decision in its final form")),
    RuleSpec("ru-cas-appeal", gettext_noop("Appeal against a first-instance decision (administrative procedure)"),
             "RU", Unit.MONTHS, 1, legal_basis=gettext_noop("CAS RF art. 298(1)"), counting_basis=RU_CAS_COUNTING,
             trigger_label=gettext_noop("the decision in its final form")),
    RuleSpec("ru-cas-claim", gettext_noop("Administrative claim against a public authority"), "RU", Unit.MONTHS, 3,
             legal_basis=gettext_noop("CAS RF art. 219(1)"), counting_basis=RU_CAS_COUNTING,
             trigger_label=gettext_noop("the day the person learnt of the violation of their rights")),
    RuleSpec("ru-cpc-cassation",
             gettext_noop("Cassation appeal to a cassation court of general jurisdiction (civil procedure)"),
             "RU", Unit.MONTHS, 3, legal_basis=gettext_noop("CPC RF art. 376.1(1)"), counting_basis=RU_CPC_COUNTING,
             trigger_label=gettext_noop(
                 "the appealed ruling taking legal effect (an appellate ruling: the day it is given)")),
    RuleSpec("ru-cas-cassation", gettext_noop("Cassation appeal (administrative procedure)"), "RU", Unit.MONTHS, 6,
             legal_basis=gettext_noop("CAS RF art. 318(2)"), counting_basis=RU_CAS_COUNTING,
             trigger_label=gettext_noop("the appealed ruling taking legal effect")),
    RuleSpec("ru-cas-private-complaint",
             gettext_noop("Private complaint against a ruling (administrative procedure)"), "RU",
             Unit.WORKING_DAYS, 15, legal_basis=gettext_noop("CAS RF art. 314(1)"), counting_basis=RU_CAS_COUNTING,
             trigger_label=gettext_noop("the ruling of the first-instance court")),
    RuleSpec("ru-cpc-private-complaint", gettext_noop("Private complaint against a ruling (civil procedure)"), "RU",
             Unit.WORKING_DAYS, 15, legal_basis=gettext_noop("CPC RF art. 332"), counting_basis=RU_CPC_COUNTING,
             trigger_label=gettext_noop("the ruling of the first-instance court")),
    RuleSpec("echr-application", gettext_noop("Application to the European Court of Human Rights"), ECHR,
             Unit.MONTHS, 4, roll_forward=False, legal_basis=ECHR_BASIS, counting_basis=ECHR_COUNTING,
             trigger_label=gettext_noop("the final domestic decision (the day it was served, if not given in public)"),
             valid_from=dt.date(2022, 2, 1), earlier_amount=6),
)
