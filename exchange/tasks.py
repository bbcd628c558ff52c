"""Background tasks of the exchange app: they only call ``exchange.jobs``."""
from django_tasks import task

from exchange import jobs


@task()
def run_import(job_id: int) -> None:
    jobs.job_run(job_id)
