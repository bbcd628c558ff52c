"""``manage.py run_scheduled``: run the scheduled jobs that are due (daily reminders, weekly verification of all
evidence). Call it every hour from cron or a systemd timer (deploy/). Exits 1 when a job failed or evidence failed
its verification, so cron mails and systemd marks the unit failed."""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from ops import scheduler
from ops.models import VerificationRun


class Command(BaseCommand):
    help = "Run the scheduled jobs that are due: daily reminders, weekly verification of all evidence."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="append", choices=sorted(scheduler.JOBS), default=[],
                            help="run this job now even if it is not due (repeatable)")
        parser.add_argument("--enqueue", action="store_true", help="hand the jobs to the background workers")
        parser.add_argument("--list", action="store_true", dest="list_only", help="only show each job, its last run and whether due")

    def handle(self, *args, now=(), enqueue=False, list_only=False, **options):
        due = set(scheduler.due_jobs())
        if list_only:
            for name, job in scheduler.JOBS.items():
                last = scheduler.last_run(name)
                when = f"last {last.started_at:%Y-%m-%d %H:%M} ({last.outcome})" if last else "never run"
                self.stdout.write(f"{name:<13} {'DUE' if name in due else 'not due':<8} {when} — {job.description}")
            return
        names = [n for n in scheduler.JOBS if n in due or n in now]
        if not names:
            self.stdout.write("Nothing is due.")
            return
        with scheduler.scheduler_lock() as locked:
            if not locked:
                raise CommandError("Another run_scheduled is running on this machine; nothing was done.")
            failed = False
            for name in names:
                record = scheduler.run_job(name, enqueue=enqueue)
                self.stdout.write(f"{name}: {record.outcome} {record.detail}")
                if record.outcome == record.Outcome.FAILED:
                    failed = True
                elif name == "verification" and record.detail.get("failed"):
                    run = VerificationRun.objects.get(pk=record.detail["run"])
                    self.stderr.write(f"{run.items_failed} of {run.items_checked} evidence items FAILED verification "
                                      f"(run {run.pk}): see the dashboard or manage.py verify_evidence.")
                    failed = True
        if failed:
            sys.exit(1)
