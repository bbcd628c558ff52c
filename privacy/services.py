"""Erasure of a person's identity, under legal hold (GDPR Art. 17(1) and 17(3)(e); 152-FZ art. 21).

``person_erase(user=, person=)`` checks, then does:

1. the person must be visible to ``user`` (else Http404) and ``user`` a lead or lawyer of every case the person is in
   (``cases.permissions.person_erasable``; else PermissionDenied);
2. while any of those cases is under legal hold, the erasure is refused — ``ErasureRefused`` (a 409 naming the case)
   — and the refusal is recorded;
3. otherwise, in one transaction: the real name, contacts, consent scope and consent date are blanked on the person
   (a history row records that, by whom), and in every earlier history row of the person — the one place where
   history is rewritten, because keeping the identity there would defeat the erasure; an ``ErasureRecord`` says who,
   when, which person and on what ground. After the commit the person is re-indexed (the blind hashes of the name
   leave the index) and the index and the SQLite file are compacted, so the old values do not linger in free space.

The pseudonym and the facts (parties, incidents, evidence, history of everything else) stay.
"""
from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.concurrency import lock_for_update, next_version
from cases.models import Person
from config.conflict import Conflict
from privacy.models import ErasureRecord

logger = logging.getLogger("docket")

ERASED_VALUES = {"real_name": "", "contacts": "", "consent_scope": "", "consent_date": None}


class ErasureRefused(Conflict):
    """A case of the person is under legal hold: nothing was erased (the refusal is recorded)."""

    def __init__(self, case) -> None:
        super().__init__(
            _("“%(case)s” is under legal hold: the identity of a person in it cannot be erased while the records may "
              "be needed for legal claims (GDPR Art. 17(3)(e); 152-FZ art. 21). Its lead can lift the hold.")
            % {"case": case},
            case=case.pk,
        )
        self.case = case


def _record(*, user, person: Person, outcome: str, ground: str, note: str, case=None, rows: int = 0):
    record = ErasureRecord(
        person=person, person_pseudonym=person.pseudonym, outcome=outcome, ground=ground, note=note,
        blocking_case=case, blocking_case_label=str(case)[:420] if case is not None else "", history_rows=rows,
        requested_by=user, requested_by_username=user.get_username(),
    )
    record.full_clean()
    record._history_user = user
    record.save()
    return record


def person_erase(*, user: Any, person: Person, ground: str = ErasureRecord.Ground.REQUEST,
                 note: str = "") -> ErasureRecord:
    """Erase the person's identity everywhere, or refuse (ErasureRefused) while a case of theirs is under legal hold.
    Both outcomes are recorded (ErasureRecord)."""
    person = permissions.person_get(user, person.pk)
    if not permissions.person_erasable(user, person):
        raise PermissionDenied(
            _("Only a lead or lawyer of every case this person is in may erase their identity."))
    held = permissions.cases_holding_person(person).filter(legal_hold=True).order_by("pk").first()
    if held is not None:
        with transaction.atomic():
            _record(user=user, person=person, outcome=ErasureRecord.Outcome.REFUSED, ground=ground, note=note,
                    case=held)
        raise ErasureRefused(held)
    with transaction.atomic():
        lock_for_update(person)
        # Checked again under the lock: a hold set meanwhile wins.
        held = permissions.cases_holding_person(person).filter(legal_hold=True).order_by("pk").first()
        if held is not None:
            transaction.set_rollback(True)
        else:
            for name, value in ERASED_VALUES.items():
                setattr(person, name, value)
            person.erased_at = timezone.now()
            person.full_clean()
            person._history_user = user
            person._change_reason = "identity erased"
            next_version(person)
            person.save()
            # The one place where history is rewritten: every earlier row of this person loses the identity too.
            rows = Person.history.filter(id=person.pk).update(**ERASED_VALUES)
            record = _record(user=user, person=person, outcome=ErasureRecord.Outcome.ERASED, ground=ground,
                             note=note, rows=rows)
            transaction.on_commit(lambda: _after_erasure(person))
    if held is not None:
        with transaction.atomic():
            _record(user=user, person=person, outcome=ErasureRecord.Outcome.REFUSED, ground=ground, note=note,
                    case=held)
        raise ErasureRefused(held)
    return record


def _after_erasure(person: Person) -> None:
    """Take the erased words out of the index and out of free space in the files."""
    from search import indexing

    try:
        indexing.sync_keys([f"person:{person.pk}"])
        indexing.compact()
    except Exception:  # the erasure stands; the index is derived data (rebuild_index repairs it)
        logger.exception("could not re-index person %s after erasure; run manage.py rebuild_index", person.pk)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
