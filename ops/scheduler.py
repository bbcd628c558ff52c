"""What runs on a schedule, and when it is due. ``manage.py run_scheduled`` asks this module, from cron or a
systemd timer every hour or so (deploy/): a job runs when it is due, so a missed hour or a machine that was off
catches up at the next call, and calling it often does no harm.

- ``reminders``: daily — deadlines past due are marked missed and the reminders due today e-mailed
  (``deadlines.services.reminders_send``, itself safe to run twice). Due once per local calendar day.
- ``verification``: weekly — every evidence item verified (``ops.verification.evidence_verify_all``). Due when the
  last run began ``DOCKET_VERIFY_EVERY_DAYS`` days ago (default 7; a few hours' slack so an hourly timer does not
  push it later each week).

A file lock in DOCKET_DATA_DIR keeps two schedulers on one machine from running a job twice; with several
application servers, run the scheduler on one of them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ops.models import ScheduledJobRun

SLACK = dt.timedelta(hours=4)


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    is_due: Callable[[ScheduledJobRun | None, dt.datetime], bool]
    run: Callable[[], dict]
    enqueue: Callable[[], str]


def _daily(last: ScheduledJobRun | None, now: dt.datetime) -> bool:
    return last is None or timezone.localdate(last.started_at) < timezone.localdate(now)


def _every_days() -> int:
    return max(1, int(getattr(settings, "DOCKET_VERIFY_EVERY_DAYS", 7)))


def _weekly(last: ScheduledJobRun | None, now: dt.datetime) -> bool:
    return last is None or now - last.started_at >= dt.timedelta(days=_every_days()) - SLACK


def _run_reminders() -> dict:
    from deadlines.services import reminders_send

    return reminders_send()


def _enqueue_reminders() -> str:
    from deadlines.tasks import send_reminders_task

    return send_reminders_task.enqueue(None).id


def _run_verification() -> dict:
    from ops.verification import evidence_verify_all

    run = evidence_verify_all(trigger="scheduled")
    return {"run": run.pk, "checked": run.items_checked, "failed": run.items_failed}


def _enqueue_verification() -> str:
    from ops.tasks import verify_all_evidence_task

    return verify_all_evidence_task.enqueue().id


JOBS = {
    "reminders": Job("reminders", "mark missed deadlines, e-mail today's reminders", _daily, _run_reminders,
                     _enqueue_reminders),
    "verification": Job("verification", "verify every evidence file and custody chain", _weekly,
                        _run_verification, _enqueue_verification),
}


def last_run(name: str) -> ScheduledJobRun | None:
    """The last run that did (or handed to a worker) its job: failures do not count, so a failed job is retried."""
    return (ScheduledJobRun.objects.filter(job=name)
            .exclude(outcome=ScheduledJobRun.Outcome.FAILED).order_by("-started_at", "-id").first())


def due_jobs(now: dt.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    return [name for name, job in JOBS.items() if job.is_due(last_run(name), now)]


@contextlib.contextmanager
def scheduler_lock() -> Iterator[bool]:
    """An exclusive, non-blocking lock for this machine's scheduler; yields False when another one holds it."""
    path = Path(settings.DATA_DIR) / ".scheduler.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def run_job(name: str, *, enqueue: bool = False) -> ScheduledJobRun:
    """Run (or enqueue) one job now and record the run, whether it is due or not."""
    job = JOBS[name]
    record = ScheduledJobRun.objects.create(job=name)
    try:
        if enqueue:
            record.detail = {"task": job.enqueue()}
            record.outcome = ScheduledJobRun.Outcome.ENQUEUED
        else:
            record.detail = job.run()
            record.outcome = ScheduledJobRun.Outcome.DONE
    except Exception as exc:  # recorded, then reported by the command (which exits non-zero)
        record.outcome = ScheduledJobRun.Outcome.FAILED
        record.detail = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
    record.finished_at = timezone.now()
    record.save()
    return record
