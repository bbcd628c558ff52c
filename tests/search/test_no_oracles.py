"""Search is no oracle (API.md "Access rules", docs/access-model.md "No oracles"), through the service, the API and
the page, on every backend:

- what a caller gets (membership, order, internal scores, count, snippets) is the same with and without a hidden
  document holding the words: a hidden case, a hidden incident, a restricted item's file text the caller may not
  download, a real name the caller may not read, a person in a hidden case;
- a word that exists only in hidden records answers like a word that exists nowhere;
- ``case=<hidden id>`` answers exactly like ``case=<id that does not exist>``;
- raw scores are not exposed;
- an incident linked only to a case in the trash is found by nobody, not even by whoever logged it.
"""
from __future__ import annotations

import pytest

from cases import services
from search import service
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.search.conftest import api_for, found, page_html, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = ["камера", "камера жалоба", "кам*", "жал*", '"камера жалоба"', "камера OR жалоба", "камера -метро",
           "NOT метро"]  # the last one last (see below)
HIDDEN_WORDS = "камера жалоба камерофон жалобщик тайноеслово " * 4
SHAPES = ["hidden_case", "hidden_incident", "restricted_text", "hidden_real_name", "hidden_person"]


@pytest.fixture
def world(search_backend):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Камера в метро", summary="Жалоба на камеры. Жалоба в суд.")
    observer, outsider, stranger = (UserFactory(username=n) for n in ("observer", "outsider", "stranger"))
    add_member(case, observer, "observer")
    IncidentFactory(user=lead, cases=[case], title="Задержание", description="камера " + "слово " * 40 + "жалоба")
    IncidentFactory(user=lead, cases=[case], title="Жалоба", description="камерами снимали; камера")
    upload_evidence(lead, "камера жалоба камера\n".encode(), "report.txt", case=case.pk, title="Отчёт")
    person = PersonFactory(user=lead, pseudonym="Заявитель камера", real_name="Иван Петров")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    # The outsider has a case of their own with the same words.
    CaseFactory(lead=outsider, title="Своё дело о камерах", summary="жалоба на камеру у подъезда")
    other = CaseFactory(lead=stranger, title="Чужое дело", summary="ничего")
    return {"lead": lead, "case": case, "observer": observer, "outsider": outsider, "stranger": stranger,
            "other": other}


def add_hidden(world, shape: str) -> None:
    """Add, through the real services, something the observer and the outsider may not see (or not read) that is
    full of the words searched."""
    lead, stranger = world["lead"], world["stranger"]
    if shape == "hidden_case":
        CaseFactory(lead=stranger, title="Камера жалоба", summary=HIDDEN_WORDS)
    elif shape == "hidden_incident":
        IncidentFactory(user=stranger, cases=[world["other"]], title="Камера", description=HIDDEN_WORDS)
        IncidentFactory(user=stranger, cases=[], title="Жалоба", description=HIDDEN_WORDS)
    elif shape == "restricted_text":
        # Visible to the observer (title, file name), but its file text is for those who may download it.
        upload_evidence(lead, HIDDEN_WORDS.encode(), "statement.txt", case=world["case"].pk, title="Справка",
                        restricted="true")
    elif shape == "hidden_real_name":
        person = PersonFactory(user=lead, pseudonym="Свидетель", real_name=HIDDEN_WORDS)
        services.party_create(user=lead, case=world["case"], role="third_party", person=person)
    elif shape == "hidden_person":
        person = PersonFactory(user=stranger, pseudonym="Камера жалоба", real_name=HIDDEN_WORDS)
        services.party_create(user=stranger, case=world["other"], role="claimant", person=person)


def internal(user, q: str, **params) -> tuple:
    """The service's answer with its internal scores: (count, [(type, id, score, title, snippet)])."""
    page = service.search(user, service.search_params({"q": q, "page_size": 100, **params}))
    return page.count, [(r.type, r.id, r.score, r.title, r.snippet) for r in page.results]


def api(user, q: str, **params) -> tuple:
    response = api_for(user).get("/api/v1/search/", {"q": q, "page_size": 100, **params})
    return response.status_code, response.json()


