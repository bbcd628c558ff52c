"""The caller's permissions as index tokens (pre-filter) and the database re-check of every hit.

Everything here asks ``cases.permissions`` and ``evidence.permissions``; nothing reads roles or guardian rows.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from cases import permissions as cp
from cases.models import Incident
from search.backends.base import Hit, Scope
from search.documents import LIBRARY_TOKEN, evidence_model


def _evidence_permissions():
    if evidence_model() is None:
        return None
    from evidence import permissions as ep

    return ep


def scope_for(user) -> Scope:
    """The tokens (see ``search.documents``) of everything ``user`` may see, and of the gated text they may read.

    This is docs/access-model.md, read for the index — the one place where search restates it:

    - ``c<id>``: a live case on which the user holds ``view_case``. It reaches the case, the incidents linked to it,
      the items that are its live exhibits or linked to its incidents, the persons who are its parties or are
      involved in its incidents (the documents carry no token of an incident in the trash). A case in the trash
      gives no token: trash grants nothing through it.
    - ``i<id>``: an *unlinked* incident (no case link at all, live or trashed) on which the user holds a direct
      grant: its owner or a user it is shared with. A linked incident is reached only through its live cases, so an
      incident whose only cases are in the trash is reached by nobody.
    - ``u<id>``: the user themself, the creator of a person who is in nothing (only such persons carry it).
    - ``lib``: every active user, for the shared library of authorities. A proceeding, a claim, a request, a task
      and an authority private to a case carry only their case's token.

    Gated text, per type: a restricted item's file text through ``download_restricted`` on one of its live cases,
    or ``change_incident`` on an unlinked incident it is linked to; a real name through ``view_identities`` on one of
    the person's live cases, ``view_incident_identities`` on an unlinked incident they are involved in, or having
    created them while they are in nothing.

    Roles come from ``cases.permissions.cases_for``; direct grants from ``cases.permissions.incidents_for``, asked
    only about incidents with no case link, where the rule book gives nothing but the direct grants. Every hit is
    re-checked in the database afterwards (``recheck``); the pre-filter must still be exact, because it decides
    what the backend ranks and counts."""
    if not cp.is_active_user(user):
        return Scope(visible=frozenset())
    if user.is_superuser:
        return Scope(everything=True)

    def cases(perm: str) -> set[str]:
        return {f"c{pk}" for pk in cp.cases_from_rows(user, perm).values_list("pk", flat=True)}

    any_link = Incident.cases.through.objects.filter(incident=OuterRef("pk"))

    def unlinked(perm: str) -> set[str]:
        return {f"i{pk}" for pk in cp.incidents_for(user, perm).filter(~Exists(any_link)).values_list("pk", flat=True)}

    own = {f"u{user.pk}"}
    return Scope(
        visible=frozenset(cases(cp.VIEW_CASE) | unlinked(cp.VIEW_INCIDENT) | own | {LIBRARY_TOKEN}),
        gated={
            "evidence": frozenset(cases(cp.DOWNLOAD_RESTRICTED) | unlinked(cp.CHANGE_INCIDENT)),
            "person": frozenset(cases(cp.VIEW_IDENTITIES) | unlinked(cp.VIEW_INCIDENT_IDENTITIES) | own),
        },
    )


def case_in_scope(scope: Scope, case_id: int) -> bool:
    """Whether the case is one the scope may see (a filter by any other id is a filter by a missing one)."""
    return scope.everything or f"c{case_id}" in scope.visible


def _visible_qs(user, type_: str):
    if type_ == "case":
        return cp.cases_for(user)
    if type_ == "incident":
        return cp.incidents_for(user)
    if type_ == "person":
        return cp.persons_for(user)
    if type_ == "evidence":
        ep = _evidence_permissions()
        return ep.evidence_for(user, "view") if ep is not None else None
    if type_ in ("authority", "claim", "request", "task"):
        from litigation import permissions as lp

        return {"authority": lp.authorities_for, "claim": lp.claims_for, "request": lp.requests_for,
                "task": lp.tasks_for}[type_](user)
    if type_ == "proceeding":
        return cp.proceedings_for(user)
    return None


def visible_ids(user, type_: str, ids: Iterable[int]) -> dict[int, bool]:
    """Of these ids, those ``user`` may view now (one query): id -> whether the object's gated text is closed to
    some viewers (a restricted evidence item; always True for a person, False for every other type)."""
    ids = list(ids)
    qs = _visible_qs(user, type_) if ids else None
    if qs is None:
        return {}
    qs = qs.filter(pk__in=ids)
    if type_ == "evidence":
        return dict(qs.values_list("pk", "restricted"))
    return {pk: type_ == "person" for pk in qs.values_list("pk", flat=True)}


def gated_allowed(user, type_: str, visible: dict[int, bool]) -> set[int]:
    """Of these visible ids (see ``visible_ids``), those whose gated text ``user`` may search and read."""
    if not visible:
        return set()
    if type_ == "person":
        return set(cp.person_identity_ids(user, list(visible)))
    if type_ == "evidence":
        ep = _evidence_permissions()
        if ep is None:
            return set()
        open_items = {pk for pk, closed in visible.items() if not closed}
        closed = [pk for pk, is_closed in visible.items() if is_closed]
        if closed:
            open_items |= set(ep.evidence_for(user, "download").filter(pk__in=closed).values_list("pk", flat=True))
        return open_items
    return set(visible)  # cases and incidents have no gated text


CHUNK = 1000


def recheck(user, hits: list[Hit]) -> tuple[list[Hit], dict[str, set[int]]]:
    """Keep the hits ``user`` may see according to the database now; drop gated-only hits whose gated
    permission fails. Returns (hits kept, ids whose gated text may be shown, by type). Ids only: at most two
    queries per type (visible, and gated text), whatever the number of hits up to ``CHUNK``."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        by_type[hit.type].append(hit.id)
    visible: dict[str, dict[int, bool]] = {}
    gated: dict[str, set[int]] = {}
    for type_, ids in by_type.items():
        found: dict[int, bool] = {}
        for start in range(0, len(ids), CHUNK):
            found.update(visible_ids(user, type_, ids[start:start + CHUNK]))
        visible[type_] = found
        gated[type_] = gated_allowed(user, type_, found)
    kept = []
    for hit in hits:
        if hit.id not in visible.get(hit.type, {}):
            continue
        if hit.id not in gated.get(hit.type, set()):
            if hit.gated_only:
                continue
            # Rank it by its public text only: the order must not depend on text the caller may not read.
            hit.score = hit.public_score if hit.public_score is not None else hit.score
        kept.append(hit)
    kept.sort(key=lambda h: (-h.score, h.type, -h.id))
    return kept, gated
