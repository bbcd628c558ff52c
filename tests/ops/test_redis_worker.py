"""Background work on Redis (django-tasks-rq), against a redis-server of the tests' own: an upload enqueues its
extraction through RQ, and a real RQ worker in burst mode does it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rq_backend(settings, redis_url):
    import django_rq

    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def test_extraction_goes_through_redis_and_a_burst_worker_does_it(rq_backend, db, django_capture_on_commit_callbacks):
    import django_rq
    from rq.worker import SimpleWorker

    from evidence.services import evidence_upload
    from tests.factories import CaseFactory, UserFactory

    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    with django_capture_on_commit_callbacks(execute=True):
        item = evidence_upload(user=lead, case=case,
                               uploaded_file=SimpleUploadedFile("note.txt", "Камера на станции Охотный ряд\n".encode()))
    # Queued in Redis, not run: the extraction, and the search index's drain (search.indexing).
    assert sorted(j.func_name for j in rq_backend.jobs) == ["evidence.tasks.extract_evidence",
                                                           "search.tasks.drain_index_task"]
    job = next(j for j in rq_backend.jobs if j.func_name == "evidence.tasks.extract_evidence")
    assert list(job.args) == [item.pk]
    item.refresh_from_db()
    assert item.extraction_state == "pending"

    # A real RQ worker (in this process, so it shares the test's database connection), burst mode: it drains the
    # queue and stops.
    worker = django_rq.get_worker("default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker)
    assert worker.work(burst=True) is True
    item.refresh_from_db()
    assert item.extraction_state == "done", item.extraction_error
    assert "Охотный ряд" in item.extracted_text
    assert rq_backend.count == 0

    from evidence.tasks import extract_evidence

    result = extract_evidence.get_result(job.id)
    assert result.status == "SUCCESSFUL" and result.return_value == "done"


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="its site is SQLite whatever the suite's database: "
                    "it runs in the SQLite pass")
def test_a_site_configured_for_redis_runs_rqworker_from_manage_py(tmp_path, redis_url):
    """The production path, end to end in separate processes: settings from the environment (RQ backend +
    REDIS_URL), an upload that enqueues, ``manage.py rqworker --burst`` that extracts."""
    import django_rq  # noqa: F401  (installed)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DOCKET_", "SECRET_KEY"))}
    env.update({
        "DOCKET_DATA_DIR": str(tmp_path / "data"), "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings",
        "DOCKET_TASKS_BACKEND": "django_tasks_rq.RQBackend", "REDIS_URL": redis_url,
    })

    def manage(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, text=True,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage("check")  # the RQ backend's own checks: django_rq installed, the queue configured
    manage("shell", stdin=(
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from django.db import transaction\n"
        "from evidence.services import evidence_upload\n"
        "from tests.factories import CaseFactory, UserFactory\n"
        "lead = UserFactory(username='lead')\n"
        "with transaction.atomic():\n"
        "    evidence_upload(user=lead, case=CaseFactory(lead=lead), "
        "uploaded_file=SimpleUploadedFile('n.txt', 'Станция Лубянка'.encode()))\n"
    ))
    queued = manage("shell", "-c", "import django_rq; print(*[j.func_name for j in django_rq.get_queue('default').jobs])")
    assert "evidence.tasks.extract_evidence" in queued.strip().splitlines()[-1].split()
    manage("rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default")
    state = manage("shell", "-c", "from evidence.models import EvidenceItem; i = EvidenceItem.objects.get(); "
                                  "print(i.extraction_state, i.extracted_text.strip())")
    assert state.strip().splitlines()[-1] == "done Станция Лубянка"
