"""``manage.py send_reminders`` — run daily from cron. Safe to run more than once a day."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from deadlines import services


class Command(BaseCommand):
    help = ("Mark past-due deadlines missed and unanswered requests overdue, and e-mail the reminders due today "
            "(never the same one twice).")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--enqueue", action="store_true", help="Queue the run as a background task instead.")

    def handle(self, *args, date=None, enqueue=False, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        if enqueue:
            from deadlines.tasks import send_reminders_task

            result = send_reminders_task.enqueue(today.isoformat() if today else None)
            self.stdout.write(f"queued {result.id}")
            return
        stats = services.reminders_send(today=today)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in stats.items()))
