"""Rebuilding: the same results before and after ``rebuild_index``; a deleted or damaged index folder is rebuilt
from the database instead of breaking search; two processes writing at once lose no update."""
from __future__ import annotations

import multiprocessing
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from search.backends import get_backend
from search.backends.whoosh_backend import WhooshBackend
from search.documents import SearchDoc
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.search.conftest import api_search, found, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = ["камера", "метро", "секретныйфайл", "утеч*", '"распознавания лиц"', "Альфа", "Скрытнов", "камера -метро"]


@pytest.fixture
def data(search_backend):
    from cases import services

    lead = UserFactory(username="lead")
    observer = UserFactory(username="observer")
    case = CaseFactory(lead=lead, title="Камеры распознавания лиц в метро", summary="Иск о камерах")
    add_member(case, observer, "observer")
    other = CaseFactory(lead=lead, title="Утечка базы", summary="камера")
    IncidentFactory(user=lead, cases=[case], title="Задержание", description="камерами")
    IncidentFactory(user=lead, cases=[], title="Утечка черновик", description="камера")
    upload_evidence(lead, "секретныйфайл камерами\n".encode(), "s.txt", case=case.pk, restricted="true")
    person = PersonFactory(user=lead, pseudonym="Альфа", real_name="Скрытнов")
    services.party_create(user=lead, case=other, role="claimant", person=person)
    return {"lead": lead, "observer": observer}


def snapshot(users) -> dict:
    """What each user finds for each query, in order (ranking uses only each document's own text, and ties are
    broken by type and id, so neither merged segments nor deleted entries may change it)."""
    return {
        (u.username, q): [(r["type"], r["id"], r["title"], r["snippet"])
                          for r in api_search(u, q=q, page_size=100)["results"]]
        for u in users for q in QUERIES
    }


def test_results_are_the_same_after_rebuild_index(data):
    users = [data["lead"], data["observer"]]
    before = snapshot(users)
    assert sum(len(v) for v in before.values()) > 10
    out = StringIO()
    call_command("rebuild_index", stdout=out)
    assert "Indexed 6 documents" in out.getvalue()
    assert "6/6" in out.getvalue()  # the progress bar reached the end
    assert snapshot(users) == before


def test_rebuild_index_check(data):
    out = StringIO()
    call_command("rebuild_index", "--check", stdout=out)
    assert "healthy" in out.getvalue()


def test_a_deleted_index_folder_is_rebuilt(data, settings):
    if settings.DOCKET_SEARCH_BACKEND != "whoosh":
        pytest.skip("the whoosh index lives in a folder")
    before = snapshot([data["lead"]])
    shutil.rmtree(settings.SEARCH_INDEX_DIR)
    assert snapshot([data["lead"]]) == before
    assert get_backend().doc_count() == 6


def test_a_damaged_index_is_rebuilt(data, settings):
    if settings.DOCKET_SEARCH_BACKEND != "whoosh":
        pytest.skip("the whoosh index lives in a folder")
    before = snapshot([data["lead"]])
    WhooshBackend()._forget_searcher()
    for path in settings.SEARCH_INDEX_DIR.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    assert get_backend().check()  # the damage is detected
    assert snapshot([data["lead"]]) == before
    assert get_backend().check() == []


def test_writes_after_a_deleted_folder_keep_the_other_documents(data, settings):
    if settings.DOCKET_SEARCH_BACKEND != "whoosh":
        pytest.skip("the whoosh index lives in a folder")
    shutil.rmtree(settings.SEARCH_INDEX_DIR)
    CaseFactory(lead=data["lead"], title="Новое дело", summary="")
    assert found(data["lead"], "новое") and len(found(data["lead"], "камера")) >= 4


# --- Concurrency: real processes ----------------------------------------------------------------------------
def _writer_process(path: str, prefix: str, n: int, start) -> None:
    start.wait()
    backend = WhooshBackend(path, write_timeout=5.0, retries=20)
    for i in range(n):
        backend.index([SearchDoc(type="case", id=int(prefix) * 100_000 + i, title=f"дело {prefix} {i}",
                                 acl={f"c{i}"})])


def test_two_processes_writing_at_once_lose_no_update(tmp_path):
    path = tmp_path / "index"
    WhooshBackend(path).clear()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    n = 60
    procs = [ctx.Process(target=_writer_process, args=(str(path), p, n, start)) for p in ("1", "2")]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(timeout=300)
        assert proc.exitcode == 0
    backend = WhooshBackend(path)
    assert backend.doc_count() == 2 * n
    from whoosh import index as windex

    with windex.open_dir(str(path), indexname="docket").searcher() as s:
        keys = {k.decode() for k in s.lexicon("key")}
    assert keys == {f"case:{p * 100_000 + i}" for p in (1, 2) for i in range(n)}


def test_a_bare_whoosh_writer_would_have_failed(tmp_path):
    """The hazard the backend handles: whoosh's default writer gives up at once when another holds the lock."""
    from whoosh.index import LockError

    path = tmp_path / "index"
    backend = WhooshBackend(path)
    backend.clear()
    ix = backend._open(repair=False)
    holder = ix.writer()
    try:
        with pytest.raises(LockError):
            ix.writer()
    finally:
        holder.cancel()
