"""Ranking uses no collection-wide statistics (docs/access-model.md, "No oracles"): a caller's hits, their order and
their scores are the same whether or not documents outside the caller's scope hold the words searched.

These tests talk to the backend directly (index documents, query with a scope), on whoosh and, when the database is
PostgreSQL, on PostgreSQL's full text. ``test_no_oracles.py`` checks the same through the service and the API."""
from __future__ import annotations

import pytest

from search import text
from search.backends import QuerySpec, Scope, get_backend
from search.documents import SearchDoc

pytestmark = pytest.mark.django_db(transaction=True)

MINE = Scope(visible=frozenset({"c1", "u7"}), gated={"evidence": frozenset({"c1"}), "person": frozenset({"c1"})})
QUERIES = ["камера", "камеры жалоба", "кам*", "жал*", '"камера жалоба"', "камера OR жалоба", "камера -метро",
           "(жалоба OR иск) камера", "NOT метро", "camera"]


def visible_docs() -> list[SearchDoc]:
    """The caller's documents: different lengths and frequencies, so scores differ and order matters."""
    return [
        SearchDoc(type="case", id=1, title="Камера в метро", body="Жалоба на камеры. " * 3, acl={"c1"}),
        SearchDoc(type="incident", id=2, title="Задержание", body="камера " + "слово " * 60 + "жалоба",
                  acl={"c1", "i2"}),
        SearchDoc(type="incident", id=3, title="Жалоба", body="камерами снимали; камера; camera", acl={"c1", "i3"}),
        SearchDoc(type="evidence", id=4, title="Справка", body="report.txt", gated="камера жалоба камера",
                  gate_open=True, acl={"c1"}),
        SearchDoc(type="evidence", id=5, title="Показания камера", body="statement.txt",
                  gated="жалоба иск камера", gate_open=False, acl={"c1"}),
        SearchDoc(type="person", id=6, title="Заявитель камера", gated="Иван Жалобин", gate_open=False,
                  acl={"c1", "u7"}),
        SearchDoc(type="person", id=7, title="Свидетель", gated="камера", gate_open=False, acl={"u7"}),
    ]


def hidden_docs(n: int = 40) -> list[SearchDoc]:
    """Documents outside the caller's scope, full of the same words (and of words sharing their prefixes)."""
    docs = []
    for i in range(n):
        words = " ".join(["камера"] * (i % 7 + 1) + ["жалоба"] * (i % 3) + ["камерофон", "жалобщик", "метро"])
        docs.append(SearchDoc(type=("case", "incident", "evidence", "person")[i % 4], id=1000 + i,
                              title=f"Камера {i}" if i % 2 else "Жалоба", body=words * (1 + i % 5),
                              gated=words, gate_open=bool(i % 2), acl={f"c{100 + i}", f"i{2000 + i}"}))
    return docs


def closed_gate_doc() -> SearchDoc:
    """In the caller's scope (``u7``), but its gated text is closed to them (no token of theirs opens it)."""
    return SearchDoc(type="evidence", id=5000, title="Протокол", body="x.txt", gated="камера жалоба " * 50,
                     gate_open=False, acl={"u7", "c9"})


def answers(backend, scope=MINE, **filters):
    out = {}
    for q in QUERIES:
        spec = QuerySpec(node=text.parse_query(q), scope=scope, **filters)
        out[q] = [(h.type, h.id, h.score, h.gated_only, h.public_score) for h in backend.query(spec)]
    return out


def fresh(search_backend):
    backend = get_backend()
    backend.clear()
    return backend


def test_hits_order_and_scores_do_not_depend_on_hidden_documents(search_backend):
    backend = fresh(search_backend)
    backend.index(visible_docs())
    before = answers(backend)
    assert sum(len(v) for v in before.values()) > 25
    assert len({score for hits in before.values() for _t, _i, score, _g, _p in hits}) > 5  # scores do differ
    # Hidden documents arrive one by one (whoosh: many segments, merges) and then all at once.
    for doc in hidden_docs():
        backend.index([doc])
    assert answers(backend) == before
    backend.index(hidden_docs(120))
    assert answers(backend) == before


def test_gated_text_the_caller_may_not_read_does_not_reorder_their_hits(search_backend):
    """Document 5000 is in the caller's scope but its gated text is closed to them: it is not found by its gated
    words, and its presence changes nothing else."""
    backend = fresh(search_backend)
    backend.index(visible_docs())
    base = answers(backend)
    backend.index([closed_gate_doc()])
    after = answers(backend)
    assert all(h[1] != 5000 for q in ("камера", "жал*", "камера OR жалоба") for h in after[q])
    for q, hits in after.items():
        assert [h for h in hits if h[1] != 5000] == base[q], q


def test_a_word_only_in_hidden_documents_answers_like_a_word_that_exists_nowhere(search_backend):
    backend = fresh(search_backend)
    backend.index(visible_docs() + hidden_docs())
    for hidden, nowhere in [("камерофон", "несуществующее"), ("жалобщик", "ничегонет"),
                            ("камера OR камерофон", "камера OR несуществующее"),
                            ("камера -камерофон", "камера -несуществующее")]:
        spec = lambda q: QuerySpec(node=text.parse_query(q), scope=MINE)  # noqa: E731
        assert [(h.type, h.id, h.score) for h in backend.query(spec(hidden))] == \
            [(h.type, h.id, h.score) for h in backend.query(spec(nowhere))], hidden


def test_scores_come_from_the_document_alone(search_backend):
    """The same document scores the same in an index of one and in an index of many."""
    backend = fresh(search_backend)
    doc = visible_docs()[0]
    backend.index([doc])
    alone = answers(backend)
    backend.index(hidden_docs(80) + visible_docs()[1:])
    together = answers(backend)
    for q, hits in alone.items():
        mine = [h for h in together[q] if (h[0], h[1]) == (doc.type, doc.id)]
        assert mine == hits, q


def test_ties_are_broken_by_type_and_id(search_backend):
    backend = fresh(search_backend)
    backend.index([SearchDoc(type=t, id=i, title="камера", acl={"c1"})
                   for i in (5, 3, 9) for t in ("incident", "case")])
    hits = backend.query(QuerySpec(node=text.parse_query("камера"), scope=MINE))
    assert len({h.score for h in hits}) == 1
    assert [(h.type, h.id) for h in hits] == [("case", 9), ("case", 5), ("case", 3),
                                             ("incident", 9), ("incident", 5), ("incident", 3)]
    # The cut at ``limit`` keeps the first ones in that order.
    cut = backend.query(QuerySpec(node=text.parse_query("камера"), scope=MINE, limit=4))
    assert [(h.type, h.id) for h in cut] == [(h.type, h.id) for h in hits[:4]]
