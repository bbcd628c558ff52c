"""Background work for search (django-tasks): draining the index queue, rebuilding the index."""
from __future__ import annotations

from django_tasks import task


@task()
def sync_index_task(keys: list[str]) -> None:
    from search.indexing import sync_keys

    sync_keys(keys)


@task()
def drain_index_task() -> int:
    """Index what ``search.indexing`` queued (every pending entry, in one write); nothing if another writer is at
    it (that one takes these entries too). A failure is logged on Docket's own log and the entries stay queued for
    the next drain (after the next write, or ``manage.py rebuild_index``)."""
    from search.indexing import drain_or_log

    return drain_or_log()


@task()
def rebuild_index_task() -> int:
    from search.backends import get_backend

    return get_backend().rebuild()
