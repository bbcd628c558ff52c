"""Merging duplicate person records (check, then do — in one transaction, with history and the author).

The dropped record is **deleted, with its history kept**, not left as a tombstone:

- a tombstone would keep a second copy of a real name and contacts alive in the live table, visible to nobody yet
  needing its own access rules, search handling and erasure; for people at risk the copy that is not needed is the
  copy that is not kept;
- the history (django-simple-history) keeps who merged what and when: the dropped record's last entry is its
  deletion, by the merging user, with the reason ``merged into person <id>: <pseudonym>``; the kept record gets
  an entry by the same user with ``merged from person <id>: <pseudonym>`` and whatever it took over;
- a link to the dropped record answers 404, exactly as a person who never existed (no oracle), and no model changes
  shape (no migration).

Who may merge (docs/access-model.md, "Persons" and "Links"): someone who may edit both records and read both
identities, who may move the dropped record out of where it is (``person_movable``) — its parties and
involvements, and the identity details the kept record lacks, move to the kept record's audience — and, when the
dropped record's cases and incidents would show the kept person to anybody who cannot see them now, who may also
move the kept record (the merge must not be a way round the no-transitive-grants rule).
"""
from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Incident, IncidentPerson, Party, Person
from cases.permissions import cases_holding_person
from cases.services import _require_active, _save
from search import indexing

# Identity details the kept record takes over from the dropped one when it has none of its own.
TAKEN_OVER_TEXT = ("real_name", "contacts", "consent_scope")
REASON_FROM = "merged from person {pk}: {pseudonym}"
REASON_INTO = "merged into person {pk}: {pseudonym}"
REASON_PATTERN = re.compile(r"^merged (?P<way>from|into) person (?P<pk>\d+): (?P<pseudonym>.*)$", re.S)


def _adds_audience(*, keep: Person, drop: Person) -> bool:
    """Would putting ``keep`` where ``drop`` is show ``keep`` to anybody new? True when ``drop`` is in a case
    (live or trashed) that does not already hold ``keep``, or in an incident linked to no case that ``keep`` is not
    in (its owner and shares are its audience)."""
    if cases_holding_person(drop).exclude(pk__in=cases_holding_person(keep).values("pk")).exists():
        return True
    keep_incidents = IncidentPerson.objects.filter(person=keep).values("incident_id")
    return (Incident.objects.filter(involvements__person=drop).unlinked()
            .exclude(pk__in=keep_incidents).exists())


def person_merge_check(*, user, keep: Person, drop: Person) -> tuple[Person, Person]:
    """The rules of a merge (see the module docstring). Http404 when either person is hidden from ``user``,
    PermissionDenied when both are visible but the merge is not theirs to make; the fresh rows otherwise."""
    _require_active(user)
    keep = permissions.person_get(user, getattr(keep, "pk", keep))
    drop = permissions.person_get(user, getattr(drop, "pk", drop))
    if keep.pk == drop.pk:
        raise ValidationError({"into": _("A person cannot be merged with themselves.")})
    for person in (keep, drop):
        perms = permissions.person_perms(user, person)
        if permissions.PERSON_EDIT not in perms or permissions.PERSON_IDENTITY not in perms:
            raise PermissionDenied(_("Only someone who may edit both persons and read both identities may merge "
                                     "them (“%(p)s” is not yours to edit).") % {"p": person.pseudonym})
    if not permissions.person_movable(user, drop):
        raise PermissionDenied(_("“%(p)s” belongs to a case or incident you may not move them out of: ask a lead of "
                                 "that case.") % {"p": drop.pseudonym})
    if _adds_audience(keep=keep, drop=drop) and not permissions.person_movable(user, keep):
        raise PermissionDenied(_("The merge would show “%(p)s” in cases or incidents where they are not now, and "
                                 "you may not move them: ask a lead of their case.") % {"p": keep.pseudonym})
    return keep, drop


def _join_notes(kept: str, dropped: str) -> str:
    if not dropped or dropped in kept:
        return kept
    return f"{kept}\n{dropped}".strip() if kept else dropped


@transaction.atomic
def person_merge(*, user, keep: Person, drop: Person) -> Person:
    """Merge the duplicate ``drop`` into ``keep``: ``drop``'s parties and involvements become ``keep``'s (two rows
    that would then say the same thing become one, notes joined), ``keep`` takes over identity details it lacks,
    ``drop`` is deleted. Recorded in both persons' history with ``user``; the search index follows on commit.
    Returns the kept person."""
    pks = [permissions.parse_id(getattr(p, "pk", p)) for p in (keep, drop)]
    if None not in pks:  # one merge of these two at a time; the checks below then read the locked rows
        list(Person.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    keep, drop = person_merge_check(user=user, keep=keep, drop=drop)

    for party in Party.objects.filter(person=drop).order_by("id"):
        twin = Party.objects.filter(case_id=party.case_id, person=keep, role=party.role).order_by("id").first()
        if twin is not None:
            notes = _join_notes(twin.notes, party.notes)
            if notes != twin.notes:
                twin.notes = notes
                _save(twin, user=user)
            party._history_user = user
            party.delete()
        else:
            party.person = keep
            _save(party, user=user)

    for involvement in IncidentPerson.objects.filter(person=drop).order_by("id"):
        twin = IncidentPerson.objects.filter(incident_id=involvement.incident_id, person=keep,
                                             part=involvement.part).first()
        if twin is not None:
            notes = _join_notes(twin.notes, involvement.notes)
            if notes != twin.notes:
                twin.notes = notes
                _save(twin, user=user)
            involvement._history_user = user
            involvement.delete()
        else:
            involvement.person = keep
            _save(involvement, user=user)

    for name in TAKEN_OVER_TEXT:
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    if drop.consent_given and not keep.consent_given:
        keep.consent_given, keep.consent_date = True, drop.consent_date
    keep._change_reason = REASON_FROM.format(pk=drop.pk, pseudonym=drop.pseudonym)
    _save(keep, user=user)  # saved even when nothing changed: the merge is an entry in the kept person's history

    indexing.remove_on_commit(drop)
    drop._history_user = user
    drop._change_reason = REASON_INTO.format(pk=keep.pk, pseudonym=keep.pseudonym)
    drop.delete()
    indexing.index_on_commit(keep)
    return keep


def merge_reason_text(reason: str) -> str | None:
    """A merge's history reason in the reader's language (None when ``reason`` is not a merge)."""
    match = REASON_PATTERN.match(reason or "")
    if match is None:
        return None
    values = {"pk": match["pk"], "p": match["pseudonym"]}
    if match["way"] == "from":
        return _("Merged with the duplicate record “%(p)s” (no. %(pk)s), which was removed.") % values
    return _("Merged into “%(p)s” (no. %(pk)s); this record was removed.") % values

