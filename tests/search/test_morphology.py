"""Russian and English word forms match, in fields and inside DOCX, PDF and scanned (OCR) files."""
from __future__ import annotations

import pytest

from search import text
from tests.factories import CaseFactory, IncidentFactory, UserFactory
from tests.search.conftest import docx_bytes, found, page_html, scanned_pdf, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("indexed", "query"),
    [
        ("камерами", "камера"), ("камера", "камеры"), ("распознавания", "распознавание"),
        ("задержанием", "задержание"), ("задержали", "задержал"), ("ёлка", "елка"), ("Ёжиков", "ежиков"),
        ("cameras", "camera"), ("recognition", "recognitions"), ("stopped", "stopping"), ("Police", "POLICE"),
    ],
)
def test_analyzer_reduces_word_forms_to_one_term(indexed, query):
    assert text.analyze(indexed) == text.analyze(query)


def test_analyzer_keeps_different_words_apart():
    assert text.analyze("камера") != text.analyze("камин")
    assert text.analyze("camera") != text.analyze("came")


@pytest.fixture
def lead(search_backend):
    return UserFactory(username="lead")


def test_word_forms_match_in_fields(lead):
    case = CaseFactory(lead=lead, title="Дело о камерах", summary="Применение системы распознавания лиц в метро")
    incident = IncidentFactory(user=lead, cases=[case], title="Wrongful stops by cameras",
                               description="The passenger was stopped after the recognition system matched him.")
    assert ("case", case.pk) in found(lead, "камера")
    assert ("case", case.pk) in found(lead, "распознавание")
    assert ("case", case.pk) in found(lead, "системами")
    assert ("incident", incident.pk) in found(lead, "camera")
    assert ("incident", incident.pk) in found(lead, "stopping")
    assert ("incident", incident.pk) in found(lead, "recognitions")
    assert ("case", case.pk) not in found(lead, "камин")


def test_yo_is_folded(lead):
    case = CaseFactory(lead=lead, title="Учёт задержанных", summary="Её задержали у подъезда")
    assert ("case", case.pk) in found(lead, "учет")
    assert ("case", case.pk) in found(lead, "её")
    assert ("case", case.pk) in found(lead, "Учёт")


def test_word_forms_inside_a_docx(lead):
    case = CaseFactory(lead=lead, title="Дело", summary="")
    item = upload_evidence(
        lead, docx_bytes("Решение суда", "Суд установил, что камерами видеонаблюдения фиксировались лица.",
                         "Facial recognition cameras were deployed."),
        "decision.docx", case=case.pk, title="Решение",
    )
    assert ("evidence", item.pk) in found(lead, "камера")
    assert ("evidence", item.pk) in found(lead, "видеонаблюдение")
    assert ("evidence", item.pk) in found(lead, "camera")
    assert ("evidence", item.pk) in found(lead, '"facial recognition"')


def test_word_forms_inside_a_pdf(lead, pdf_from_docx):
    case = CaseFactory(lead=lead, title="Дело", summary="")
    pdf = pdf_from_docx("Апелляционное определение", "Жалоба на использование камер распознавания отклонена.",
                        "The appeal against the cameras was dismissed.")
    item = upload_evidence(lead, pdf, "appeal.pdf", case=case.pk, title="Определение")
    assert ("evidence", item.pk) in found(lead, "камерами")
    assert ("evidence", item.pk) in found(lead, "отклонение") or ("evidence", item.pk) in found(lead, "отклонена")
    assert ("evidence", item.pk) in found(lead, "жалобы")
    assert ("evidence", item.pk) in found(lead, "dismissing")


def test_search_page_finds_a_word_inside_a_russian_scanned_decision(lead):
    """The issue's "done" condition: a word from a scanned (OCR'd) Russian decision, found on the page by those
    allowed to see it, and by nobody else."""
    from tests.conftest import system_tool

    system_tool("tesseract")
    case = CaseFactory(lead=lead, title="Дело о метро", summary="")
    scan = scanned_pdf(["РЕШЕНИЕ", "Суд признал незаконным", "применение камер наблюдения"])
    item = upload_evidence(lead, scan, "scan.pdf", case=case.pk, title="Скан решения")
    item.refresh_from_db()
    assert "незаконн" in item.extracted_text.lower(), item.extracted_text
    html = page_html(lead, "незаконным")
    assert f"/evidence/{item.pk}/" in html
    assert "<mark>" in html
    assert ("evidence", item.pk) in found(lead, "незаконное")
    outsider = UserFactory(username="outsider")
    assert f"/evidence/{item.pk}/" not in page_html(outsider, "незаконным")
    assert found(outsider, "незаконным") == set()
