"""The Documents tab of a case: generators, the dossier filter, organisation templates and the court bundle.

Downloads go to the API's file endpoints (session auth works there); the two forms that can fail on user input —
the incident dossier and filling a template — have page endpoints that show the error on the page instead of a
JSON body. Bundle progress: the bundle is streamed with an exact Content-Length, so the browser's own download
shows real progress; static/documents/documents.js adds an on-page progress bar for bundles small enough to
assemble in the browser's memory and leaves bigger ones to the browser's download manager.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework import serializers as drf_serializers

from cases import permissions as cp
from cases.models import Incident
from documents import services
from documents.api import dossier_selection, file_response
from documents.permissions import can_delete_template, can_generate, can_use_templates, case_for_documents

# Bundles up to this size get an on-page progress bar (assembled in the browser's memory); larger ones are
# handed to the browser's download manager, which shows progress from the Content-Length.
IN_PAGE_BUNDLE_LIMIT = 300 * 1024 * 1024


def _language(request) -> str:
    lang = request.GET.get("lang", "")
    if lang in ("en", "ru"):
        return lang
    return services.selectors.language_code(getattr(request, "LANGUAGE_CODE", "en"))


@login_required
@require_GET
def case_documents(request, pk: int):
    case = cp.case_get(request.user, pk, cp.VIEW_CASE)
    allowed = can_generate(request.user, case)
    context = {"case": case, "can_generate": allowed, "language": _language(request)}
    if allowed:
        plan = services.bundle_plan(user=request.user, case=case)
        templates = list(services.templates_for(request.user).select_related("uploaded_by"))
        context.update(
            plan=plan,
            incidents=list(services.selectors.case_incidents(user=request.user, case=case)
                           .order_by("-occurred_at", "-id")[:500]),
            categories=Incident.Category.choices,
            templates=[(t, can_delete_template(request.user, t)) for t in templates],
            can_upload=can_use_templates(request.user),
            in_page_limit=IN_PAGE_BUNDLE_LIMIT,
            exports=list(case.document_exports.select_related(None)[:10]),
            max_template_bytes=services.max_template_bytes(),
            placeholder_examples="{{ case.title }}, {{ case.reference }}, "
                                 "{% for e in exhibits %}{{ e.number }} {{ e.title }} {{ e.sha256 }}{% endfor %}",
        )
    return render(request, "documents/case_documents.html", context)


def _back(pk: int):
    return redirect(reverse("case-documents", args=[pk]))


@login_required
@require_GET
def dossier_download(request, pk: int):
    case = case_for_documents(request.user, pk)
    try:
        selection = dossier_selection(request.GET)
    except drf_serializers.ValidationError as exc:
        messages.error(request, _("The dossier could not be made: %(why)s") % {"why": _flatten(exc.detail)})
        return _back(case.pk)
    return file_response(services.incident_dossier_generate(user=request.user, case=case,
                                                            language=_language(request), selection=selection))


@login_required
@require_GET
def template_fill(request, pk: int, template_id: int):
    case = case_for_documents(request.user, pk)
    template = services.template_get(request.user, template_id)
    try:
        document = services.template_fill(user=request.user, case=case, template=template,
                                          language=_language(request))
    except ValidationError as exc:
        messages.error(request, _("“%(name)s” could not be filled: %(why)s")
                       % {"name": template.name, "why": " ".join(exc.messages)})
        return _back(case.pk)
    return file_response(document)


@login_required
@require_POST
def template_upload(request, pk: int):
    case = case_for_documents(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a .docx file to upload."))
        return _back(case.pk)
    try:
        template = services.template_upload(user=request.user, name=request.POST.get("name", ""),
                                            description=request.POST.get("description", ""), uploaded_file=upload)
    except ValidationError as exc:
        messages.error(request, _("The template was not accepted: %(why)s") % {"why": " ".join(exc.messages)})
        return _back(case.pk)
    messages.success(request, _("Template “%(name)s” uploaded.") % {"name": template.name})
    return _back(case.pk)


@login_required
@require_POST
def template_delete(request, pk: int, template_id: int):
    case = case_for_documents(request.user, pk)
    template = services.template_get(request.user, template_id)
    try:
        services.template_delete(user=request.user, template=template)
    except PermissionDenied:
        messages.error(request, _("Only the person who uploaded a template, or staff, may delete it."))
        return _back(case.pk)
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    return _back(case.pk)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, (list, tuple)):
        return " ".join(_flatten(v) for v in detail)
    return str(detail)

