"""Server-rendered pages for cases, incidents, persons and the trash.

Views are thin: they find the object through ``cases.permissions`` (missing and forbidden are both 404), read through
``cases.selectors``, validate with ``cases.forms`` and write through ``cases.services``. A service's ValidationError
is shown on the form and nothing is written. Evidence, deadlines and documents are optional neighbours: their
slots render only when those apps provide the selector, template or URL.
"""
from __future__ import annotations

import copy
import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cases import permissions as perm
from cases import selectors, services, services_bulk
from cases.concurrency import VersionConflict
from cases.filters import CaseFilter, IncidentFilter
from cases.forms import (
    CaseForm,
    IncidentForm,
    IncidentPersonForm,
    MemberForm,
    PartyForm,
    PersonContextForm,
    PersonForm,
    ProceedingForm,
    ShareForm,
    apply_service_errors,
    conflict_rows,
)
from cases.models import (
    Case,
    CaseMembership,
    Incident,
    IncidentPerson,
    IncidentShare,
    Party,
    Person,
    Proceeding,
)

PAGE_SIZE = 25


# --- Helpers -------------------------------------------------------------------------------------------------
def _optional(dotted: str) -> Callable | None:
    """A function from a neighbouring app (``"evidence.selectors.evidence_list_for_case"``), or None if absent."""
    module_name, _dot, name = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, name, None)


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _slot(selector: str, template: str, **kwargs: Any) -> dict | None:
    """Data for an optional partial from another app: ``{"template", "items"}`` or None when it is not there."""
    func = _optional(selector)
    if func is None or not _template_exists(template):
        return None
    return {"template": template, "items": func(**kwargs)}


def _page(request: HttpRequest, queryset) -> Any:
    """A page of 25; a bad or too large page number falls back to the first or last page (never an error)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _error_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line for a message."""
    if isinstance(error, PermissionDenied):
        return str(error) or _("You may not do this.")
    return " ".join(error.messages)


def _unbound_copy(obj):
    """A copy for a model form to validate against, so the service still sees the object as it is stored."""
    return copy.copy(obj)


def _post_only_confirm(request: HttpRequest, *, title: str, message: str, button: str, danger: bool = True,
                       cancel: str) -> HttpResponse:
    """GET on an action URL: a confirmation page whose form POSTs back here (works without JavaScript)."""
    return render(request, "cases/confirm.html", {
        "title": title, "message": message, "button": button, "danger": danger, "cancel": cancel,
    })


HISTORY_MODELS = {
    "case": Case, "membership": CaseMembership, "proceeding": Proceeding, "party": Party,
    "incident": Incident, "involvement": IncidentPerson, "share": IncidentShare, "person": Person,
}


def _with_litigation_models() -> dict:
    """The case's history also holds its claims, citations, requests and tasks (litigation builds on cases)."""
    from litigation.models import AuthorityRequest, Citation, Claim, Task

    return {**HISTORY_MODELS, "claim": Claim, "citation": Citation, "request": AuthorityRequest, "task": Task}


def _history_rows(entries: list[dict], *, user) -> list[dict]:
    """Make history entries readable: the field's translated label, choice labels instead of stored values,
    a person's pseudonym instead of an id and a case's title (only for cases the viewer may see)."""
    models_ = _with_litigation_models()
    fields = {key: {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
              for key, model in models_.items()}
    object_names = {key: str(model._meta.verbose_name) for key, model in models_.items()}
    action_names = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted"),
                    "restored": _("restored")}
    person_ids, case_ids = set(), set()
    for entry in entries:
        for change in entry["changes"]:
            values = [v for v in (change["old"], change["new"]) if v is not None]
            if change["field"] == "person":
                person_ids.update(v for v in values if isinstance(v, int))
            elif change["field"] == "cases":
                case_ids.update(i for v in values if isinstance(v, list) for i in v if isinstance(i, int))
    pseudonyms = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "pseudonym")) if person_ids else {}
    case_labels = {c.pk: str(c) for c in perm.cases_for(user, include_trashed=True).filter(pk__in=case_ids)} \
        if case_ids else {}

    def shown(field, name: str, value):
        if value is None or value == "":
            return ""
        if name == "person":
            return pseudonyms.get(value, f"#{value}")
        if name == "cases" and isinstance(value, list):
            visible = [case_labels[i] for i in value if i in case_labels]
            hidden = len(value) - len(visible)
            if hidden:
                visible.append(_("%(n)s other case(s)") % {"n": hidden})
            return "; ".join(visible) or "—"
        if field is not None and getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, str) and isinstance(field, (models.DateTimeField, models.DateField)):
            parsed = parse_datetime(value) if isinstance(field, models.DateTimeField) else parse_date(value)
            if parsed is not None:
                if isinstance(parsed, dt.datetime):
                    return date_format(timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed,
                                       "DATETIME_FORMAT")
                return date_format(parsed, "DATE_FORMAT")
        return value

    rows = []
    for entry in entries:
        known = fields.get(entry.get("object"), {})
        changes = []
        for change in entry["changes"]:
            if entry.get("object") == "involvement" and change["field"] == "incident":
                continue  # it is this page's incident
            field = known.get(change["field"])
            changes.append({
                **change,
                "label": str(field.verbose_name) if field is not None else change["field"],
                "old": shown(field, change["field"], change["old"]),
                "new": shown(field, change["field"], change["new"]),
            })
        rows.append({
            **entry,
            "object_name": object_names.get(entry.get("object"), entry.get("object")),
            "action_name": action_names.get(entry["action"], entry["action"]),
            "changes": changes,
        })
    return rows


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
