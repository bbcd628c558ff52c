"""Which procedure a case is in, and the words each procedure uses for its parties, filings and rulings.

Docket's data does not store the procedure; it is read from what the case already records, in this order (the first
that answers wins, and ``Procedure.reason`` says which):

1. the current proceeding (see ``current_proceeding``) is before the European Court of Human Rights, or the case's
   jurisdiction is ``ECHR`` → the ECHR (applicant, respondent State, third-party intervener);
2. the court's case number of the current proceeding, then of the other proceedings, read as Russian courts of
   general jurisdiction number their cases: an index with the letter "а" (``2а-…`` first instance, ``33а-…``
   appeal, ``8а-…``/``88а-…`` cassation) is an administrative case under the Code of Administrative Procedure (КАС
   РФ); an index without it (``2-…``, ``33-…``, ``8Г-…``, ``88-…``) a civil case under the Code of Civil Procedure (ГПК
   РФ); an arbitrazh number (``А40-…``) uses the civil words too (АПК РФ has the same parties);
3. the rules of the case's deadlines: ``ru-cas-…`` → КАС, ``ru-cpc-…`` → ГПК;
4. otherwise the civil words, and the reason says it was a default.

A caller may also name the procedure (``?procedure=cpc|cas|echr``): then that one is used and the reason says so.

The words are checked against the codes' own: ГПК РФ art. 38 (истец, ответчик), art. 42-43 (третьи лица), art. 48
(представитель), art. 131 (исковое заявление), art. 321 (апелляционная жалоба), art. 329 (апелляционное
определение), art. 376, 390 (кассационная жалоба, кассационное определение); КАС РФ art. 38 (административный истец,
административный ответчик), art. 47 (заинтересованное лицо), art. 125 (административное исковое заявление), art. 295,
311, 318, 330; the Convention's official Russian text, art. 34 (заявитель), art. 36 (третья сторона) and the Court's
Rules (государство-ответчик).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import pgettext

CIVIL = "cpc"
ADMINISTRATIVE = "cas"
ECHR = "echr"
PROCEDURES = (CIVIL, ADMINISTRATIVE, ECHR)

# Stages from the earliest to the latest: the current proceeding is the latest stage reached.
STAGE_ORDER = ("dpa", "first_instance", "appeal", "cassation", "supreme_court", "constitutional_court", "echr")

# A Russian general-jurisdiction case number: the index (digits, optional letter), a hyphen, the number.
_RU_INDEX = re.compile(r"^\s*(?:№\s*)?(\d{1,2})\s*([аaАAгГ]?)\s*[-‐‑–]\s*\d")
_ARBITRAZH = re.compile(r"^\s*(?:№\s*)?[АA]\d{2}\s*[-‐‑–]\s*\d")
_ADMIN_LETTERS = frozenset("аaАA")


@dataclass(frozen=True)
class Procedure:
    code: str  # one of PROCEDURES
    reason: str  # why this procedure, in the active language

    @property
    def name(self) -> str:
        return procedure_name(self.code)


def procedure_name(code: str) -> str:
    return {
        CIVIL: pgettext("doc", "Code of Civil Procedure of the Russian Federation"),
        ADMINISTRATIVE: pgettext("doc", "Code of Administrative Procedure of the Russian Federation"),
        ECHR: pgettext("doc", "European Court of Human Rights"),
    }.get(code, code)


def procedure_short_name(code: str) -> str:
    return {
        CIVIL: pgettext("doc", "CPC RF"),
        ADMINISTRATIVE: pgettext("doc", "CAS RF"),
        ECHR: pgettext("doc", "ECHR"),
    }.get(code, code)


def current_proceeding(proceedings: Iterable) -> object | None:
    """The proceeding the case is at now: the latest stage; among equal stages the latest filed (then created)."""
    best, best_key = None, None
    for proc in proceedings:
        stage = getattr(proc, "stage", "")
        rank = STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1
        filed = getattr(proc, "filed_on", None)
        key = (rank, filed.toordinal() if filed else 0, getattr(proc, "pk", 0) or 0)
        if best_key is None or key > best_key:
            best, best_key = proc, key
    return best


def procedure_from_number(number: str) -> str | None:
    """``cas`` for an administrative index (2а-, 33а-, 8а-, 88а-), ``cpc`` for a civil or arbitrazh one, else None."""
    number = number or ""
    if _ARBITRAZH.match(number):
        return CIVIL
    match = _RU_INDEX.match(number)
    if match is None:
        return None
    return ADMINISTRATIVE if match.group(2) in _ADMIN_LETTERS else CIVIL


def infer_procedure(*, jurisdiction: str, proceedings: list, rule_codes: Iterable[str] = (),
                    requested: str | None = None) -> Procedure:
    """The procedure of a case from its own data (see the module's docstring), with the reason in words."""
    if requested in PROCEDURES:
        return Procedure(requested, pgettext("doc", "chosen when the document was requested"))
    current = current_proceeding(proceedings)
    if current is not None and current.stage == "echr":
        return Procedure(ECHR, pgettext("doc", "the current proceeding is before the European Court of Human Rights"))
    if (jurisdiction or "").upper() == "ECHR":
        return Procedure(ECHR, pgettext("doc", "the case's jurisdiction is the ECHR"))
    ordered = ([current] if current is not None else []) + [p for p in proceedings if p is not current]
    for proc in ordered:
        found = procedure_from_number(getattr(proc, "case_number", ""))
        if found is not None:
            return Procedure(found, pgettext("doc", "from the court's case number %(number)s") % {
                "number": proc.case_number.strip()})
    codes = [c or "" for c in rule_codes]
    if any(c.startswith("ru-cas-") for c in codes):
        return Procedure(ADMINISTRATIVE, pgettext("doc", "from the case's deadlines under the CAS RF"))
    if any(c.startswith("ru-cpc-") for c in codes):
        return Procedure(CIVIL, pgettext("doc", "from the case's deadlines under the CPC RF"))
    return Procedure(CIVIL, pgettext("doc", "nothing in the case names the procedure: civil procedure assumed"))


# --- Parties ---------------------------------------------------------------------------------------------------------
def party_role_label(role: str, procedure: str) -> str:
    """The role of a party in the procedure's own words (one party: singular)."""
    if procedure == ECHR:
        labels = {
            "claimant": pgettext("doc ECHR", "Applicant"),
            "respondent": pgettext("doc ECHR", "Respondent State"),
            "third_party": pgettext("doc ECHR", "Third party"),
            "intervener": pgettext("doc ECHR", "Third party"),
            "representative": pgettext("doc ECHR", "Representative"),
        }
    elif procedure == ADMINISTRATIVE:
        labels = {
            "claimant": pgettext("doc CAS", "Administrative claimant"),
            "respondent": pgettext("doc CAS", "Administrative defendant"),
            "third_party": pgettext("doc CAS", "Interested party"),
            "intervener": pgettext("doc CAS", "Interested party"),
            "representative": pgettext("doc CAS", "Representative"),
        }
    else:
        labels = {
            "claimant": pgettext("doc CPC", "Claimant"),
            "respondent": pgettext("doc CPC", "Defendant"),
            "third_party": pgettext("doc CPC", "Third party"),
            "intervener": pgettext("doc CPC", "Third party with an independent claim"),
            "representative": pgettext("doc CPC", "Representative"),
        }
    return labels.get(role, role)


PARTY_ORDER = ("claimant", "respondent", "third_party", "intervener", "representative")

# Respondent States before the ECHR, by the case's jurisdiction (ISO 3166-1 alpha-2).
_STATES = {
    "RU": ("Russian Federation", "Российская Федерация"),
    "UA": ("Ukraine", "Украина"),
    "GE": ("Georgia", "Грузия"),
    "AZ": ("Azerbaijan", "Азербайджан"),
    "AM": ("Armenia", "Армения"),
    "MD": ("Republic of Moldova", "Республика Молдова"),
    "TR": ("Türkiye", "Турецкая Республика"),
}


def respondent_state(jurisdiction: str, language: str) -> str:
    names = _STATES.get((jurisdiction or "").upper())
    if names is None:
        return ""
    return names[1] if language == "ru" else names[0]


# --- Proceedings: what was filed, heard, decided --------------------------------------------------------------------
def proceeding_event(stage: str, event: str, procedure: str) -> str:
    """A full phrase for a proceeding's event (``filed``, ``hearing``, ``decided``), grammatical in each language."""
    if event == "filed":
        if stage == "first_instance":
            if procedure == ADMINISTRATIVE:
                return pgettext("doc", "Administrative statement of claim filed")
            return pgettext("doc", "Statement of claim filed")
        return {
            "appeal": pgettext("doc", "Appeal lodged"),
            "cassation": pgettext("doc", "Cassation appeal lodged"),
            "supreme_court": pgettext("doc", "Cassation appeal lodged with the Supreme Court"),
            "constitutional_court": pgettext("doc", "Complaint lodged with the Constitutional Court"),
            "echr": pgettext("doc", "Application lodged with the European Court of Human Rights"),
            "dpa": pgettext("doc", "Complaint lodged with the data-protection authority"),
        }.get(stage, pgettext("doc", "Application filed"))
    if event == "hearing":
        return {
            "first_instance": pgettext("doc", "Hearing at first instance"),
            "appeal": pgettext("doc", "Appeal hearing"),
            "cassation": pgettext("doc", "Cassation hearing"),
            "supreme_court": pgettext("doc", "Hearing at the Supreme Court"),
            "constitutional_court": pgettext("doc", "Hearing at the Constitutional Court"),
            "echr": pgettext("doc", "Hearing at the European Court of Human Rights"),
            "dpa": pgettext("doc", "Complaint examined by the data-protection authority"),
        }.get(stage, pgettext("doc", "Hearing"))
    return {
        "first_instance": pgettext("doc", "First-instance judgment given"),
        "appeal": pgettext("doc", "Appeal ruling given"),
        "cassation": pgettext("doc", "Cassation ruling given"),
        "supreme_court": pgettext("doc", "Ruling of the Supreme Court given"),
        "constitutional_court": pgettext("doc", "Decision of the Constitutional Court given"),
        "echr": pgettext("doc", "Judgment or decision of the European Court of Human Rights given"),
        "dpa": pgettext("doc", "Decision of the data-protection authority received"),
    }.get(stage, pgettext("doc", "Decision given"))


def person_part_label(part: str) -> str:
    """How a person took part in an incident, in words that do not presume their gender."""
    return {
        "affected": pgettext("doc", "Affected person"),
        "witness": pgettext("doc", "Witness"),
        "officer": pgettext("doc", "Official"),
    }.get(part, part)
