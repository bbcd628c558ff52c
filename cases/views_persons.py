"""Pages for persons: the directory, a person's page and history, and merging duplicates.

Everyone sees pseudonyms of the persons they may reach (``cases.permissions.persons_for``); real names, contacts and
consent only where ``person_identity_ids`` allows. Missing and hidden persons are both 404.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import permissions as perm
from cases import selectors
from cases.filters import PersonFilter
from cases.services_persons import merge_reason_text, person_merge
from cases.views import _history_rows, _page


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filterset = PersonFilter(request.GET or None, perm.persons_for(user).order_by("pseudonym", "id"), user=user)
    page = _page(request, selectors.person_list_prefetch(filterset.qs, user=user))
    return render(request, "cases/person_list.html", {
        "filter": filterset, "form": filterset.form, "page": page, "filtered": filterset.filtered,
        "sort": filterset.sort or "pseudonym",
        "identity_ids": perm.person_identity_ids(user, [p.pk for p in page.object_list]),
    })


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = perm.person_get(user, pk)
    perms = perm.person_perms(user, person)
    return render(request, "cases/person_detail.html", {
        "person": person,
        "identity": perm.PERSON_IDENTITY in perms,
        "can": {"edit": perm.PERSON_EDIT in perms,
                "merge": perm.PERSON_EDIT in perms and perm.PERSON_IDENTITY in perms},
        **selectors.person_detail(user=user, person=person),
    })


@login_required
def person_history(request: HttpRequest, pk: int) -> HttpResponse:
    person = perm.person_get(request.user, pk)
    rows = _history_rows(selectors.person_history(user=request.user, person=person), user=request.user)
    for row in rows:
        row["reason_text"] = merge_reason_text(row.get("reason", "")) or row.get("reason", "")
    return render(request, "cases/history.html", {
        "object": person, "kind": "person", "rows": rows, "back": person.get_absolute_url(),
    })


@login_required
def person_merge_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a duplicate into this person: choose the duplicate (GET ``q`` narrows the list), confirm (POST
    ``drop``). The duplicate's parties and involvements move here and the duplicate record is removed."""
    user = request.user
    keep = perm.person_require(user, pk, perm.PERSON_EDIT)
    perm.person_require(user, pk, perm.PERSON_IDENTITY)
    q = request.GET.get("q", "")
    status = 200
    if request.method == "POST":
        drop_id = request.POST.get("drop", "")
        try:
            drop = perm.person_get(user, drop_id)
            person_merge(user=user, keep=keep, drop=drop)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
            status = 400 if isinstance(error, ValidationError) else 403
        else:
            messages.success(request, _("“%(drop)s” was merged into “%(keep)s”. Both records' history say so.") % {
                "drop": drop.pseudonym, "keep": keep.pseudonym})
            return redirect("person-detail", pk=keep.pk)
    candidates = list(selectors.person_merge_candidates(user=user, person=keep, q=q))
    return render(request, "cases/person_merge.html", {
        "person": keep, "candidates": candidates, "q": q, "chosen": request.POST.get("drop", ""),
    }, status=status)
