"""Leak tests: an outsider, an observer (restricted evidence, identities), a removed member and a user with a
shared incident find exactly what they may see — through the API and the page, on every backend."""
from __future__ import annotations

import pytest

from cases import services
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.search.conftest import found, page_html, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(search_backend):
    lead = UserFactory(username="lead")
    case = CaseFactory(
        lead=lead, title="Камеры в метро", summary="Иск против распознавания лиц камерами",
        privileged_notes="привилегированнаястратегия договорились с клиентом",
    )
    users = {"lead": lead}
    for role in ("lawyer", "researcher", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    users["removed"] = UserFactory(username="removed")
    add_member(case, users["removed"], "lawyer")
    users["outsider"] = UserFactory(username="outsider")
    # The outsider has a case of their own with the same words: they must find only that one.
    own = CaseFactory(lead=users["outsider"], title="Собственное дело про камеры", summary="камера у подъезда")
    incident = IncidentFactory(user=lead, cases=[case], title="Задержание после ложного срабатывания камеры",
                               description="Пассажира задержали на станции Парк культуры")
    unlinked = IncidentFactory(user=lead, cases=[], title="Неподвязанный инцидент камера",
                               description="черновикисследователя")
    restricted = upload_evidence(
        lead, "Показания свидетеля: секретныйфайл, камерами снимали всех.\n".encode(), "statement.txt",
        case=case.pk, title="Показания свидетеля", restricted="true",
    )
    public = upload_evidence(lead, "Публичный отчёт о камерах, открытыйфайл.\n".encode(), "report.txt",
                             case=case.pk, title="Отчёт")
    person = PersonFactory(user=lead, pseudonym="Заявитель Альфа", real_name="Иван Скрытнов")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    services.member_remove(actor=lead, case=case, user=users["removed"])
    return {"case": case, "own": own, "incident": incident, "unlinked": unlinked, "restricted": restricted,
            "public": public, "person": person, **users}


def test_members_find_the_case_incident_and_evidence(world):
    hits = found(world["observer"], "камера")
    assert ("case", world["case"].pk) in hits
    assert ("incident", world["incident"].pk) in hits
    assert ("evidence", world["public"].pk) in hits
    assert ("case", world["own"].pk) not in hits


def test_outsider_finds_only_their_own_case(world):
    assert found(world["outsider"], "камера") == {("case", world["own"].pk)}
    for word in ("метро", "Парк культуры", "секретныйфайл", "открытыйфайл", "Альфа", "Скрытнов", "Показания",
                 "черновикисследователя"):
        assert found(world["outsider"], word) == set(), word
    html = page_html(world["outsider"], "камера")
    assert "Собственное дело" in html
    assert "Камеры в метро" not in html and "Задержание" not in html and "Отчёт" not in html


def test_removed_member_finds_nothing_of_the_case(world):
    for word in ("камера", "метро", "открытыйфайл", "Альфа", "Показания"):
        assert found(world["removed"], word) == set(), word
    html = page_html(world["removed"], "камера")
    assert "Камеры в метро" not in html and "Задержание" not in html


def test_observer_does_not_find_words_only_inside_a_restricted_file(world):
    observer, researcher = world["observer"], world["researcher"]
    item = ("evidence", world["restricted"].pk)
    assert found(observer, "секретныйфайл") == set()
    assert "секретныйфайл" not in page_html(observer, "секретныйфайл")
    # ... in any query form: prefix, phrase, OR with a word it may see.
    assert found(observer, "секретн*") == set()
    assert item not in found(observer, "секретныйфайл OR открытыйфайл")
    # The record itself (title, description) stays findable for the observer; its file text is not shown.
    assert item in found(observer, "Показания")
    html = page_html(observer, "Показания")
    assert "секретныйфайл" not in html and "снимали" not in html
    # Those who may download it find the words inside.
    assert item in found(researcher, "секретныйфайл")
    assert item in found(world["lead"], "секретн*")
    assert "<mark>секретныйфайл</mark>" in page_html(researcher, "секретныйфайл")


def test_observer_finds_words_inside_unrestricted_files(world):
    assert ("evidence", world["public"].pk) in found(world["observer"], "открытыйфайл")


def test_real_names_only_for_roles_that_see_identities(world):
    person = ("person", world["person"].pk)
    assert found(world["observer"], "Скрытнов") == set()
    assert "Скрытнов" not in page_html(world["observer"], "Альфа")
    assert person in found(world["observer"], "Альфа")  # the pseudonym is public to viewers
    assert person in found(world["researcher"], "Скрытнов")
    assert person in found(world["lawyer"], "Иван")


def test_privileged_notes_are_never_searchable(world):
    for user in ("lead", "lawyer", "observer"):
        assert found(world[user], "привилегированнаястратегия") == set()


def test_unlinked_incident_only_for_its_creator_and_those_it_is_shared_with(world):
    unlinked = ("incident", world["unlinked"].pk)
    assert unlinked in found(world["lead"], "черновикисследователя")
    assert found(world["observer"], "черновикисследователя") == set()
    services.incident_share(actor=world["lead"], incident=world["unlinked"], user=world["observer"])
    assert unlinked in found(world["observer"], "черновикисследователя")
    services.incident_unshare(actor=world["lead"], incident=world["unlinked"], user=world["observer"])
    assert found(world["observer"], "черновикисследователя") == set()


def test_trashed_case_disappears_and_comes_back(world):
    case = ("case", world["case"].pk)
    services.case_trash(user=world["lead"], case=world["case"])
    assert case not in found(world["lead"], "метро")
    assert found(world["observer"], "камера") == set() or case not in found(world["observer"], "камера")
    services.case_restore(user=world["lead"], case=world["case"])
    assert case in found(world["lead"], "метро")


def test_restricting_an_item_later_hides_its_text_from_observers(world):
    from evidence.services import evidence_set_restricted

    item = ("evidence", world["public"].pk)
    assert item in found(world["observer"], "открытыйфайл")
    evidence_set_restricted(user=world["lead"], item=world["public"], restricted=True)
    assert found(world["observer"], "открытыйфайл") == set()
    assert item in found(world["researcher"], "открытыйфайл")


def test_stale_index_never_leaks(world, settings):
    """Even if the index still says "open" (a write that never happened), the database re-check decides."""
    from evidence.models import EvidenceItem

    EvidenceItem.objects.filter(pk=world["public"].pk).update(restricted=True)  # bypasses indexing on purpose
    assert found(world["observer"], "открытыйфайл") == set()
    # The incident moves to a case the observer is not on, behind the index's back: still not found.
    incident = world["incident"]
    assert ("incident", incident.pk) in found(world["observer"], "Задержание")
    incident.cases.set([world["own"]])  # a raw M2M change: no re-indexing
    assert found(world["observer"], "Задержание") == set()
    services.member_remove(actor=world["lead"], case=world["case"], user=world["observer"])
    assert found(world["observer"], "Отчёт") == set()


def test_anonymous_gets_401_and_page_redirects(world, client):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/search/", {"q": "камера"}).status_code == 401
    response = client.get("/search/", {"q": "камера"})
    assert response.status_code == 302
