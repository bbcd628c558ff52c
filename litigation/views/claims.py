"""Pages for claims, their citations and the authorities library. Thin: find through the permission path (404
hidden, 403 not allowed), validate with a form, call one service, render; a service's refusal shows on the form."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.forms import apply_service_errors
from cases.permissions import GENERATE_DOCUMENTS, case_get, case_perms
from litigation import selectors, services
from litigation.forms import AuthorityForm, CitationForm, ClaimForm
from litigation.permissions import (
    EDIT,
    authorities_for,
    authority_get,
    can_add_to_library,
    can_change_authority,
    citation_require,
    claim_get,
    claim_require,
)
from litigation.views.common import editable_case, history_rows, page_of


def _citable(user, claim):
    return (authorities_for(user).filter(Q(case__isnull=True) | Q(case=claim.case_id))
            .order_by("kind", "title", "id"))


# --- Claims ---------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def claim_create(request, case_pk: int):
    case = case_get(request.user, case_pk)
    if EDIT not in case_perms(request.user, case):
        raise PermissionDenied
    form = ClaimForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(user=request.user, case=case, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Claim added. Cite the authorities it rests on."))
            return redirect(claim)
    return render(request, "litigation/form.html", {"form": form, "case": case, "heading": _("New claim")})


@login_required
def claim_detail(request, pk: int):
    claim = claim_get(request.user, pk)
    perms = case_perms(request.user, claim.case)
    can_edit = EDIT in perms
    number = selectors.claim_numbers(case=claim.case).get(claim.pk)
    return render(request, "litigation/claim_detail.html", {
        "claim": claim, "number": number, "can_edit": can_edit,
        "can_generate": GENERATE_DOCUMENTS in perms,
        "citations": claim.citations.select_related("authority").order_by("id"),
        "cite_form": CitationForm(authorities=_citable(request.user, claim)) if can_edit else None,
        "history": history_rows(selectors.claim_history(user=request.user, claim=claim)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def claim_edit(request, pk: int):
    claim = claim_require(request.user, pk, EDIT)
    initial = {"right": claim.right, "proceeding": claim.proceeding_id, "basis": claim.basis, "relief": claim.relief,
               "outcome": claim.outcome}
    form = ClaimForm(request.POST or None, case=claim.case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(user=request.user, claim=claim, data=form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Claim saved."))
            return redirect(claim)
    return render(request, "litigation/form.html", {"form": form, "case": claim.case, "heading": _("Edit claim"),
                                                   "cancel": claim.get_absolute_url()})


@login_required
@require_http_methods(["GET", "POST"])
def claim_delete(request, pk: int):
    claim = claim_require(request.user, pk, EDIT)
    if request.method == "POST":
        case = claim.case
        services.claim_delete(user=request.user, claim=claim)
        messages.success(request, _("Claim deleted."))
        return redirect(case.get_absolute_url() + "#claims")
    return render(request, "cases/confirm.html", {
        "title": _("Delete this claim?"), "message": _("The claim and its citations are deleted; the history keeps "
                                                        "them."), "button": _("Delete"), "danger": True,
        "cancel": claim.get_absolute_url()})


@login_required
@require_POST
def citation_add(request, pk: int):
    claim = claim_require(request.user, pk, EDIT)
    form = CitationForm(request.POST, authorities=_citable(request.user, claim))
    if form.is_valid():
        try:
            services.citation_add(user=request.user, claim=claim, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Authority cited."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("claim-detail", args=[claim.pk]) + "#citations")


@login_required
@require_POST
def citation_remove(request, pk: int):
    citation = citation_require(request.user, pk, EDIT)
    claim = citation.claim
    services.citation_remove(user=request.user, citation=citation)
    messages.success(request, _("Citation removed."))
    return redirect(reverse("claim-detail", args=[claim.pk]) + "#citations")


# --- Authorities ----------------------------------------------------------------------------------------------
@login_required
def authority_list(request):
    queryset, filterset = selectors.authority_list(user=request.user, params=request.GET)
    return render(request, "litigation/authority_list.html", {
        "page": page_of(request, queryset), "filter": filterset,
        "can_add": can_add_to_library(request.user), "filtered": any(request.GET.get(k) for k in filterset.form.fields),
    })


@login_required
@require_http_methods(["GET", "POST"])
def authority_create(request):
    case = editable_case(request)  # private to this case; none: the shared library
    if case is None and not can_add_to_library(request.user):
        raise PermissionDenied
    back_to = None
    if request.GET.get("claim"):
        back_to = claim_require(request.user, request.GET["claim"], EDIT)
    form = AuthorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authority = services.authority_create(user=request.user, case=case, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            if back_to is not None:
                messages.success(request, _("Authority added. Choose it below to cite it."))
                return redirect(reverse("claim-detail", args=[back_to.pk]) + "#citations")
            messages.success(request, _("Authority added."))
            return redirect(authority)
    heading = _("New authority (private to this case)") if case else _("New authority in the shared library")
    return render(request, "litigation/form.html", {
        "form": form, "case": case, "heading": heading,
        "cancel": back_to.get_absolute_url() if back_to else reverse("authority-list"),
    })


@login_required
def authority_detail(request, pk: int):
    authority = authority_get(request.user, pk)
    return render(request, "litigation/authority_detail.html", {
        "authority": authority, "can_edit": can_change_authority(request.user, authority),
        "citations": selectors.authority_citing_claims(user=request.user, authority=authority),
        "history": history_rows(selectors.authority_history(user=request.user, authority=authority)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def authority_edit(request, pk: int):
    authority = authority_get(request.user, pk)
    if not can_change_authority(request.user, authority):
        raise PermissionDenied
    initial = {name: getattr(authority, name) for name in services.claims.AUTHORITY_FIELDS}
    form = AuthorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.authority_update(user=request.user, authority=authority, data=form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Authority saved."))
            return redirect(authority)
    return render(request, "litigation/form.html", {"form": form, "case": authority.case,
                                                   "heading": _("Edit authority"),
                                                   "cancel": authority.get_absolute_url()})
