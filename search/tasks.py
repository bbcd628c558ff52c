"""Background work for search (django-tasks): retrying failed index writes, rebuilding the index."""
from __future__ import annotations

from django_tasks import task


@task()
def sync_index_task(keys: list[str]) -> None:
    from search.indexing import sync_keys

    sync_keys(keys)


@task()
def rebuild_index_task() -> int:
    from search.backends import get_backend

    return get_backend().rebuild()
