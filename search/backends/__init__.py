"""Backend selection: ``settings.DOCKET_SEARCH_BACKEND`` ("whoosh", the default, or "postgres"), read per call."""
from __future__ import annotations

from django.conf import settings

from search.backends.base import Hit, QuerySpec, Scope, SearchBackend

__all__ = ["Hit", "QuerySpec", "Scope", "SearchBackend", "get_backend"]


def get_backend(name: str | None = None) -> SearchBackend:
    name = (name or getattr(settings, "DOCKET_SEARCH_BACKEND", "whoosh") or "whoosh").lower()
    if name == "postgres":
        from search.backends.postgres_backend import PostgresBackend

        return PostgresBackend()
    if name == "whoosh":
        from search.backends.whoosh_backend import WhooshBackend

        return WhooshBackend()
    raise ValueError(f"unknown search backend {name!r}")
