"""Writes for claims, their citations of authorities, and the authorities library.

Each service checks who may do it through ``litigation.permissions`` (404 hidden, 403 visible but not allowed),
validates, then writes with the author in the history. Invalid input raises ValidationError before any write."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import Case, Proceeding
from cases.permissions import case_require
from litigation import indexing
from litigation.models import Authority, Citation, Claim
from litigation.permissions import (
    EDIT,
    authority_get,
    authority_require,
    can_add_to_library,
    citation_require,
    claim_require,
)
from litigation.services.common import assign, check_fields, delete, parse_dates, save, strip_strings

CLAIM_FIELDS = ("right", "basis", "relief", "proceeding", "outcome")
AUTHORITY_FIELDS = ("kind", "title", "citation", "court", "date", "identifier", "url")
_CLAIM_TEXT = ("right", "basis", "relief", "outcome")
_AUTHORITY_TEXT = ("title", "citation", "court", "identifier", "url")


# --- Claims ---------------------------------------------------------------------------------------------------
def _proceeding_of(case: Case, value: Any) -> Proceeding | None:
    """A proceeding of this case (an object or an id); another case's or a missing one is the same 400."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Proceeding) else value
    proceeding = Proceeding.objects.filter(pk=pk, case=case).first() if isinstance(pk, int) else None
    if proceeding is None:
        raise ValidationError({"proceeding": _("No such proceeding on this case.")})
    return proceeding


