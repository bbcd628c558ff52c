"""The Documents tab of a case: generators, the dossier filter, organisation templates and the court bundle.

Downloads go to the API's file endpoints (session auth works there); the two forms that can fail on user input —
the incident dossier and filling a template — have page endpoints that show the error on the page instead of a
JSON body. Bundle progress: the bundle is streamed with an exact Content-Length, so the browser's own download
shows real progress; static/documents/documents.js adds an on-page progress bar for bundles small enough to
assemble in the browser's memory and leaves bigger ones to the browser's download manager.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework import serializers as drf_serializers

from cases import permissions as cp
from cases.models import Incident
from documents import conversion, services
from documents.api import dossier_selection, file_response
from documents.models import UserProfile
from documents.permissions import (
    can_attach_template,
    can_delete_template,
    can_generate,
    can_manage_site_templates,
    case_for_documents,
)
from documents.procedure import PROCEDURES, procedure_name

# Bundles up to this size get an on-page progress bar (assembled in the browser's memory); larger ones are
# handed to the browser's download manager, which shows progress from the Content-Length.
IN_PAGE_BUNDLE_LIMIT = 300 * 1024 * 1024


def _language(request) -> str:
    lang = request.GET.get("lang", "")
    if lang in ("en", "ru"):
        return lang
    return services.selectors.language_code(getattr(request, "LANGUAGE_CODE", "en"))


def _procedure(request) -> str:
    value = request.GET.get("procedure", "")
    return value if value in PROCEDURES else ""


@login_required
@require_GET
def case_documents(request, pk: int):
    case = cp.case_get(request.user, pk, cp.VIEW_CASE)
    allowed = can_generate(request.user, case)
    context = {"case": case, "can_generate": allowed, "language": _language(request)}
    if allowed:
        plan = services.bundle_plan(user=request.user, case=case)
        templates = list(services.templates_for(request.user, case))
        chosen = _procedure(request)
        inferred = services.selectors.case_procedure(user=request.user, case=case, requested=chosen or None)
        profile = UserProfile.objects.filter(user_id=request.user.pk).first()
        context.update(
            procedure=chosen, inferred=inferred,
            procedures=[(code, procedure_name(code)) for code in PROCEDURES],
            query=f"lang={context['language']}" + (f"&procedure={chosen}" if chosen else ""),
            pdf_available=conversion.available(),
            signature=services.selectors.signature_for(request.user, profile=profile), profile_complete=bool(
                profile and profile.full_name and (profile.position or profile.power_of_attorney)),
            can_upload_site=can_manage_site_templates(request.user),
            plan=plan,
            incidents=list(services.selectors.case_incidents(user=request.user, case=case)
                           .order_by("-occurred_at", "-id")[:500]),
            categories=Incident.Category.choices,
            templates=[(t, can_delete_template(request.user, t), can_attach_template(request.user, t))
                       for t in templates],
            can_upload=True,
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
                                                            language=_language(request), selection=selection,
                                                            procedure=_procedure(request) or None))


@login_required
@require_GET
def template_fill(request, pk: int, template_id: int):
    case = case_for_documents(request.user, pk)
    template = services.template_get(request.user, template_id, case=case)
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
    for_site = request.POST.get("scope") == "site"
    try:
        template = services.template_upload(user=request.user, name=request.POST.get("name", ""),
                                            description=request.POST.get("description", ""), uploaded_file=upload,
                                            case=None if for_site else case)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not upload templates for the whole site."))
        return _back(case.pk)
    except ValidationError as exc:
        messages.error(request, _("The template was not accepted: %(why)s") % {"why": " ".join(exc.messages)})
        return _back(case.pk)
    messages.success(request, _("Template “%(name)s” uploaded.") % {"name": template.name})
    return _back(case.pk)


@login_required
@require_POST
def template_delete(request, pk: int, template_id: int):
    case = case_for_documents(request.user, pk)
    template = services.template_get(request.user, template_id, case=case)
    try:
        services.template_delete(user=request.user, template=template)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _back(case.pk)
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    return _back(case.pk)


@login_required
@require_POST
def template_attach(request, pk: int, template_id: int):
    """Give one of the caller's personal templates to this case."""
    case = case_for_documents(request.user, pk)
    template = services.template_get(request.user, template_id, case=case)
    try:
        services.template_attach(user=request.user, template=template, case=case)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _back(case.pk)
    messages.success(request, _("Template “%(name)s” now belongs to this case.") % {"name": template.name})
    return _back(case.pk)


class SignatureForm(forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ["full_name", "position", "power_of_attorney", "place"]


@login_required
@require_http_methods(["GET", "POST"])
def signature_edit(request):
    """The user's own signature details (full name, position, power of attorney, place)."""
    profile = UserProfile.objects.filter(user_id=request.user.pk).first() or UserProfile(user=request.user)
    form = SignatureForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            profile = form.save(commit=False)
            profile._history_user = request.user
            profile.save()
        messages.success(request, _("Your signature details were saved."))
        back = request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect(reverse("documents-signature"))
    return render(request, "documents/signature.html", {"form": form, "next": request.GET.get("next", "")},
                  status=400 if request.method == "POST" else 200)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, (list, tuple)):
        return " ".join(_flatten(v) for v in detail)
    return str(detail)

