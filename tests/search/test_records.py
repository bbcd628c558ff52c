"""The global search over a case's records: proceedings (court case numbers, courts, judges), claims (and the
authorities they cite), authorities (the shared library and those private to a case), requests to authorities and
tasks — each under the access rules of its case, on both backends, through the API and the page."""
from __future__ import annotations

import pytest

from cases import services
from litigation.services import claims as claim_services
from litigation.services import requests as request_services
from litigation.services import tasks as task_services
from tests.factories import CaseFactory, UserFactory, add_member
from tests.search.conftest import api_search, found, page_html

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(search_backend):
    lead, observer, outsider = UserFactory(username="lead"), UserFactory(username="obs"), UserFactory(username="out")
    case = CaseFactory(lead=lead, title="Жалоба на систему «Сфера»")
    add_member(case, observer, "observer", actor=lead)
    other = CaseFactory(lead=outsider, title="Other case")
    proceeding = services.proceeding_create(user=lead, case=case, stage="first_instance",
                                            court="Тверской районный суд г. Москвы", case_number="2а-1187/2026",
                                            judge="Сорокина Анна")
    library = claim_services.authority_create(user=lead, title="Glukhin v. Russia", identifier="11519/20",
                                              court="ECtHR", kind="judgment")
    private = claim_services.authority_create(user=lead, title="Решение Мещанского суда о камерах", case=case,
                                              identifier="02а-0577/2020", kind="judgment")
    claim = claim_services.claim_create(user=lead, case=case, right="Article 8 of the Convention",
                                        basis="Обработка биометрических персональных данных без согласия")
    claim_services.citation_add(user=lead, claim=claim, authority=library, pinpoint="§ 90")
    req = request_services.request_create(user=lead, case=case, addressee="ГУ МВД по г. Москве",
                                          subject="Запрос о хранении снимков", kind="ru-8fz-information")
    task = task_services.task_create(user=lead, case=case, title="Подготовить апелляционную жалобу")
    outsider_task = task_services.task_create(user=outsider, case=other, title="Подготовить возражения")
    return {"lead": lead, "observer": observer, "outsider": outsider, "case": case, "proceeding": proceeding,
            "library": library, "private": private, "claim": claim, "request": req, "task": task,
            "outsider_task": outsider_task}


def test_proceedings_found_by_court_number_court_and_judge(world):
    key = ("proceeding", world["proceeding"].pk)
    for q in ("2а-1187/2026", "Тверской", "Сорокина"):
        assert key in found(world["lead"], q), q
        assert key in found(world["observer"], q), q
        assert key not in found(world["outsider"], q), q
    assert [r["title"] for r in api_search(world["lead"], q="Сорокина")["results"]] == [
        "2а-1187/2026 — Тверской районный суд г. Москвы"]
    html = page_html(world["lead"], "Сорокина")
    assert f"/cases/{world['case'].pk}/#proceedings" in html and "Proceeding" in html


def test_claims_authorities_requests_and_tasks(world):
    lead, observer, outsider = world["lead"], world["observer"], world["outsider"]
    assert ("claim", world["claim"].pk) in found(observer, "биометрических")
    # A claim is found by what it cites.
    assert ("claim", world["claim"].pk) in found(lead, "Glukhin")
    assert ("request", world["request"].pk) in found(observer, "хранении")
    assert ("task", world["task"].pk) in found(observer, "апелляционную")
    # The shared library is everyone's; a case's private authority only its members'.
    assert ("authority", world["library"].pk) in found(outsider, "Glukhin")
    assert ("authority", world["private"].pk) in found(observer, "Мещанского")
    assert found(outsider, "Мещанского") == set()
    assert found(outsider, "биометрических хранении апелляционную") == set()
    assert {("task", world["outsider_task"].pk)} == found(outsider, "подготовить")
    assert ("task", world["outsider_task"].pk) not in found(lead, "подготовить")


def test_type_filter_and_what_is_never_indexed(world):
    lead = world["lead"]
    assert found(lead, "Сорокина", type="proceeding") == {("proceeding", world["proceeding"].pk)}
    assert found(lead, "Сорокина", type="claim") == set()
    # The text of a request (a letter in a person's name may carry their real name) is never indexed.
    request_services.request_update(user=lead, request=world["request"], data={"body": "Заявитель Воронцова просит"})
    assert world["request"].__class__.objects.get(pk=world["request"].pk).body == "Заявитель Воронцова просит"
    assert found(lead, "Воронцова") == set()


def test_trash_and_purge_take_the_records_with_the_case(world):
    lead, observer = world["lead"], world["observer"]
    services.case_trash(user=lead, case=world["case"])
    for q in ("Сорокина", "биометрических", "хранении", "апелляционную", "Мещанского"):
        assert found(observer, q) == set(), q
        assert found(lead, q) == set(), q
    services.case_restore(user=lead, case=world["case"])
    assert ("proceeding", world["proceeding"].pk) in found(observer, "Сорокина")
    services.proceeding_delete(user=lead, proceeding=world["proceeding"])
    assert found(lead, "Сорокина") == set()
