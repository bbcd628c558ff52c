"""Russian legal terms and agreement (issue 14's list), the procedure read from the case, dates and zones — in both
languages."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from documents import formatting as fmt, procedure as proc, wording


def proceeding(stage, number="", filed=None, pk=1):
    return SimpleNamespace(stage=stage, case_number=number, filed_on=filed, pk=pk)


@pytest.mark.parametrize(("number", "expected"), [
    ("2а-1187/2025", proc.ADMINISTRATIVE),   # Cyrillic а: district court, КАС
    ("2a-77/2026", proc.ADMINISTRATIVE),     # the same typed with a Latin a
    ("33а-40512/2025", proc.ADMINISTRATIVE),  # appeal, КАС
    ("88а-1234/2026", proc.ADMINISTRATIVE),  # cassation ruling, КАС
    ("2-1187/2025", proc.CIVIL),             # district court, ГПК
    ("33-40512/2025", proc.CIVIL),
    ("8Г-3391/2026", proc.CIVIL),             # cassation complaint, ГПК
    ("№ 88-123/2026", proc.CIVIL),
    ("А40-12345/2025", proc.CIVIL),           # arbitrazh: the same party words (АПК)
    ("12345/22", None),                       # an ECHR application number says nothing about domestic procedure
    ("", None),
])
def test_procedure_from_a_court_case_number(number, expected):
    assert proc.procedure_from_number(number) == expected


def test_procedure_is_read_from_the_current_proceeding_then_the_others_then_the_deadlines():
    with translation.override("en"):
        echr = proc.infer_procedure(jurisdiction="RU", proceedings=[
            proceeding("first_instance", "2а-1/2025", dt.date(2025, 1, 1), 1), proceeding("echr", pk=2)])
        assert echr.code == proc.ECHR and "European Court" in echr.reason
        admin = proc.infer_procedure(jurisdiction="RU", proceedings=[
            proceeding("first_instance", "2а-1/2025", dt.date(2025, 1, 1), 1),
            proceeding("appeal", "", dt.date(2025, 6, 1), 2)])
        assert admin.code == proc.ADMINISTRATIVE and "2а-1/2025" in admin.reason
        by_rule = proc.infer_procedure(jurisdiction="RU", proceedings=[], rule_codes=["ru-cpc-appeal"])
        assert by_rule.code == proc.CIVIL and "deadlines" in by_rule.reason
        assumed = proc.infer_procedure(jurisdiction="RU", proceedings=[])
        assert assumed.code == proc.CIVIL and "assumed" in assumed.reason
        chosen = proc.infer_procedure(jurisdiction="RU", proceedings=[], requested=proc.ADMINISTRATIVE)
        assert chosen.code == proc.ADMINISTRATIVE and "requested" in chosen.reason
    current = proc.current_proceeding([proceeding("appeal", pk=5), proceeding("first_instance", pk=9)])
    assert current.stage == "appeal"


PARTIES = {
    ("cpc", "ru"): ["Истец", "Ответчик", "Третье лицо"],
    ("cas", "ru"): ["Административный истец", "Административный ответчик", "Заинтересованное лицо"],
    ("echr", "ru"): ["Заявитель", "Государство-ответчик", "Третья сторона"],
    ("cpc", "en"): ["Claimant", "Defendant", "Third party"],
    ("cas", "en"): ["Administrative claimant", "Administrative defendant", "Interested party"],
    ("echr", "en"): ["Applicant", "Respondent State", "Third party"],
}


@pytest.mark.parametrize(("procedure", "language"), list(PARTIES))
def test_parties_are_named_in_the_procedures_own_words(procedure, language):
    with translation.override(language):
        labels = [proc.party_role_label(role, procedure) for role in ("claimant", "respondent", "third_party")]
    assert labels == PARTIES[(procedure, language)]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_proceeding_events_are_whole_phrases_that_agree(language):
    with translation.override(language):
        appeal_filed = proc.proceeding_event("appeal", "filed", proc.CIVIL)
        appeal_decided = proc.proceeding_event("appeal", "decided", proc.CIVIL)
        cas_filed = proc.proceeding_event("first_instance", "filed", proc.ADMINISTRATIVE)
        cassation = proc.proceeding_event("cassation", "decided", proc.ADMINISTRATIVE)
        affected = proc.person_part_label("affected")
    if language == "ru":
        assert appeal_filed == "Подана апелляционная жалоба"  # not "Апелляция: подано"
        assert appeal_decided == "Вынесено апелляционное определение"  # an appeal decides by "определение"
        assert cas_filed == "Подано административное исковое заявление"
        assert cassation == "Вынесено кассационное определение"
        assert affected == "Пострадавшее лицо"  # not "Пострадавший" for a woman
    else:
        assert (appeal_filed, appeal_decided) == ("Appeal lodged", "Appeal ruling given")
        assert cas_filed == "Administrative statement of claim filed" and affected == "Affected person"


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", ["Файл получен и сохранён", "Включено в комплект документов для суда (ZIP), выгрузка № 4",
            "Изменены сведения о доказательстве: наименование, источник", "Доступ ограничен",
            "Проверка целостности: обнаружены нарушения: the stored file is missing"]),
    ("en", ["File received and stored", "Exported in the court bundle (ZIP), export No. 4",
            "Description of the item changed: title, source", "Access restricted",
            "Integrity checked: problems found: the stored file is missing"]),
])
def test_custody_events_are_worded_from_their_data(language, expected):
    with translation.override(language):
        texts = [
            wording.custody_event("uploaded", {"filename": "a.pdf", "size": 5, "duplicate_of": None,
                                               "stored_new_blob": True, "case": 3, "exhibit_number": 2},
                                  case_id=3, language=language),
            wording.custody_event("exported", {"bundle": 4, "case": 9, "exhibit_number": 1}, case_id=3,
                                  language=language),
            wording.custody_event("edited", {"fields": ["title", "source"]}, case_id=3, language=language),
            wording.custody_event("restricted", {"restricted": True}, case_id=3, language=language),
            wording.custody_event("verified", {"ok": False, "problems": ["the stored file is missing"]},
                                  case_id=3, language=language),
        ]
    assert texts[0].startswith(expected[0]) and "None" not in texts[0] and "stored_new_blob" not in texts[0]
    for text, start in zip(texts[1:], expected[1:]):
        assert text.startswith(start), text
    # Another case is never named: the report says only "another case".
    assert ("другое дело" if language == "ru" else "another case") in texts[1]


def test_unknown_actions_keep_every_value_including_lists():
    text = wording.custody_event("sealed", {"keys": ["a", "b"], "note": "x"}, case_id=1, language="en",
                                 fallback_label="Sealed")
    assert text == "Sealed (keys: a, b; note: x)"


@pytest.mark.parametrize(("language", "expected"), [("ru", "1\u00a0марта 2025\u00a0г."), ("en", "1\u00a0March 2025")])
def test_dates_in_the_documents_language(language, expected):
    assert fmt.format_date(dt.date(2025, 3, 1), language) == expected


def test_times_carry_their_zone(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    moment = dt.datetime(2025, 2, 28, 22, 30, tzinfo=dt.UTC)  # 01:30 on 1 March in Moscow
    assert fmt.format_datetime(moment, "ru") == "1\u00a0марта 2025\u00a0г., 01:30\u00a0МСК"
    assert fmt.format_datetime(moment, "en") == "1\u00a0March 2025, 01:30\u00a0MSK"
    assert fmt.zone_statement(moment, "en") == "Europe/Moscow (MSK, UTC+03:00)"
    settings.TIME_ZONE = "Asia/Yekaterinburg"  # no letter abbreviation: the offset instead
    assert fmt.format_time(moment) == "03:30\u00a0UTC+05:00"
    assert fmt.zone_statement(moment) == "Asia/Yekaterinburg (UTC+05:00)"


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", "Апелляционная жалоба на решение суда первой инстанции (административное судопроизводство)"),
    ("en", "Appeal against a first-instance decision (administrative procedure)"),
])
def test_built_in_rule_names_are_translated_and_staff_texts_kept(language, expected):
    from deadlines.engine import BUILTIN_RULES, rule_text

    spec = next(r for r in BUILTIN_RULES if r.code == "ru-cas-appeal")
    with translation.override(language):
        assert rule_text(spec.name) == expected
        assert rule_text("Our own rule, written by staff") == "Our own rule, written by staff"
        assert rule_text("") == ""
        assert ("ч. 1 ст. 298 КАС РФ" if language == "ru" else "CAS RF art. 298(1)") == rule_text(spec.legal_basis)


def test_deadline_statuses_in_words():
    today = dt.date(2026, 1, 10)
    with translation.override("ru"):
        assert [wording.deadline_status(s, d, today) for s, d in (
            ("open", dt.date(2026, 2, 1)), ("open", dt.date(2026, 1, 1)), ("done", None), ("missed", None))] == [
            "не истёк", "истёк", "соблюдён", "пропущен"]


def test_the_demo_runs_in_moscow_time():
    """``make demo`` and ``make run`` start Docket with TIME_ZONE=Europe/Moscow unless TIME_ZONE is set."""
    import re as _re
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "DEMO_TIME_ZONE ?= Europe/Moscow" in makefile
    for target in ("demo", "run"):
        recipe = _re.search(rf"^{target}:.*?(?=^\S)", makefile, _re.M | _re.S).group(0)
        assert "$(DEMO_ENV) $(PY) manage.py" in recipe, target
    assert ZoneInfo("Europe/Moscow")
