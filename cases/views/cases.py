"""Pages of the dashboard, cases (members, history), proceedings and parties."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import permissions as perm
from cases import selectors, services
from cases.concurrency import VersionConflict
from cases.filters import CaseFilter
from cases.forms import (
    CaseForm,
    MemberForm,
    PartyForm,
    ProceedingForm,
    apply_service_errors,
    conflict_rows,
)
from cases.models import (
    Case,
    CaseMembership,
    Party,
    Proceeding,
)

from cases.views.common import (
    _error_text, _history_rows, _page, _post_only_confirm, _slot, _unbound_copy, _url_or_none,
)


# --- Dashboard -----------------------------------------------------------------------------------------------
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard_for(user=request.user)
    deadlines = _slot("deadlines.selectors.deadlines_upcoming_for_user", "deadlines/_upcoming_widget.html",
                      user=request.user, days=30)
    verification = _slot("ops.selectors.verification_summary_for", "ops/_verification_widget.html",
                         user=request.user)
    return render(request, "dashboard.html", {
        "cases": data["cases"], "incidents": data["incidents"], "deadlines_slot": deadlines,
        "verification_slot": verification,
    })


# --- Cases ---------------------------------------------------------------------------------------------------
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases the user may view: filters and sortable columns (cases.filters.CaseFilter), page numbers. A filter
    that is not understood is shown as an error and ignored."""
    user = request.user
    filterset, listing = selectors.case_list_counted(CaseFilter, request.GET or None, user=user, strict=False)
    page = _page(request, listing)
    return render(request, "cases/case_list.html", {
        "filter": filterset, "form": filterset.form, "page": page, "filtered": filterset.filtered,
        "sort": filterset.sort or "-updated",
    })


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        try:
            case = services.case_create(user=request.user, **data)
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Case created. You are its lead."))
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "case": None})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = perm.case_get(user, pk)
    perms = perm.case_perms(user, case)
    parties = list(selectors.parties_of(case=case))
    identity_ids = perm.person_identity_ids(user, [p.person_id for p in parties if p.person_id])
    members = list(selectors.members_of(case=case))
    my_role = next((m.get_role_display() for m in members if m.user_id == user.pk), None)
    evidence = _slot("evidence.selectors.evidence_list_for_case", "evidence/_list.html", user=user, case=case)
    deadlines = _slot("deadlines.selectors.deadline_list_for_case", "deadlines/_case_deadlines.html",
                      user=user, case=case)
    litigation = _slot("litigation.selectors.case_section", "litigation/_case_section.html", user=user, case=case)
    upload_url = _url_or_none("evidence-upload")
    return render(request, "cases/case_detail.html", {
        "case": case,
        "perms": perms,
        "can": {
            "edit": perm.CHANGE_CASE in perms, "delete": perm.DELETE_CASE in perms,
            "members": perm.MANAGE_MEMBERS in perms, "privileged": perm.VIEW_PRIVILEGED in perms,
            "incidents": perm.EDIT_INCIDENTS in perms, "evidence": perm.EDIT_EVIDENCE in perms,
        },
        "my_role": my_role,
        "parties": parties,
        "identity_ids": identity_ids,
        # In court order: dated proceedings first, one not yet filed (e.g. an application in preparation) last.
        "proceedings": sorted(selectors.proceedings_of(case=case),
                              key=lambda p: (p.filed_on is None, p.filed_on or 0, p.pk)),
        "incidents": list(selectors.incidents_of_case(user=user, case=case)),
        "members": members,
        "evidence_slot": evidence,
        "deadlines_slot": deadlines,
        "litigation_slot": litigation,
        "upload_url": f"{upload_url}?case={case.pk}" if upload_url else None,
        "documents_url": _url_or_none("case-documents", case.pk),
    })


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = perm.case_get(request.user, pk, perm.CHANGE_CASE)
    perms = perm.case_perms(request.user, case)
    form = CaseForm(request.POST or None, instance=_unbound_copy(case), can_view_privileged=perm.VIEW_PRIVILEGED in perms,
                    can_manage=perm.MANAGE_MEMBERS in perms)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
        try:
            services.case_update(user=request.user, case=case, data=data,
                                 expected_version=form.cleaned_data.get("version"))
        except VersionConflict as error:
            conflict = {"message": error.detail, "rows": conflict_rows(form, error.current, form.fields)}
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Case saved."))
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "case": case, "conflict": conflict},
                  status=409 if conflict else 200)


