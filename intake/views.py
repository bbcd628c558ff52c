"""Pages: the public report form (``/report/``, English and Russian, no JavaScript, no cookie but CSRF's, no
third-party anything, a stricter CSP than the rest of the site) and the triage queue for ``cases.triage_intake``.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions as cp
from evidence.uploads import UploadRefused, UploadTooLarge
from intake import permissions, services, throttle, uploads
from intake.api import throttled_message
from intake.forms import AcceptForm, RejectForm, ReportForm, StatusForm
from intake.models import Report

PUBLIC_LANGUAGES = ("en", "ru")
# Only this server's stylesheet; no script, no frame, no image from elsewhere, forms post only here.
PUBLIC_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                 "base-uri 'none'")


def _language(request: HttpRequest) -> str:
    """``?lang=en|ru`` (the links on the page, and the form's own address), else the browser's language."""
    wanted = request.GET.get("lang")
    if wanted in PUBLIC_LANGUAGES:
        return wanted
    current = translation.get_language_from_request(request)
    return current if current in PUBLIC_LANGUAGES else "en"


def _public(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = PUBLIC_POLICY
    # same-origin, not no-referrer: a form posted under no-referrer carries "Origin: null", which the CSRF check
    # (rightly) refuses; same-origin still sends nothing to any other site.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _form_page(request, form, lang: str, *, status: int = 200, error: str = "") -> HttpResponse:
    return render(request, "intake/report.html", {"form": form, "lang": lang, "error": error,
                                                  "max_mb": uploads.intake_max_bytes() // (1024 * 1024)},
                  status=status)


@csrf_exempt  # checked in _submit, after the upload handler is in place (the file streams to disk while hashed)
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    with translation.override(_language(request)):
        lang = translation.get_language()
        if request.method == "GET":
            return _public(_form_page(request, ReportForm(), lang))
        return _public(_submit(request, lang))


def _submit(request: HttpRequest, lang: str) -> HttpResponse:
    wait = throttle.check(request)
    if wait is not None:
        return _form_page(request, ReportForm(), lang, status=429, error=throttled_message(wait))
    handler = uploads.install(request)
    try:
        uploads.check_content_length(request)
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        form = ReportForm(request.POST, request.FILES)
        if refused is not None:
            # Most often a browser that dropped the form's cookie: keep what was typed and ask again.
            form = ReportForm(request.POST)
            form.is_valid()
            return _form_page(request, form, lang, status=403, error=_(
                "Your browser did not send the form's security cookie, so the report was not kept. Check the text "
                "below, choose the file again if you had one, and send it once more."))
        if not form.is_valid():
            return _form_page(request, form, lang, status=400)
        uploaded = handler.received
        handler.received = None  # the service owns the temporary file from here on
        try:
            receipt = services.report_submit(data=form.report_data(),
                                             spooled=uploaded.spooled() if uploaded is not None else None,
                                             filename=getattr(uploaded, "name", ""))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 415 if isinstance(error, services.FileRefused) else 400
            return _form_page(request, form, lang, status=status)
        finally:
            if uploaded is not None:
                uploaded.file.close()
        return render(request, "intake/thanks.html", {"receipt": receipt, "lang": lang}, status=202)
    except UploadTooLarge:
        return _form_page(request, ReportForm(), lang, status=413, error=_(
            "The file is too large: at most %(mb)d MB. Nothing was kept.") % {"mb": uploads.intake_max_bytes() // 2**20})
    except (UploadRefused, MultiPartParserError, UnreadablePostError) as exc:
        return _form_page(request, ReportForm(), lang, status=400, error=str(getattr(exc, "detail", exc)))
    finally:
        handler.abort()


@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest) -> HttpResponse:
    """A reporter checks their report with the receipt (nothing but the status is shown)."""
    lang = _language(request)
    with translation.override(lang):
        form = StatusForm(request.POST or None)
        found = None
        if request.method == "POST":
            wait = throttle.check(request)  # guessing receipts costs the same as sending reports
            if wait is not None:
                return _public(render(request, "intake/status.html", {"form": form, "lang": lang,
                                                                      "error": throttled_message(wait)}, status=429))
            if form.is_valid():
                found = services.report_status(form.cleaned_data["receipt"]) or False
        return _public(render(request, "intake/status.html", {"form": form, "lang": lang, "found": found}))


# --- Triage ----------------------------------------------------------------------------------------------------
@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_triage(request.user):
        raise _not_found()
    status = request.GET.get("status", Report.Status.NEW)
    if status not in Report.Status.values and status != "all":
        status = Report.Status.NEW
    qs = permissions.reports_for(request.user).select_related("decided_by").order_by("-id")
    if status != "all":
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "intake/queue.html", {"page": page, "status": status, "statuses": Report.Status.choices})


def _not_found():
    from django.http import Http404

    return Http404("No such page.")


def _editable_cases(user):
    return cp.cases_for(user, cp.EDIT_INCIDENTS).order_by("title")


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.report_require(request.user, pk)
    return render(request, "intake/detail.html", {
        "report": report, "accept_form": AcceptForm(cases=_editable_cases(request.user)),
        "reject_form": RejectForm(),
    })


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.report_require(request.user, pk)
    form = AcceptForm(request.POST, cases=_editable_cases(request.user))
    if form.is_valid():
        try:
            incident = services.report_accept(user=request.user, report=report, case=form.cleaned_data["case"],
                                              title=form.cleaned_data["title"], request=request)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Report accepted: the incident is logged."))
            return redirect(incident)
    return render(request, "intake/detail.html", {"report": report, "accept_form": form, "reject_form": RejectForm()},
                  status=400)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    report = permissions.report_require(request.user, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.report_reject(user=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Report rejected."))
            return redirect("intake-queue")
    return render(request, "intake/detail.html", {
        "report": report, "accept_form": AcceptForm(cases=_editable_cases(request.user)), "reject_form": form,
    }, status=400)
