"""Four processes saving evidence at once, on the same database and index: no update is lost, none is overwritten
by an older state, and the index queue ends empty (``search.indexing``: a queue table drained by one writer)."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, ROUNDS, ITEMS = 4, 4, 5


def _child_env(search_backend: str, data_dir: Path) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.test_settings", DOCKET_SEARCH_BACKEND=search_backend,
               DOCKET_DATA_DIR=str(data_dir))
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    else:
        # The test database lives in this process's memory: the children share a copy of it in a file (the
        # settings' own SQLite file in DOCKET_DATA_DIR: WAL, busy timeout), and report what they find.
        env.pop("DATABASE_URL", None)
        connection.ensure_connection()
        target = sqlite3.connect(data_dir / "docket.sqlite3")
        connection.connection.backup(target)
        target.close()
    return env


def test_four_processes_saving_evidence_at_once_lose_no_update(search_backend, data_dir):
    from evidence.models import CaseExhibit, EvidenceItem
    from search.backends import get_backend

    writer = UserFactory(username="writer", is_superuser=True, is_staff=True)
    case = CaseFactory(lead=writer)
    items = []
    for n in range(ITEMS):
        item = EvidenceItem.objects.create(title=f"item {n}", sha256=f"{n:064x}", size=1, media_type="text/plain",
                                           created_by=writer)
        CaseExhibit.objects.create(case=case, item=item, number=n + 1, added_by=writer)
        items.append(str(item.pk))
    get_backend().rebuild()
    env = _child_env(search_backend, data_dir)

    procs = [subprocess.Popen([sys.executable, "-m", "tests.search.index_writer_child", "write", str(p), str(ROUNDS),
                               *items], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for p in range(PROCESSES)]
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-3000:]

    check = subprocess.run([sys.executable, "-m", "tests.search.index_writer_child", "check", str(PROCESSES),
                            str(ROUNDS), *items], cwd=ROOT, env=env, capture_output=True, timeout=600)
    assert check.returncode == 0, check.stderr.decode()[-3000:]
    report = json.loads(check.stdout.decode().strip().splitlines()[-1])
    assert report == {"queued": 0, "bad": []}


def test_an_entry_queued_while_another_drainer_writes_is_drained_by_that_one(search_backend, monkeypatch):
    """The hand-over the queue relies on: a save whose drainer finds the lock taken leaves at once, and the
    drainer holding the lock looks at the queue again after letting it go, so the entry is not left behind."""
    import threading

    from cases.models import Case
    from search import indexing
    from search.models import IndexQueue
    from tests.search.conftest import found

    lead = UserFactory()
    first = CaseFactory(lead=lead, title="первоедело")
    second = CaseFactory(lead=lead, title="второедело")
    Case.objects.filter(pk=second.pk).update(title="третьедело")  # changed, not yet queued
    real_write, outcome = indexing._write, {}

    def write(batch, keys):
        if not outcome:
            def another_process_saves():
                indexing.enqueue([f"case:{second.pk}"])  # committed at once; its drain runs now, in this thread
                outcome["queued"] = IndexQueue.objects.filter(key=f"case:{second.pk}").exists()
                connection.close()

            thread = threading.Thread(target=another_process_saves)
            thread.start()
            thread.join()
        real_write(batch, keys)

    monkeypatch.setattr(indexing, "_write", write)
    indexing.enqueue([f"case:{first.pk}"])
    assert outcome == {"queued": True}  # the other drainer found the lock taken and left its entry
    assert not IndexQueue.objects.exists()
    assert found(lead, "третьедело") == {("case", second.pk)}
