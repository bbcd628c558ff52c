"""Background work for operations (django-tasks): the verification of all evidence, for sites whose scheduler hands
jobs to workers (``manage.py run_scheduled --enqueue``)."""
from __future__ import annotations

from django_tasks import task


@task()
def verify_all_evidence_task() -> dict:
    from ops.verification import evidence_verify_all

    run = evidence_verify_all(trigger="worker")
    return {"run": run.pk, "checked": run.items_checked, "failed": run.items_failed}
