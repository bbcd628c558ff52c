"""Pages of persons (create, edit), incidents (shares, persons involved) and the trash."""
from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cases import permissions as perm
from cases import selectors, services, services_bulk
from cases.concurrency import VersionConflict
from cases.filters import IncidentFilter
from cases.forms import (
    IncidentForm,
    IncidentPersonForm,
    PersonContextForm,
    PersonForm,
    ShareForm,
    apply_service_errors,
    conflict_rows,
)
from cases.models import (
    Case,
    Incident,
    IncidentPerson,
)

from cases.views.common import (
    _error_text, _history_rows, _page, _post_only_confirm, _slot, _template_exists, _unbound_copy, _url_or_none,
)


# --- Persons -------------------------------------------------------------------------------------------------
@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    """Record a person; from a case (``?case=ID``: as a party) or an incident (``?incident=ID``: as involved)."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    case = incident = None
    if source.get("case"):
        case = perm.case_get(user, source.get("case"), perm.CHANGE_CASE)
        show_identity = perm.VIEW_IDENTITIES in perm.case_perms(user, case)
        context, back = "case", case.get_absolute_url()
    elif source.get("incident"):
        incident = perm.incident_get(user, source.get("incident"), perm.CHANGE_INCIDENT)
        show_identity = perm.VIEW_INCIDENT_IDENTITIES in perm.incident_perms(user, incident)
        context, back = "incident", incident.get_absolute_url()
    else:
        show_identity = user.is_superuser or perm.cases_for(user, perm.VIEW_IDENTITIES).exists()
        context, back = "", reverse("dashboard")
    form = PersonForm(request.POST or None, show_identity=show_identity)
    context_form = PersonContextForm(request.POST or None, context=context)
    if request.method == "POST" and form.is_valid() and context_form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
        try:
            with transaction.atomic():
                person = services.person_create(user=user, **data)
                if case is not None:
                    services.party_create(user=user, case=case, role=context_form.cleaned_data["party_role"],
                                          person=person)
                if incident is not None:
                    services.incident_person_add(user=user, incident=incident, person=person,
                                                 part=context_form.cleaned_data["part"])
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Person “%(p)s” recorded.") % {"p": person.pseudonym})
            return HttpResponseRedirect(back)
    return render(request, "cases/person_form.html", {
        "form": form, "context_form": context_form, "person": None, "case": case, "incident": incident,
        "show_identity": show_identity, "back": back,
    })


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = perm.person_get(user, pk)
    if not perm.person_editable(user, person):
        raise Http404("No such person.")
    show_identity = person.pk in perm.person_identity_ids(user, [person.pk])
    form = PersonForm(request.POST or None, instance=_unbound_copy(person), show_identity=show_identity)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                                        require_https=request.is_secure()):
        back = reverse("dashboard")
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
        try:
            services.person_update(user=user, person=person, data=data,
                                   expected_version=form.cleaned_data.get("version"))
        except VersionConflict as error:
            conflict = {"message": error.detail, "rows": conflict_rows(form, error.current, form.fields)}
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Person saved."))
            return HttpResponseRedirect(back)
    return render(request, "cases/person_form.html", {
        "form": form, "context_form": None, "person": person, "show_identity": show_identity, "back": back,
        "conflict": conflict, "can_erase": show_identity and perm.person_erasable(user, person),
    }, status=409 if conflict else 200)


# --- Incidents -----------------------------------------------------------------------------------------------
# Another app may offer more actions on the (filtered) list, e.g. an export: it provides this template, which gets
# ``query`` (the list's filters as a query string) and ``filter`` (cases.filters.IncidentFilter).
INCIDENT_LIST_ACTIONS_TEMPLATE = "incidents/_list_actions.html"


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents the user may view: filters and sortable columns (cases.filters.IncidentFilter), page numbers, and
    bulk actions (POST here: link to a case, set the category, move to the trash — cases.services_bulk, all or
    nothing; a refusal re-renders the list with the chosen rows still ticked and says which incident was refused)."""
    user = request.user
    status = 200
    if request.method == "POST":
        action = request.POST.get("bulk_action", "")
        try:
            done = services_bulk.incident_bulk(
                user=user, ids=request.POST.getlist("ids"), action=action,
                case=request.POST.get("bulk_case") or None, category=request.POST.get("bulk_category") or None)
        except services_bulk.BulkRefused as refused:
            messages.error(request, refused.message)
            status = refused.status
        else:
            messages.success(request, {
                services_bulk.LINK: ngettext("%(n)s incident linked to the case.",
                                             "%(n)s incidents linked to the case.", done),
                services_bulk.CATEGORY: ngettext("%(n)s incident recategorised.", "%(n)s incidents recategorised.",
                                                 done),
                services_bulk.TRASH: ngettext("%(n)s incident moved to the trash.",
                                              "%(n)s incidents moved to the trash.", done),
            }[action] % {"n": done})
            return HttpResponseRedirect(request.get_full_path())
    filterset = IncidentFilter(request.GET or None, perm.incidents_for(user).order_by("-occurred_at", "-id"),
                               user=user)
    page = _page(request, selectors.incident_list_prefetch(filterset.qs, user=user).distinct())
    return render(request, "cases/incident_list.html", {
        "filter": filterset, "form": filterset.form, "page": page, "filtered": filterset.filtered,
        "sort": filterset.sort or "-occurred", "query": filterset.query,
        "bulk_cases": perm.cases_for(user, perm.EDIT_INCIDENTS).only("id", "title", "reference").order_by("title"),
        "categories": Incident.Category.choices,
        "ticked": {str(v) for v in request.POST.getlist("ids")} if request.POST else set(),
        "actions_template": INCIDENT_LIST_ACTIONS_TEMPLATE if _template_exists(INCIDENT_LIST_ACTIONS_TEMPLATE)
        else None,
    }, status=status)


