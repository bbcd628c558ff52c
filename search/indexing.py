"""What the other apps call when their objects change. The search app decides how (and when) to index.

Apps never import whoosh or a backend: they call these functions inside their write transaction. That adds a row
per stale document to ``search.models.IndexQueue`` in the same transaction (a rolled-back change queues nothing,
a committed one is never forgotten, even if the process dies next), and after the commit wakes the drainer
(``search.tasks.drain_index_task``: the background worker; inline where tasks run immediately). ``drain`` takes
every queued row into one index write, under the index's write lock, reading the database then: concurrent saves
in several processes are batched, none is lost, and none is overwritten by an older state. A save pays one INSERT;
search lags the database by the worker's pick-up time. A failure never reaches the user: it is logged and the
rows stay queued for the next drain. ``sync_keys`` writes at once (an erasure must not wait).

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


def _docs_and_gone(keys: Iterable[str]) -> tuple[list, list[str]]:
    """The documents of these keys as the database has them now, and the keys of objects no longer there."""
    wanted: dict[str, list[int]] = {}
    for key in dict.fromkeys(keys):
        type_, _, pk = key.partition(":")
        if type_ in documents.TYPES and pk.isdigit():
            wanted.setdefault(type_, []).append(int(pk))
    docs, gone = [], []
    for type_, ids in wanted.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found = documents.docs_for(type_, chunk)
            docs += list(found.values())
            gone += [documents.key_of(type_, pk) for pk in chunk if pk not in found]
    return docs, gone


def _write(batch, keys) -> None:
    docs, gone = _docs_and_gone(keys)
    if docs:
        batch.index(docs)
    if gone:
        batch.remove(gone)


def sync_keys(keys: Iterable[str]) -> None:
    """Bring these documents in line with the database now (waiting for the index's write lock): index those that
    exist, remove the others. The database is read while the lock is held, so no writer that read it earlier can
    overwrite this with an older state. For what must be in the index before going on (an erasure)."""
    from search.backends import get_backend

    keys = list(keys)
    if keys:
        with get_backend().batch() as batch:
            _write(batch, keys)


DRAIN_BATCH = 2000


def drain() -> int:
    """Index every queued document (``search.models.IndexQueue``), if no other writer is at it; returns how many
    queue entries this call covered.

    One drainer at a time: the backend's write lock is tried, not waited for. If another process holds it, this
    one leaves at once, and the holder takes these entries too: it reads the queue only after taking the lock, and
    looks at the queue again each time it lets the lock go — so an entry queued while it was writing (whose own
    drainer found the lock taken) is never left behind. The database is read under the lock, so an older read
    never overwrites a newer one. Entries are deleted only after the index write has committed."""
    from search.backends import get_backend
    from search.models import IndexQueue

    backend = get_backend()
    done = 0
    while IndexQueue.objects.exists():
        with backend.batch(wait=False) as batch:
            if batch is None:
                return done  # the holder of the lock drains what is queued (see above)
            rows = list(IndexQueue.objects.order_by("pk").values_list("pk", "key")[:DRAIN_BATCH])
            if rows:
                _write(batch, [key for _pk, key in rows])
        if rows:
            IndexQueue.objects.filter(pk__in=[pk for pk, _key in rows]).delete()
            done += len(rows)
    return done


def drain_or_log() -> int:
    """``drain``, with a failure logged (the queue keeps the entries) instead of raised: indexing never breaks a
    write, a page or the worker."""
    try:
        return drain()
    except Exception:
        logger.exception("search indexing failed; the queue keeps the entries (run manage.py rebuild_index if it "
                         "persists)")
        return 0


def _drain_now() -> None:
    drain_or_log()


def _wake_drainer() -> None:
    """After a commit that queued entries: the background worker drains them (``search.tasks.drain_index_task``;
    inline where tasks run immediately). If no task can be queued, drain here."""
    try:
        from search.tasks import drain_index_task

        drain_index_task.enqueue()
    except Exception:
        logger.exception("could not queue the search index drain; draining now")
        _drain_now()


def enqueue(keys: Iterable[str]) -> None:
    """Mark these documents stale, in the caller's transaction (one INSERT), and have them indexed after it
    commits. A rolled-back change queues nothing."""
    from search.models import IndexQueue

    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    IndexQueue.objects.bulk_create([IndexQueue(key=key) for key in keys], batch_size=1000)
    transaction.on_commit(_wake_drainer)


def _on_commit(keys: list[str]) -> None:
    enqueue(keys)


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


def index_ids_on_commit(type_: str, ids: Iterable[int]) -> None:
    """Re-index many objects of one type (e.g. incidents just imported): queued like any change, and drained by
    the background worker in batches, so a large import does not wait for the index."""
    enqueue(documents.key_of(type_, pk) for pk in ids)
