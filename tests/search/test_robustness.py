"""Index writes wait for the lock instead of failing, and an indexing failure never reaches the user."""
from __future__ import annotations

import threading
import time

import pytest

from search.backends.whoosh_backend import IndexBusy, WhooshBackend
from search.documents import SearchDoc
from tests.factories import CaseFactory, UserFactory
from tests.search.conftest import found

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_writer_waits_for_a_lock_held_by_another_writer(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    backend.clear()
    ix = backend._open(repair=False)
    holder = ix.writer()  # someone else (here: a bare writer) holds the index
    released = threading.Event()

    def release_soon():
        time.sleep(0.3)
        holder.add_document(key="case:1", type="case", title="первый", acl="c1", gate="open", alive="1")
        holder.commit()
        released.set()

    threading.Thread(target=release_soon).start()
    backend.index([SearchDoc(type="case", id=2, title="второй", acl={"c1"})])
    assert released.is_set()
    assert backend.doc_count() == 2


def test_a_writer_gives_up_only_after_its_retries(tmp_path):
    backend = WhooshBackend(tmp_path / "index", write_timeout=0.05, retries=2)
    backend.clear()
    holder = backend._open(repair=False).writer()
    try:
        with pytest.raises(IndexBusy):
            backend.index([SearchDoc(type="case", id=1, title="x")])
    finally:
        holder.cancel()


def test_an_indexing_failure_never_reaches_the_user(search_backend, monkeypatch, caplog):
    from contextlib import contextmanager

    from search.backends import get_backend
    from search.indexing import drain
    from search.models import IndexQueue

    lead = UserFactory()
    backend_class = type(get_backend())

    @contextmanager
    def broken(self, *, wait=True):
        raise IndexBusy("simulated: the index stayed locked")
        yield  # pragma: no cover

    monkeypatch.setattr(backend_class, "batch", broken)
    # Docket's logger does not propagate to the root (config.settings.LOGGING): listen to it directly.
    import logging

    docket_log = logging.getLogger("docket")
    docket_log.addHandler(caplog.handler)
    try:
        case = CaseFactory(lead=lead, title="Недоиндексированное дело")  # the write itself succeeds
    finally:
        docket_log.removeHandler(caplog.handler)
    assert case.pk
    assert "simulated: the index stayed locked" in caplog.text
    assert f"case:{case.pk}" in set(IndexQueue.objects.values_list("key", flat=True))  # kept for the next drain
    monkeypatch.undo()
    # The next drain (after any write, or the worker's) brings the index back in line.
    assert drain() >= 1
    assert not IndexQueue.objects.exists()
    assert found(lead, "недоиндексированное") == {("case", case.pk)}


def test_an_updated_document_is_not_found_in_its_old_version(tmp_path):
    """Backend level, without the database re-check: after an update, a kept-open searcher must not match the
    previous version (whoosh's ``Searcher.refresh()`` keeps old deletion lists; the backend must not use it)."""
    from search import text
    from search.backends import QuerySpec, Scope

    backend = WhooshBackend(tmp_path / "index")
    backend.clear()
    backend.index([SearchDoc(type="evidence", id=1, title="a", gated="тайнаяфраза", acl={"c1"}, gate_open=True),
                   SearchDoc(type="evidence", id=2, title="b", acl={"c1"})])
    backend.index([SearchDoc(type="evidence", id=3, title="c", acl={"c1"})])  # a second segment
    scope = Scope(visible=frozenset({"c1"}), gated={"evidence": frozenset()})
    spec = QuerySpec(node=text.parse_query("тайнаяфраза"), scope=scope)
    assert [h.key for h in backend.query(spec)] == ["evidence:1"]
    backend.index([SearchDoc(type="evidence", id=1, title="a", gated="тайнаяфраза", acl={"c1"}, gate_open=False)])
    assert backend.query(spec) == []
    backend.remove(["evidence:1"])
    everyone = QuerySpec(node=text.parse_query("тайнаяфраза"), scope=Scope(everything=True))
    assert backend.query(everyone) == []


def test_the_searcher_is_kept_open_until_the_index_changes(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    backend.clear()
    backend.index([SearchDoc(type="case", id=1, title="a", acl={"c1"})])
    with backend.searching() as first:
        pass
    with WhooshBackend(tmp_path / "index").searching() as again:
        assert again is first  # another request (any thread of this process): the same searcher
    backend.index([SearchDoc(type="case", id=2, title="b", acl={"c1"})])
    with backend.searching() as second:
        assert second is not first and second.doc_count() == 2