def _save_incident(request: HttpRequest, form: IncidentForm, *, incident: Incident | None, kept_cases: list[Case]):
    data = {name: form.cleaned_data[name] for name in IncidentForm._meta.fields}
    cases = [*form.cleaned_data["cases"], *kept_cases]
    with transaction.atomic():
        if incident is None:
            incident = services.incident_create(user=request.user, cases=cases, **data)
        else:
            services.incident_update(user=request.user, incident=incident, data=data, cases=cases,
                                     expected_version=form.cleaned_data.get("version"))
        for person in form.cleaned_data.get("persons") or []:
            if not IncidentPerson.objects.filter(incident=incident, person=person,
                                                 part=form.cleaned_data["persons_part"]).exists():
                services.incident_person_add(user=request.user, incident=incident, person=person,
                                             part=form.cleaned_data["persons_part"])
    return incident


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    editable = perm.cases_for(user, perm.EDIT_INCIDENTS).order_by("title")
    initial = {}
    if request.method == "GET" and str(request.GET.get("case", "")).isdigit():
        initial["cases"] = list(editable.filter(pk=request.GET["case"]).values_list("pk", flat=True))
    form = IncidentForm(request.POST or None, initial=initial, editable_cases=editable,
                        persons=perm.persons_linkable(user))
    if request.method == "POST" and form.is_valid():
        try:
            incident = _save_incident(request, form, incident=None, kept_cases=[])
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Incident logged."))
            return redirect(incident)
    return render(request, "cases/incident_form.html", {"form": form, "incident": None})


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    incident = perm.incident_get(user, pk)
    perms = perm.incident_perms(user, incident)
    involvements = list(selectors.involvements_of(incident=incident))
    identity_ids = perm.person_identity_ids(user, [i.person_id for i in involvements])
    linked = list(incident.cases.filter(pk__in=perm.cases_for(user).values("pk")).order_by("title"))
    is_linked = perm.incident_is_linked(incident)
    can_share = not is_linked and perm.MOVE_INCIDENT in perms
    evidence = _slot("evidence.selectors.evidence_list_for_incident", "evidence/_list.html",
                     user=user, incident=incident)
    upload_url = _url_or_none("evidence-upload")
    return render(request, "cases/incident_detail.html", {
        "incident": incident,
        "can": {
            "edit": perm.CHANGE_INCIDENT in perms, "delete": perm.DELETE_INCIDENT in perms, "share": can_share,
        },
        "involvements": involvements,
        "identity_ids": identity_ids,
        "linked_cases": linked,
        "is_linked": is_linked,
        "shared_with": perm.incident_shared_with(incident) if can_share else [],
        "share_form": ShareForm() if can_share else None,
        "person_form": IncidentPersonForm(persons=perm.persons_linkable(user)) if perm.CHANGE_INCIDENT in perms else None,
        "evidence_slot": evidence,
        "upload_url": f"{upload_url}?incident={incident.pk}" if upload_url else None,
    })


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    incident = perm.incident_get(user, pk, perm.CHANGE_INCIDENT)
    editable = perm.cases_for(user, perm.EDIT_INCIDENTS).order_by("title")
    if not perm.incident_movable(user, incident):
        # may edit its fields, not move it: only its current links are offered (to keep or to drop)
        editable = editable.filter(pk__in=incident.cases.values("pk"))
    editable_ids = set(editable.values_list("pk", flat=True))
    current = list(incident.cases.all())
    kept = [c for c in current if c.pk not in editable_ids]  # links this user may not change stay as they are
    form = IncidentForm(
        request.POST or None, instance=_unbound_copy(incident), editable_cases=editable, with_persons=False,
        initial={"cases": [c.pk for c in current if c.pk in editable_ids]},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            _save_incident(request, form, incident=incident, kept_cases=kept)
        except VersionConflict as error:
            current = error.current
            current.cases_shown = current.cases.filter(pk__in=editable_ids)
            rows = conflict_rows(form, current, [n for n in form.fields if n != "cases"])
            theirs = {c.pk for c in current.cases_shown}
            if theirs != {c.pk for c in form.cleaned_data["cases"]}:
                rows.append({"label": form.fields["cases"].label,
                             "yours": "; ".join(str(c) for c in form.cleaned_data["cases"]) or "—",
                             "theirs": "; ".join(str(c) for c in current.cases_shown) or "—"})
            conflict = {"message": error.detail, "rows": rows}
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Incident saved."))
            if perm.incidents_for(user).filter(pk=incident.pk).exists():
                return redirect(incident)
            return redirect("incident-list")
    return render(request, "cases/incident_form.html", {"form": form, "incident": incident, "kept_cases": kept,
                                                         "conflict": conflict}, status=409 if conflict else 200)


@login_required
def incident_delete(request: HttpRequest, pk: int) -> HttpResponse:
    incident = perm.incident_get(request.user, pk, perm.DELETE_INCIDENT)
    if request.method != "POST":
        return _post_only_confirm(
            request, title=_("Move incident to the trash"),
            message=_("Move “%(i)s” to the trash?") % {"i": incident}, button=_("Move to trash"),
            cancel=incident.get_absolute_url(),
        )
    services.incident_trash(user=request.user, incident=incident)
    messages.success(request, _("“%(i)s” was moved to the trash.") % {"i": incident})
    return redirect("trash")


def _trashed_incident(request: HttpRequest, pk: int) -> Incident:
    incident = perm.incident_get(request.user, pk, perm.DELETE_INCIDENT, include_trashed=True)
    if not incident.is_trashed:
        raise Http404("No such incident in the trash.")
    return incident


@login_required
@require_POST
def incident_restore(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _trashed_incident(request, pk)
    services.incident_restore(user=request.user, incident=incident)
    messages.success(request, _("“%(i)s” was restored.") % {"i": incident})
    return redirect(incident)


@login_required
@require_POST
def incident_purge(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _trashed_incident(request, pk)
    label = str(incident)
    try:
        services.incident_purge(user=request.user, incident=incident)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(i)s” was deleted for good.") % {"i": label})
    return redirect("trash")


@login_required
def incident_history(request: HttpRequest, pk: int) -> HttpResponse:
    incident = perm.incident_get(request.user, pk)
    entries = selectors.incident_history(user=request.user, incident=incident)
    return render(request, "cases/history.html", {
        "object": incident, "kind": "incident", "rows": _history_rows(entries, user=request.user),
        "back": incident.get_absolute_url(),
    })


@login_required
@require_POST
def incident_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share an incident linked to no case with another user, or (``action=unshare``) take the access back."""
    incident = perm.incident_get(request.user, pk)  # the service decides who may share: the owner
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(incident)
    target = form.cleaned_data["user"]
    try:
        if request.POST.get("action") == "unshare":
            services.incident_unshare(actor=request.user, incident=incident, user=target)
            messages.success(request, _("%(user)s no longer has access to this incident.") % {"user": target})
        else:
            services.incident_share(actor=request.user, incident=incident, user=target,
                                    can_edit=form.cleaned_data["can_edit"])
            messages.success(request, _("Incident shared with %(user)s.") % {"user": target})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect(incident)


@login_required
def incident_person_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = perm.incident_get(request.user, pk, perm.CHANGE_INCIDENT)
    form = IncidentPersonForm(request.POST or None, persons=perm.persons_linkable(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_person_add(user=request.user, incident=incident, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Person added to the incident."))
            return redirect(incident)
    return render(request, "cases/incident_person_form.html", {"form": form, "incident": incident})


@login_required
@require_POST
def incident_person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    involvement = perm.involvement_require(request.user, pk)
    incident = perm.incident_get(request.user, involvement.incident_id, perm.CHANGE_INCIDENT)
    services.incident_person_remove(user=request.user, involvement=involvement)
    messages.success(request, _("Person removed from the incident."))
    return redirect(incident)


# --- Trash ---------------------------------------------------------------------------------------------------
@login_required
def trash(request: HttpRequest) -> HttpResponse:
    data = selectors.trash_for(user=request.user)
    return render(request, "cases/trash.html", {"cases": list(data["cases"]), "incidents": list(data["incidents"])})