def _claim_data(case: Case, data: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(data)
    check_fields(data, CLAIM_FIELDS)
    strip_strings(data, _CLAIM_TEXT)
    if "proceeding" in data:
        data["proceeding"] = _proceeding_of(case, data["proceeding"])
    return data


@transaction.atomic
def claim_create(*, user, case: Case | int, right: str, **fields: Any) -> Claim:
    """Add a claim to a case (``change_case``)."""
    case = case_require(user, getattr(case, "pk", case), EDIT)
    data = _claim_data(case, {"right": right, **fields})
    claim = Claim(case=case, created_by=user)
    assign(claim, data)
    save(claim, user=user)
    indexing.changed(claim)
    return claim


@transaction.atomic
def claim_update(*, user, claim: Claim, data: Mapping[str, Any]) -> Claim:
    current = claim_require(user, claim.pk, EDIT)
    current = Claim.objects.select_for_update(of=("self",)).get(pk=current.pk)
    changed = assign(current, _claim_data(current.case, data))
    if changed:
        save(current, user=user)
        indexing.changed(current)
    return current


@transaction.atomic
def claim_delete(*, user, claim: Claim) -> None:
    """Delete a claim and its citations (each deletion in the history with its author)."""
    claim = claim_require(user, claim.pk, EDIT)
    for citation in claim.citations.all():
        delete(citation, user=user)
    indexing.removed(claim)
    delete(claim, user=user)


# --- Citations ------------------------------------------------------------------------------------------------
def _citable(user, claim: Claim, authority: Authority | int | str) -> Authority:
    try:
        found = authority_get(user, getattr(authority, "pk", authority))
    except Http404:
        raise ValidationError({"authority": _("No such authority.")}) from None
    if found.case_id is not None and found.case_id != claim.case_id:
        # Citing it here would show another case's private record to this case's members: no transitive grants.
        raise ValidationError({"authority": _(
            "This authority is private to another case; add it to the library or to this case first.")})
    return found


@transaction.atomic
def citation_add(*, user, claim: Claim, authority: Authority | int, pinpoint: str = "") -> Citation:
    """Cite an authority (the shared library's, or one private to the claim's case) in a claim."""
    claim = claim_require(user, claim.pk, EDIT)
    found = _citable(user, claim, authority)
    pinpoint = strip_strings({"pinpoint": pinpoint}, ["pinpoint"])["pinpoint"]
    if Citation.objects.filter(claim=claim, authority=found, pinpoint=pinpoint).exists():
        raise ValidationError({"pinpoint": _("The claim already cites this authority at this pinpoint.")})
    citation = Citation(claim=claim, authority=found, pinpoint=pinpoint, created_by=user)
    try:
        with transaction.atomic():
            save(citation, user=user, exclude=["claim", "authority"])
    except IntegrityError:  # a concurrent request added the same citation first
        raise ValidationError({"pinpoint": _("The claim already cites this authority at this pinpoint.")}) from None
    indexing.changed(claim)  # a claim is found by the authorities it cites
    return citation


@transaction.atomic
def citation_update(*, user, citation: Citation, pinpoint: str) -> Citation:
    citation = citation_require(user, citation.pk, EDIT)
    pinpoint = strip_strings({"pinpoint": pinpoint}, ["pinpoint"])["pinpoint"]
    if pinpoint == citation.pinpoint:
        return citation
    if Citation.objects.filter(claim=citation.claim, authority=citation.authority, pinpoint=pinpoint).exists():
        raise ValidationError({"pinpoint": _("The claim already cites this authority at this pinpoint.")})
    citation.pinpoint = pinpoint
    save(citation, user=user, exclude=["claim", "authority"])
    indexing.changed(citation.claim)
    return citation


@transaction.atomic
def citation_remove(*, user, citation: Citation) -> None:
    citation = citation_require(user, citation.pk, EDIT)
    claim = citation.claim
    delete(citation, user=user)
    indexing.changed(claim)


# --- Authorities ----------------------------------------------------------------------------------------------
def _authority_data(data: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(data)
    check_fields(data, AUTHORITY_FIELDS)
    strip_strings(data, _AUTHORITY_TEXT)
    parse_dates(data, ["date"])
    if "kind" in data and data["kind"] not in Authority.Kind.values:
        raise ValidationError({"kind": _("Choose one of %(values)s.") % {"values": ", ".join(Authority.Kind.values)}})
    return data


def _no_duplicate(authority: Authority) -> None:
    """One library entry per identifier and kind (and per case for private ones): cite the one that is there."""
    if not authority.identifier:
        return
    twin = (Authority.objects.filter(kind=authority.kind, identifier__iexact=authority.identifier,
                                     case_id=authority.case_id).exclude(pk=authority.pk).first())
    if twin is not None:
        raise ValidationError({"identifier": _("Already recorded: %(title)s (no. %(id)s).") % {
            "title": twin, "id": twin.pk}})


@transaction.atomic
def authority_create(*, user, title: str, case: Case | int | None = None, **fields: Any) -> Authority:
    """Add an authority to the shared library (staff, or whoever may change a live case) or, given ``case``,
    privately to that case (``change_case`` on it)."""
    if case is not None:
        case = case_require(user, getattr(case, "pk", case), EDIT)
    elif not can_add_to_library(user):
        raise PermissionDenied(_("Only lawyers and leads of a case, or staff, may add to the library."))
    data = _authority_data({"title": title, **fields})
    authority = Authority(case=case, created_by=user)
    assign(authority, data)
    authority.full_clean(exclude=["case"])
    _no_duplicate(authority)
    save(authority, user=user)
    indexing.changed(authority)
    return authority


@transaction.atomic
def authority_update(*, user, authority: Authority, data: Mapping[str, Any]) -> Authority:
    """Change an authority (library: its creator or staff; private: ``change_case`` on its case). Where it lives
    (library or case) does not change."""
    current = authority_require(user, authority.pk)
    current = Authority.objects.select_for_update(of=("self",)).get(pk=current.pk)
    changed = assign(current, _authority_data(data))
    if changed:
        current.full_clean(exclude=["case"])
        if changed & {"identifier", "kind"}:
            _no_duplicate(current)
        save(current, user=user)
        indexing.changed(current, *Claim.objects.filter(citations__authority=current).distinct())
    return current
