"""What this app tells the search index, in one place: it calls ``search.indexing`` (on commit, never breaking a
write). Until the search app knows these types (``search.documents.type_of`` answers None for them), the calls do
nothing; the integrator adds the documents (claim, authority, request, task) and they start working."""
from __future__ import annotations

from django.db import models

from search import indexing


def changed(*objects: models.Model) -> None:
    for obj in objects:
        indexing.index_on_commit(obj)


def removed(obj: models.Model) -> None:
    indexing.remove_on_commit(obj)
