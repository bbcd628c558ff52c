"""What the other apps call when their objects change. The search app decides how (and when) to index.

Apps never import whoosh or a backend: they call these functions inside their write transaction, and the
work happens after the commit (``transaction.on_commit``); a rolled-back change is never indexed. The index is
written from the database state at that moment (so repeated or late calls are harmless). A failure never
reaches the user: it is logged and the work is queued as a background task (``search.tasks``) to retry.

What is re-indexed:
- a case: the case;
- an incident: the incident, and the evidence items and persons linked to it (their case tokens change);
- a person or an evidence item: itself;
- ``case_access_changed_on_commit``: the case document (its trash state). Permissions are not stored in the
  index — they are resolved at query time and re-checked in the database — so a membership change needs
  nothing more;
- ``remove_on_commit`` of a case or an incident (purged): also what was in it (its persons, its items, a case's
  incidents), whose tokens change with it — a person may now be in nothing, which makes their creator's token.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import models, transaction

from search import documents

logger = logging.getLogger("docket")


def _keys_for(obj: models.Model) -> list[str]:
    type_ = documents.type_of(obj)
    if type_ is None or obj.pk is None:
        return []
    keys = [documents.key_of(type_, obj.pk)]
    if type_ == "incident":
        keys += [documents.key_of("person", pk) for pk in obj.involvements.values_list("person_id", flat=True)]
        evidence = documents.evidence_model()
        if evidence is not None:
            keys += [documents.key_of("evidence", pk) for pk in evidence.objects.filter(incidents=obj)
                     .values_list("pk", flat=True)]
    return keys


def sync_keys(keys: Iterable[str]) -> None:
    """Bring these documents in line with the database now: index those that exist, remove the others."""
    from search.backends import get_backend

    wanted: dict[str, list[int]] = {}
    for key in dict.fromkeys(keys):
        type_, _, pk = key.partition(":")
        if type_ in documents.TYPES and pk.isdigit():
            wanted.setdefault(type_, []).append(int(pk))
    docs, gone = [], []
    for type_, ids in wanted.items():
        found = documents.docs_for(type_, ids)
        docs += list(found.values())
        gone += [documents.key_of(type_, pk) for pk in ids if pk not in found]
    backend = get_backend()
    if docs:
        backend.index(docs)
    if gone:
        backend.remove(gone)


def _sync_or_queue(keys: list[str]) -> None:
    try:
        sync_keys(keys)
    except Exception:
        logger.exception("search indexing failed for %s; queued for retry", keys[:10])
        try:
            from search.tasks import sync_index_task

            sync_index_task.enqueue(keys)
        except Exception:
            logger.exception("could not queue search indexing for %s; run manage.py rebuild_index", keys[:10])


def _on_commit(keys: list[str]) -> None:
    if keys:
        transaction.on_commit(lambda: _sync_or_queue(keys))


def index_on_commit(obj: models.Model) -> None:
    """Re-index ``obj`` (a Case, Incident, Person or EvidenceItem) after the current transaction commits."""
    try:
        keys = _keys_for(obj)
    except Exception:  # never let indexing break the caller's write
        logger.exception("could not work out what to re-index for %r", obj)
        keys = [k for k in [documents.key_of(documents.type_of(obj) or "", obj.pk)] if obj.pk]
    _on_commit(keys)


def _contents_keys(obj: models.Model, type_: str) -> list[str]:
    """The documents whose tokens depend on ``obj`` being there: a case's parties, exhibits and incidents (with
    theirs), an incident's persons and items."""
    if type_ == "incident":
        return _keys_for(obj)[1:]
    if type_ != "case":
        return []
    keys = [documents.key_of("person", pk) for pk in obj.parties.exclude(person=None)
            .values_list("person_id", flat=True)]
    evidence = documents.evidence_model()
    if evidence is not None:
        keys += [documents.key_of("evidence", pk) for pk in evidence.objects.filter(exhibits__case=obj)
                 .values_list("pk", flat=True)]
    for incident in obj.incidents.all():
        keys += _keys_for(incident)
    # The records of the case (deleted with it when it is purged).
    for type_ in ("proceeding", "claim", "request", "task", "authority"):
        model = documents.model_for(type_)
        if model is not None:
            keys += [documents.key_of(type_, pk) for pk in model.objects.filter(case=obj).values_list("pk", flat=True)]
    return keys


def remove_on_commit(obj: models.Model) -> None:
    """Remove ``obj`` from the index after the current transaction commits (and re-index what was in it)."""
    type_ = documents.type_of(obj)
    if type_ is None or obj.pk is None:
        return
    # The keys are taken now: after ``delete()`` the object has no pk any more, nor its links. At commit time the
    # document is removed if the object is gone (or re-indexed if it still exists).
    keys = [documents.key_of(type_, obj.pk)]
    try:
        keys += _contents_keys(obj, type_)
    except Exception:  # never let indexing break the caller's write
        logger.exception("could not work out what depends on %r", obj)
    _on_commit(keys)


def compact() -> None:
    """Rewrite the index without the remains of replaced or removed documents (after an erasure: the words of an
    erased identity must not linger in old index segments)."""
    from search.backends import get_backend

    get_backend().compact()


def case_access_changed_on_commit(case: models.Model) -> None:
    """A membership or the trash state of ``case`` changed: re-index what depends on it."""
    _on_commit([documents.key_of("case", case.pk)] if case.pk else [])


BULK_THRESHOLD = 200


def index_ids_on_commit(type_: str, ids: Iterable[int]) -> None:
    """Re-index many objects of one type (e.g. incidents just imported) after the commit: a few at once, many
    through the background queue (``search.tasks``) so a large import does not wait for the index."""
    keys = [documents.key_of(type_, pk) for pk in ids]
    if len(keys) <= BULK_THRESHOLD:
        _on_commit(keys)
        return

    def enqueue() -> None:
        try:
            from search.tasks import sync_index_task

            for start in range(0, len(keys), 2000):
                sync_index_task.enqueue(keys[start:start + 2000])
        except Exception:
            logger.exception("could not queue search indexing of %d objects; run manage.py rebuild_index", len(keys))

    if keys:
        transaction.on_commit(enqueue)
