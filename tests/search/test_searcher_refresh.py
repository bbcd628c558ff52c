"""The whoosh searcher kept open in a process sees every commit of another process, deletions included: a document
deleted or replaced there is never found here after that write commits (``search.backends.whoosh_searcher``)."""
from __future__ import annotations

import multiprocessing
import threading

import pytest
from whoosh import index as windex

from search import text
from search.backends.base import QuerySpec, Scope
from search.backends.whoosh_backend import INDEX_NAME, LocalWeighting, WhooshBackend
from search.documents import SearchDoc

EVERYONE = Scope(visible=frozenset({"c1", "c2"}))


def _docs(n: int = 200) -> list[SearchDoc]:
    # One big first segment (written by one writer), so that a later single write adds a small segment and marks
    # deletions in this one instead of merging it away (the case whoosh's refresh gets wrong).
    return [SearchDoc(type="case", id=i, title=f"filler{i}", body="обычный текст", acl={"c1"}) for i in range(1, n)] \
        + [SearchDoc(type="evidence", id=7, title="a", body="секретноеслово старое", acl={"c1"})]


def _found(backend: WhooshBackend, q: str, scope: Scope = EVERYONE) -> list[str]:
    return [h.key for h in backend.query(QuerySpec(node=text.parse_query(q), scope=scope))]


def _in_another_process(target, *args) -> None:
    proc = multiprocessing.get_context("fork").Process(target=target, args=args)
    proc.start()
    proc.join(timeout=120)
    assert proc.exitcode == 0


def _replace(path: str) -> None:
    WhooshBackend(path).index([SearchDoc(type="evidence", id=7, title="a", body="новоеслово", acl={"c2"})])


def _trash(path: str) -> None:
    WhooshBackend(path).index([SearchDoc(type="evidence", id=7, title="a", body="новоеслово", acl={"c2"},
                                         alive=False)])


@pytest.fixture
def backend(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    backend.clear()
    backend.bulk_add(_docs())
    return backend


def test_a_document_replaced_by_another_process_is_found_only_in_its_new_version(backend):
    assert _found(backend, "секретноеслово") == ["evidence:7"]
    with backend.searching() as before:
        pass
    _in_another_process(_replace, str(backend.path))
    assert _found(backend, "секретноеслово") == []  # the old version (and its old access token) is gone
    assert _found(backend, "новоеслово") == ["evidence:7"]
    assert _found(backend, "новоеслово", Scope(visible=frozenset({"c1"}))) == []  # moved out of case 1
    with backend.searching() as after:
        assert after is not before
        assert after.doc_count() == 200


def test_a_document_trashed_by_another_process_is_not_found_after_the_commit(backend):
    assert _found(backend, "секретноеслово") == ["evidence:7"]
    _in_another_process(_trash, str(backend.path))
    assert _found(backend, "секретноеслово") == []
    assert _found(backend, "новоеслово") == []
    assert _found(backend, "обычный") and "evidence:7" not in _found(backend, "обычный OR секретноеслово")


def test_unchanged_segments_keep_their_readers(backend):
    """The refresh re-uses what it can: a write that only adds a segment keeps the first segment's reader."""
    with backend.searching() as first:
        big = [leaf.reader() for leaf, _ in first.leaf_searchers()]
    backend.index([SearchDoc(type="case", id=5000, title="новыйдокумент", acl={"c1"})])
    with backend.searching() as second:
        readers = [leaf.reader() for leaf, _ in second.leaf_searchers()]
    assert len(readers) == 2 and readers[0] is big[0]
    assert _found(backend, "новыйдокумент") == ["case:5000"]


def test_whooshs_own_refresh_would_still_find_the_replaced_document(backend):
    """The hazard handled above: ``Searcher.refresh()`` re-uses the reader of the first segment with its old
    deletion list, so the replaced version is still matched."""
    from whoosh.qparser import QueryParser

    ix = windex.open_dir(str(backend.path), indexname=INDEX_NAME)
    searcher = ix.searcher(weighting=LocalWeighting())
    query = QueryParser("body", ix.schema).parse("секретноеслово")
    assert len(searcher.search(query)) == 1
    _in_another_process(_replace, str(backend.path))
    searcher = searcher.refresh()
    assert len(searcher.search(query)) == 1  # stale: the deleted version is still there
    searcher.close()


def test_threads_share_the_process_searcher_while_another_process_writes(backend):
    """Several threads query the one searcher (under its lock) while another process replaces the document:
    once a thread has seen the new version, it never sees the old one again, and nothing raises."""
    seen: dict[int, list[bool]] = {}
    errors = []
    start = threading.Event()

    def reader(n: int):
        start.wait()
        seen[n] = []
        try:
            for _ in range(40):
                seen[n].append(_found(backend, "секретноеслово") == ["evidence:7"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    start.set()
    _in_another_process(_replace, str(backend.path))
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    for old_seen in seen.values():
        assert old_seen == sorted(old_seen, reverse=True)  # True (old version) ... then only False
    assert _found(backend, "секретноеслово") == [] and _found(backend, "новоеслово") == ["evidence:7"]


def test_a_new_segment_never_takes_an_old_segments_name_after_random_is_reseeded(backend):
    """whoosh names segments with the ``random`` module; reseeded (as hypothesis does, or shared by forked processes)
    it would give a new segment the name of one the kept-open searcher still knows, and the searcher would serve
    the old segment's documents. Names come from ``secrets``: the new document is found, the old one is not."""
    import random

    backend.clear()
    random.seed(1234)
    backend.index([SearchDoc(type="case", id=1, title="первоеслово", acl={"c1"})])
    assert _found(backend, "первоеслово") == ["case:1"]
    backend.clear()
    random.seed(1234)
    backend.index([SearchDoc(type="incident", id=2, title="второеслово", acl={"c1"})])
    assert _found(backend, "второеслово") == ["incident:2"]
    assert _found(backend, "первоеслово") == []
