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
from search.documents import evidence_model


def _evidence_permissions():
    if evidence_model() is None:
        return None
    from evidence import permissions as ep

    return ep


def scope_for(user) -> Scope:
    """The tokens of everything ``user`` may see, and of what gated text they may probably search."""
    if not cp._active(user):
        return Scope(visible=frozenset())
    if user.is_superuser:
        return Scope(everything=True)
    live_link = Incident.cases.through.objects.filter(incident=OuterRef("pk"), case__deleted_at__isnull=True)
    visible_cases = {f"c{pk}" for pk in cp.cases_for(user).values_list("pk", flat=True)}
    unlinked = {
        f"i{pk}" for pk in cp.incidents_for(user).filter(~Exists(live_link)).values_list("pk", flat=True)
    }
    own = {f"u{user.pk}"}
    download_cases = {f"c{pk}" for pk in cp.cases_for(user, cp.DOWNLOAD_RESTRICTED).values_list("pk", flat=True)}
    identity_cases = {f"c{pk}" for pk in cp.cases_for(user, cp.VIEW_IDENTITIES).values_list("pk", flat=True)}
    return Scope(
        visible=frozenset(visible_cases | unlinked | own),
        gated={
            "evidence": frozenset(download_cases | unlinked),
            "person": frozenset(identity_cases | unlinked | own),
        },
    )


def visible_objects(user, type_: str, ids: Iterable[int]) -> dict[int, object]:
    """Of these ids, the objects ``user`` may view now (one query), keyed by id."""
    ids = list(ids)
    if not ids:
        return {}
    if type_ == "case":
        qs = cp.cases_for(user)
    elif type_ == "incident":
        qs = cp.incidents_for(user)
    elif type_ == "person":
        qs = cp.persons_for(user)
    elif type_ == "evidence":
        ep = _evidence_permissions()
        if ep is None:
            return {}
        qs = ep.evidence_for(user, "view")
    else:
        return {}
    return {obj.pk: obj for obj in qs.filter(pk__in=ids)}


def gated_allowed(user, type_: str, objects: dict[int, object]) -> set[int]:
    """Of these (visible) objects, those whose gated text ``user`` may search and read."""
    if not objects:
        return set()
    if type_ == "person":
        return set(cp.person_identity_ids(user, objects))
    if type_ == "evidence":
        ep = _evidence_permissions()
        if ep is None:
            return set()
        open_items = {pk for pk, item in objects.items() if not item.restricted}
        closed = [pk for pk in objects if pk not in open_items]
        if closed:
            open_items |= set(ep.evidence_for(user, "download").filter(pk__in=closed).values_list("pk", flat=True))
        return open_items
    return set(objects)  # cases and incidents have no gated text


def recheck(user, hits: list[Hit]) -> tuple[list[Hit], dict[str, dict[int, object]], dict[str, set[int]]]:
    """Keep the hits ``user`` may see according to the database now; drop gated-only hits whose gated
    permission fails. Returns (hits kept, objects by type and id, ids whose gated text may be shown)."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        by_type[hit.type].append(hit.id)
    objects: dict[str, dict[int, object]] = {}
    gated: dict[str, set[int]] = {}
    for type_, ids in by_type.items():
        chunked: dict[int, object] = {}
        for start in range(0, len(ids), 500):
            chunked.update(visible_objects(user, type_, ids[start:start + 500]))
        objects[type_] = chunked
        gated[type_] = gated_allowed(user, type_, chunked)
    kept = []
    for hit in hits:
        if hit.id not in objects.get(hit.type, {}):
            continue
        if hit.id not in gated.get(hit.type, set()):
            if hit.gated_only:
                continue
            # Rank it by its public text only: the order must not depend on text the caller may not read.
            hit.score = hit.public_score if hit.public_score is not None else hit.score
        kept.append(hit)
    kept.sort(key=lambda h: (-h.score, h.type, -h.id))
    return kept, objects, gated