def snapshot(world, queries) -> dict:
    return {
        (name, q): (internal(world[name], q), api(world[name], q), page_html(world[name], q))
        for name in ("observer", "outsider") for q in queries
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_results_do_not_depend_on_hidden_documents(world, shape):
    # "NOT метро" finds every record the caller may see, so only where the record itself stays hidden.
    queries = QUERIES if shape not in ("restricted_text", "hidden_real_name") else QUERIES[:-1]
    before = snapshot(world, queries)
    assert sum(len(v[0][1]) for v in before.values()) > 20
    add_hidden(world, shape)
    assert snapshot(world, queries) == before


def test_a_word_only_in_hidden_records_answers_like_a_word_that_exists_nowhere(world):
    for shape in SHAPES:
        add_hidden(world, shape)
    assert found(world["lead"], "тайноеслово")  # it does exist
    for user in ("observer", "outsider"):
        for hidden, nowhere in [("тайноеслово", "нигденеслово"), ("тайноес*", "нигденес*"),
                                ("камера OR тайноеслово", "камера OR нигденеслово"),
                                ("камера -тайноеслово", "камера -нигденеслово"),
                                ('"жалоба тайноеслово"', '"жалоба нигденеслово"')]:
            assert internal(world[user], hidden) == internal(world[user], nowhere), (user, hidden)
            assert api(world[user], hidden) == api(world[user], nowhere), (user, hidden)
            assert page_html(world[user], hidden).replace(hidden, "Q") == \
                page_html(world[user], nowhere).replace(nowhere, "Q"), (user, hidden)


def test_case_filter_with_a_hidden_case_answers_like_a_missing_case(world):
    lead, observer, stranger = world["lead"], world["observer"], world["stranger"]
    hidden = CaseFactory(lead=stranger, title="Камера скрытое дело", summary="жалоба")
    # An incident the observer sees through their case is also linked to the hidden case (by a lead of both).
    services.member_set(actor=stranger, case=hidden, user=lead, role="researcher")
    services.incident_create(user=lead, title="Камера двух дел", occurred_at=_now(), cases=[world["case"], hidden])
    upload_evidence(stranger, "камера\n".encode(), "x.txt", case=hidden.pk, title="Камера чужая")
    missing = hidden.pk + 1000
    for user in (observer, world["outsider"]):
        for q in QUERIES:
            assert api(user, q, case=hidden.pk) == api(user, q, case=missing), (user.username, q)
            assert internal(user, q, case=hidden.pk) == internal(user, q, case=missing)
            assert page_html(user, q, case=hidden.pk).replace(str(hidden.pk), "N") == \
                page_html(user, q, case=missing).replace(str(missing), "N")
    # A case the caller may see still filters (the same incident, through the observer's own case).
    assert ("incident", world["case"].incidents.get(title="Камера двух дел").pk) in found(
        observer, "камера", case=world["case"].pk)
    # A trashed case is no filter either, even for its lead.
    services.case_trash(user=stranger, case=hidden)
    assert api(stranger, "камера", case=hidden.pk) == api(stranger, "камера", case=missing)


def test_scores_are_not_exposed(world):
    status, body = api(world["lead"], "камера")
    assert status == 200 and body["results"]
    for result in body["results"]:
        assert {"type", "id", "title", "snippet"} <= set(result)
        assert "score" not in result and "rank" not in result
    assert "score" not in page_html(world["lead"], "камера").lower()


def test_an_incident_linked_only_to_a_trashed_case_is_found_by_nobody(world):
    lead, observer = world["lead"], world["observer"]
    researcher = UserFactory(username="researcher")
    second = CaseFactory(lead=lead, title="Второе дело", summary="")
    add_member(second, researcher, "researcher")
    add_member(second, observer, "observer")
    logged = IncidentFactory(user=researcher, cases=[second], title="Потеряннаязапись",
                             description="записанная исследователем")
    own = IncidentFactory(user=lead, cases=[second], title="Потеряннаязапись ведущего", description="")
    key, own_key = ("incident", logged.pk), ("incident", own.pk)
    assert {key, own_key} <= found(researcher, "потеряннаязапись")
    services.member_remove(actor=lead, case=second, user=researcher)
    assert found(researcher, "потеряннаязапись") == set()
    services.case_trash(user=lead, case=second)
    # Linked (to a case in the trash), so not "unlinked": nobody reaches it, not whoever logged it.
    for user in (researcher, lead, observer):
        assert found(user, "потеряннаязапись") == set(), user.username
        assert "Потеряннаязапись" not in page_html(user, "потеряннаязапись")
    services.case_restore(user=lead, case=second)
    assert {key, own_key} <= found(lead, "потеряннаязапись")
    assert found(researcher, "потеряннаязапись") == set()


def _now():
    from django.utils import timezone

    return timezone.now()
