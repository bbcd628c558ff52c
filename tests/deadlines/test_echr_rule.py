"""The ECHR application rule (six months before 1 February 2022, four after), the warning for Russian cases with
facts after 16 September 2022, and explanations worded in the reader's language — in Russian and in English."""
from __future__ import annotations

import datetime as dt
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import translation

from cases import services as case_services
from deadlines import engine
from deadlines.models import Deadline, DeadlineRule
from tests.factories import IncidentFactory

MSK = ZoneInfo("Europe/Moscow")
MIGRATION = import_module("deadlines.migrations.0003_echr_six_months_before_2022")


def create(api, user, case, trigger: str, *, language: str = "en"):
    response = api(user).post("/api/v1/deadlines/", {
        "case": case.pk, "title": "Application to Strasbourg", "rule": "echr-application", "trigger_date": trigger,
    }, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.parametrize(("trigger", "due", "months"), [
    ("2021-12-01", "2022-06-01", 6),  # final decision before 1 February 2022: six months (Protocol 15, art. 8(3))
    ("2022-01-31", "2022-07-31", 6),  # the last day of the old rule (a Sunday: not moved)
    ("2022-02-01", "2022-06-01", 4),  # the first day of the four-month rule
    ("2023-05-15", "2023-09-15", 4),
])
def test_echr_time_limit_depends_on_the_date_of_the_final_decision(cast, api, trigger, due, months):
    body = create(api, cast.lead, cast.case, trigger)
    assert body["due_date"] == due
    transition = [s for s in body["explanation"] if s["step"] == "transition"]
    assert bool(transition) == (months == 6)
    assert not [s for s in body["explanation"] if s["step"] == "warning"]


@pytest.mark.parametrize(("language", "words"), [
    ("ru", ["Дата начала отсчёта — до 2022-02-01: применяется срок, действовавший тогда, — 6 месяцев.",
            "Жалоба в Европейский Суд по правам человека"]),
    ("en", ["The trigger is before 2022-02-01: the time-limit in force then applies, 6 months.",
            "Application to the European Court of Human Rights"]),
])
def test_the_explanation_is_worded_in_the_readers_language_whoever_computed_it(cast, api, language, words):
    """Computed by an English-speaking lead, read by a Russian-speaking lawyer (and the other way round)."""
    other = "en" if language == "ru" else "ru"
    body = create(api, cast.lead, cast.case, "2021-12-01", language=other)
    read = api(cast.lawyer).get(f"/api/v1/deadlines/{body['id']}/", HTTP_ACCEPT_LANGUAGE=language).json()
    texts = [s["text"] for s in read["explanation"]]
    assert words[0] in texts
    assert read["rule_name"] == words[1]
    # The page too.
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(cast.lawyer)
    page = client.get(f"/deadlines/{body['id']}/").content.decode()
    assert words[0] in page and words[1] in page


@pytest.mark.parametrize(("language", "phrase"), [
    ("ru", "Конвенция прекратила действие в отношении Российской Федерации 2022-09-16"),
    ("en", "The Convention ceased to apply to the Russian Federation on 2022-09-16"),
])
def test_a_russian_case_with_facts_after_16_september_2022_is_warned(cast, api, language, phrase):
    case_services.case_update(user=cast.lead, case=cast.case, data={"jurisdiction": "RU"})
    IncidentFactory(user=cast.lead, cases=[cast.case], title="Stop", occurred_at=dt.datetime(2022, 11, 3, 9, 0,
                                                                                            tzinfo=MSK))
    body = create(api, cast.lead, cast.case, "2023-05-15", language=language)
    warnings = [s for s in body["explanation"] if s["step"] == "warning"]
    assert len(warnings) == 1 and phrase in warnings[0]["text"] and "2022-11-03" in warnings[0]["text"]
    assert body["due_date"] == "2023-09-15"  # a warning, not a different date


def test_no_warning_for_earlier_facts_or_other_states(cast, api):
    case_services.case_update(user=cast.lead, case=cast.case, data={"jurisdiction": "RU"})
    IncidentFactory(user=cast.lead, cases=[cast.case], title="Stop", occurred_at=dt.datetime(2022, 9, 16, 23, 0,
                                                                                            tzinfo=MSK))
    assert not [s for s in create(api, cast.lead, cast.case, "2023-05-15")["explanation"] if s["step"] == "warning"]
    rule = DeadlineRule.objects.get(code="echr-application").as_spec()
    later = [dt.date(2023, 1, 1)]
    assert engine.convention_warning(rule, "UA", later) is None
    assert engine.convention_warning(rule, "RU", later) is not None
    cpc = DeadlineRule.objects.get(code="ru-cpc-appeal").as_spec()
    assert engine.convention_warning(cpc, "RU", later) is None


def test_steps_stored_before_explanations_were_structured_keep_their_text():
    legacy = [{"step": "due", "date": "2025-01-09", "text": "Due date: 2025-01-09 (Thursday)."}]
    with translation.override("ru"):
        assert engine.render_steps(legacy) == legacy
        assert engine.render_steps("not a list") == []


@pytest.mark.django_db
def test_the_migration_gives_the_builtin_row_six_months_but_leaves_an_edited_row_alone():
    rule = DeadlineRule.objects.get(code="echr-application")
    DeadlineRule.objects.filter(pk=rule.pk).update(earlier_amount=None, legal_basis=MIGRATION.OLD_BASIS)
    MIGRATION.fix_echr(apps)
    rule.refresh_from_db()
    assert rule.earlier_amount == 6 and rule.legal_basis == MIGRATION.NEW_BASIS
    assert rule.as_spec() == next(r for r in engine.BUILTIN_RULES if r.code == "echr-application")
    DeadlineRule.objects.filter(pk=rule.pk).update(earlier_amount=None, legal_basis="Edited by staff")
    MIGRATION.fix_echr(apps)
    rule.refresh_from_db()
    assert rule.earlier_amount is None and rule.legal_basis == "Edited by staff"


def test_the_migration_restructures_stored_explanations_with_the_same_date(cast, api):
    body = create(api, cast.lead, cast.case, "2023-05-15")
    Deadline.objects.filter(pk=body["id"]).update(explanation=[{"step": "due", "text": "old English text"}])
    MIGRATION.structure_explanations(apps, None)
    steps = Deadline.objects.get(pk=body["id"]).explanation
    assert all("msg" in s and "params" in s for s in steps) and steps[-1]["step"] == "due"
