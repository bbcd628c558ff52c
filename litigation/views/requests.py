"""Pages for requests to authorities and data controllers: list, log, detail (the reply date explained, the
letter, the reply), edit, delete."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from cases.forms import apply_service_errors
from cases.permissions import EDIT_EVIDENCE, GENERATE_DOCUMENTS, VIEW_IDENTITIES, case_perms
from evidence.uploads import UploadRefused, UploadTooLarge, check_content_length, install_upload_handler
from litigation import selectors, services
from litigation.forms import NO_RULE, ReplyForm, RequestForm
from litigation.permissions import EDIT, request_get, request_require
from litigation.views.common import editable_case, editable_cases, history_rows, page_of


@login_required
def request_list(request):
    queryset, filterset = selectors.request_list(user=request.user, params=request.GET, request=request)
    return render(request, "litigation/request_list.html", {
        "page": page_of(request, queryset), "filter": filterset,
        "filtered": any(request.GET.get(k) for k in filterset.form.fields),
        "can_add": editable_cases(request.user).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    case = editable_case(request)
    if case is None:
        return render(request, "litigation/pick_case.html", {
            "cases": editable_cases(request.user), "heading": _("Log a request to an authority"),
            "action": reverse("request-create")})
    identities = VIEW_IDENTITIES in case_perms(request.user, case)
    form = RequestForm(request.POST or None, case=case, identities=identities)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_create(user=request.user, case=case, **form.service_data(creating=True))
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            if req.reply_due:
                messages.success(request, _("Request logged: the reply is due on %(date)s.") % {
                    "date": req.reply_due.isoformat()})
            else:
                messages.success(request, _("Request logged."))
            return redirect(req)
    return render(request, "litigation/form.html", {"form": form, "case": case, "heading": _("New request"),
                                                   "form_class": "request-form"})


def _explanation(req) -> list:
    """The steps of the reply date in the reader's language (the stored ones are in the writer's), as long as the
    rule still gives the stored date; otherwise the stored steps, which explain the stored date."""
    if req.rule_id and req.received_on and req.reply_due:
        try:
            result = services.request_compute(rule=req.rule, received_on=req.received_on,
                                              jurisdiction=req.jurisdiction)
        except ValidationError:
            return req.explanation
        if result.due_date == req.reply_due:
            return result.steps
    return req.explanation


@login_required
def request_detail(request, pk: int):
    req = request_get(request.user, pk)
    perms = case_perms(request.user, req.case)
    person = req.requester.person if req.requester_id and req.requester.person_id else None
    can_letter = GENERATE_DOCUMENTS in perms and (person is None or VIEW_IDENTITIES in perms)
    return render(request, "litigation/request_detail.html", {
        "req": req, "explanation": _explanation(req), "can_edit": EDIT in perms,
        "can_reply": EDIT in perms and EDIT_EVIDENCE in perms,
        "can_letter": can_letter, "reply_form": ReplyForm(),
        "requester": selectors.requester_label(req.requester, identities=VIEW_IDENTITIES in perms),
        "overdue": req.is_overdue(),
        "history": history_rows(selectors.request_history(user=request.user, request=req)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    req = request_require(request.user, pk, EDIT)
    identities = VIEW_IDENTITIES in case_perms(request.user, req.case)
    initial = {name: getattr(req, name) for name in (
        "kind", "addressee", "subject", "body", "reply_to", "reference", "sent_on", "received_on", "extended",
        "jurisdiction", "reply_due", "status", "replied_on", "notes")}
    initial["requester"] = req.requester_id
    initial["rule"] = req.rule.code if req.rule_id else NO_RULE
    form = RequestForm(request.POST or None, case=req.case, request_obj=req, identities=identities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(user=request.user, request=req, data=form.service_data(creating=False))
        except (ValidationError, PermissionDenied) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Request saved."))
            return redirect(req)
    return render(request, "litigation/form.html", {"form": form, "case": req.case, "heading": _("Edit request"),
                                                   "cancel": req.get_absolute_url()})


@login_required
@require_http_methods(["GET", "POST"])
def request_delete(request, pk: int):
    req = request_require(request.user, pk, EDIT)
    if request.method == "POST":
        case = req.case
        services.request_delete(user=request.user, request=req)
        messages.success(request, _("Request deleted."))
        return redirect(case.get_absolute_url() + "#requests")
    return render(request, "cases/confirm.html", {
        "title": _("Delete this request?"), "message": _("It leaves the case, the calendar and the reminders; the "
                                                          "history keeps it."),
        "button": _("Delete"), "danger": True, "cancel": req.get_absolute_url()})


@login_required
@csrf_exempt  # the CSRF check runs in _reply_post, after the upload handler is installed
@require_POST
def request_reply(request, pk: int):
    """Attach the addressee's reply: stored as evidence of the case and linked to the request."""
    req = request_require(request.user, pk, EDIT)  # 404/403 before a byte of the body is read
    if EDIT_EVIDENCE not in case_perms(request.user, req.case):
        raise PermissionDenied
    try:
        check_content_length(request)
    except UploadTooLarge as exc:
        messages.error(request, str(exc.detail))
        return redirect(req)
    handler = install_upload_handler(request)
    try:
        return _reply_post(request, req)
    except (UploadTooLarge, UploadRefused, MultiPartParserError, UnreadablePostError) as exc:
        messages.error(request, str(getattr(exc, "detail", exc)))
        return redirect(req)
    finally:
        handler.abort()


@csrf_protect
def _reply_post(request, req):
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(req)
    try:
        services.request_reply_attach(user=request.user, request=req, uploaded_file=form.cleaned_data["file"],
                                      replied_on=form.cleaned_data["replied_on"], title=form.cleaned_data["title"],
                                      refused=form.cleaned_data["refused"], http_request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The reply is stored as evidence of the case."))
    return redirect(req)