@login_required
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = perm.case_get(request.user, pk, perm.DELETE_CASE)
    if request.method != "POST":
        return _post_only_confirm(
            request, title=_("Move case to the trash"),
            message=_("Move “%(case)s” to the trash? Members lose access until it is restored.") % {"case": case},
            button=_("Move to trash"), cancel=case.get_absolute_url(),
        )
    services.case_trash(user=request.user, case=case)
    messages.success(request, _("“%(case)s” was moved to the trash. You can restore it from there.") % {"case": case})
    return redirect("trash")


def _trashed_case(request: HttpRequest, pk: int) -> Case:
    case = perm.case_get(request.user, pk, perm.DELETE_CASE, include_trashed=True)
    if not case.is_trashed:
        raise Http404("No such case in the trash.")
    return case


@login_required
@require_POST
def case_restore(request: HttpRequest, pk: int) -> HttpResponse:
    case = _trashed_case(request, pk)
    services.case_restore(user=request.user, case=case)
    messages.success(request, _("“%(case)s” was restored.") % {"case": case})
    return redirect(case)


@login_required
@require_POST
def case_purge(request: HttpRequest, pk: int) -> HttpResponse:
    case = _trashed_case(request, pk)
    label = str(case)
    try:
        services.case_purge(user=request.user, case=case)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(case)s” was deleted for good.") % {"case": label})
    return redirect("trash")


@login_required
def case_members(request: HttpRequest, pk: int) -> HttpResponse:
    case = perm.case_get(request.user, pk, perm.MANAGE_MEMBERS)
    active = get_user_model().objects.filter(is_active=True).order_by("username")
    members_qs = active.filter(case_memberships__case=case)
    addable = active.exclude(pk__in=members_qs.values("pk"))
    form = MemberForm(prefix="add", users=addable)
    if request.method == "POST":
        action = request.POST.get("action", "add")
        if action == "remove":
            target = CaseMembership.objects.filter(case=case, user__username=request.POST.get("username", "")).first()
            if target is None:
                messages.error(request, _("This user is not a member of the case."))
            else:
                try:
                    services.member_remove(actor=request.user, case=case, user=target.user)
                except (ValidationError, PermissionDenied) as error:
                    messages.error(request, _error_text(error))
                else:
                    messages.success(request, _("%(user)s was removed from the case.") % {"user": target.user})
                    return _after_membership_change(request, case)
        else:
            form = MemberForm(request.POST, prefix="add" if action == "add" else None,
                              users=addable if action == "add" else members_qs)
            if form.is_valid():
                user = form.cleaned_data["user"]
                try:
                    services.member_set(actor=request.user, case=case, user=user, role=form.cleaned_data["role"])
                except (ValidationError, PermissionDenied) as error:
                    if action == "add":
                        apply_service_errors(form, error)
                    else:
                        messages.error(request, _error_text(error))
                else:
                    messages.success(request, _("%(user)s is now %(role)s on this case.") % {
                        "user": user, "role": dict(MemberForm.base_fields["role"].choices)[form.cleaned_data["role"]]})
                    return _after_membership_change(request, case)
            elif action != "add":
                messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
                form = MemberForm(prefix="add", users=addable)
    members = list(selectors.members_of(case=case))
    return render(request, "cases/case_members.html", {
        "case": case, "members": members, "form": form, "roles": MemberForm.base_fields["role"].choices,
    })


def _after_membership_change(request: HttpRequest, case: Case) -> HttpResponse:
    """Back to the members page, or — if the actor just gave up managing it — to what they can still see."""
    perms = perm.case_perms(request.user, case)
    if perm.MANAGE_MEMBERS in perms:
        return redirect("case-members", pk=case.pk)
    if perm.VIEW_CASE in perms:
        return redirect(case)
    return redirect("case-list")


