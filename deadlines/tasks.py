"""Background work for deadlines (django-tasks): the daily reminder run."""
from __future__ import annotations

from django_tasks import task

from deadlines import services


@task()
def send_reminders_task(today: str | None = None) -> dict[str, int]:
    """Mark past-due deadlines missed and e-mail the reminders due (idempotent: safe to enqueue repeatedly)."""
    import datetime as dt

    return services.reminders_send(today=dt.date.fromisoformat(today) if today else None)