@login_required
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    case = perm.case_get(request.user, pk)
    entries = selectors.case_history(user=request.user, case=case)
    return render(request, "cases/history.html", {
        "object": case, "kind": "case", "rows": _history_rows(entries, user=request.user),
        "back": case.get_absolute_url(),
    })


# --- Proceedings and parties ---------------------------------------------------------------------------------
def _proceeding_for_change(request: HttpRequest, pk: int) -> tuple[Proceeding, Case]:
    proceeding = Proceeding.objects.filter(pk=pk).first()
    if proceeding is None:
        raise Http404("No such proceeding.")
    return proceeding, perm.case_get(request.user, proceeding.case_id, perm.CHANGE_CASE)


def _model_form_page(request: HttpRequest, *, form, case: Case, template: str, save: Callable[[dict], Any],
                     success: str, extra: dict | None = None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.fields}
        try:
            save(data)
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(case)
    return render(request, template, {"form": form, "case": case, **(extra or {})})


@login_required
def proceeding_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = perm.case_get(request.user, case_pk, perm.CHANGE_CASE)
    form = ProceedingForm(request.POST or None, instance=Proceeding(case=case))
    return _model_form_page(
        request, form=form, case=case, template="cases/proceeding_form.html",
        save=lambda data: services.proceeding_create(user=request.user, case=case, **data),
        success=_("Proceeding added."), extra={"proceeding": None},
    )


@login_required
def proceeding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proceeding, case = _proceeding_for_change(request, pk)
    form = ProceedingForm(request.POST or None, instance=_unbound_copy(proceeding))
    return _model_form_page(
        request, form=form, case=case, template="cases/proceeding_form.html",
        save=lambda data: services.proceeding_update(user=request.user, proceeding=proceeding, data=data),
        success=_("Proceeding saved."), extra={"proceeding": proceeding},
    )


@login_required
def proceeding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    proceeding, case = _proceeding_for_change(request, pk)
    if request.method != "POST":
        return _post_only_confirm(
            request, title=_("Delete proceeding"), message=_("Delete the proceeding “%(p)s”? It stays in the "
                                                             "case history.") % {"p": proceeding},
            button=_("Delete"), cancel=case.get_absolute_url(),
        )
    services.proceeding_delete(user=request.user, proceeding=proceeding)
    messages.success(request, _("Proceeding deleted."))
    return redirect(case)


def _party_for_change(request: HttpRequest, pk: int) -> tuple[Party, Case]:
    party = Party.objects.filter(pk=pk).select_related("person").first()
    if party is None:
        raise Http404("No such party.")
    return party, perm.case_get(request.user, party.case_id, perm.CHANGE_CASE)


@login_required
def party_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = perm.case_get(request.user, case_pk, perm.CHANGE_CASE)
    form = PartyForm(request.POST or None, instance=Party(case=case), persons=perm.persons_linkable(request.user))
    return _model_form_page(
        request, form=form, case=case, template="cases/party_form.html",
        save=lambda data: services.party_create(user=request.user, case=case, **data),
        success=_("Party added."), extra={"party": None},
    )


@login_required
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    party, case = _party_for_change(request, pk)
    form = PartyForm(request.POST or None, instance=_unbound_copy(party), persons=perm.persons_linkable(request.user))
    return _model_form_page(
        request, form=form, case=case, template="cases/party_form.html",
        save=lambda data: services.party_update(user=request.user, party=party, data=data),
        success=_("Party saved."), extra={"party": party},
    )


@login_required
def party_delete(request: HttpRequest, pk: int) -> HttpResponse:
    party, case = _party_for_change(request, pk)
    if request.method != "POST":
        return _post_only_confirm(
            request, title=_("Remove party"), message=_("Remove the party “%(p)s” from the case?") % {"p": party},
            button=_("Remove"), cancel=case.get_absolute_url(),
        )
    services.party_delete(user=request.user, party=party)
    messages.success(request, _("Party removed."))
    return redirect(case)
