"""Organisation templates: upload, list, attach, delete and fill (.docx files with placeholders, filled in the
sandbox). Who may do what is ``documents.permissions``; each service checks it before it writes (check, then do)."""
from __future__ import annotations

import hashlib
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases.models import Case
from documents import formatting as fmt
from documents import selectors
from documents.generation import GeneratedDocument, document_filename, export_record, username_of
from documents.models import DocumentExport, DocumentTemplate
from documents.permissions import (
    can_attach_template,
    can_delete_template,
    can_generate,
    can_manage_site_templates,
    case_for_documents,
    templates_usable,
    templates_visible,
)
from documents.permissions import (
    template_get as _permitted_template,
)
from documents.sandbox import (
    check_docx,
    jinja_env,
    open_template,
    placeholders,
    render_docx,
    template_ast,
    template_context_specimen,
)
from documents.storage import max_template_bytes, read_limited, template_bytes, template_store, template_unstore


def template_context(*, user, case: Case, language: str, procedure: str | None = None) -> dict:
    """A plain dict of safe fields: privileged notes only with VIEW_PRIVILEGED, identities only with VIEW_IDENTITIES;
    dates in the document's language, times in the site's zone with the zone named."""
    lang = selectors.language_code(language)
    perms = cp.case_perms(user, case)
    with translation.override(lang):
        def d(value):
            return fmt.format_date(value, lang)

        proceedings = selectors.proceedings_of(case)
        info = selectors.case_info(case, user=user, language=lang, procedure=procedure, proceedings=proceedings)
        case_ctx = {
            "id": case.pk, "title": case.title, "reference": case.reference, "court": info.court,
            "jurisdiction": case.jurisdiction, "status": str(case.get_status_display()), "summary": case.summary,
            "url": case.get_absolute_url(), "court_case_number": info.court_case_number,
            "procedure": info.procedure_name,
        }
        if cp.VIEW_PRIVILEGED in perms:
            case_ctx["privileged_notes"] = case.privileged_notes
        parties = [{"role": p.role, "name": p.name} for p in info.parties]
        incidents = [
            {"title": i.title, "date": d(i.occurred_at), "time": fmt.format_time(i.occurred_at, lang),
             "location": i.location, "category": str(i.get_category_display()), "description": i.description,
             "agency": i.agency, "system_involved": i.system_involved}
            for i in selectors.case_incidents(user=user, case=case).order_by("occurred_at", "id")
        ]
        exhibits = [
            {"number": r.number, "title": r.title, "kind": str(r.kind), "date": d(r.obtained_on), "source": r.source,
             "sha256": r.sha256, "size": r.size}
            for r in selectors.exhibit_rows_for_case(user=user, case=case)
        ]
        proceeding_rows = [
            {"stage": str(p.get_stage_display()), "court": p.court, "case_number": p.case_number, "judge": p.judge,
             "filed_on": d(p.filed_on), "hearing_on": d(p.hearing_on), "decided_on": d(p.decided_on),
             "outcome": p.outcome}
            for p in proceedings
        ]
        deadlines = [
            {"title": x.title, "due_date": d(x.due_date), "status": str(x.get_status_display()),
             "rule": selectors.rule_name(x.rule) if x.rule_id else ""}
            for x in selectors.deadlines_for_case(user=user, case=case)
        ]
        signature = selectors.signature_for(user)
        return {
            "case": case_ctx, "proceedings": proceeding_rows, "parties": parties, "incidents": incidents,
            "exhibits": exhibits, "deadlines": deadlines, "today": d(timezone.localdate()),
            "user": {"username": username_of(user), "name": signature.full_name if signature else ""},
            "signature": {
                **{name: getattr(signature, name) if signature else ""
                   for name in ("full_name", "position", "power_of_attorney", "place")},
                "date": d(timezone.localdate()),
            },
        }


def _validated(uploaded_file, name: str) -> tuple[str, bytes, list[str]]:
    name = (name or "").strip() or os.path.splitext(getattr(uploaded_file, "name", "") or "")[0].strip()
    if not name:
        raise ValidationError({"name": [_("A template needs a name.")]})
    if len(name) > 200:
        raise ValidationError({"name": [_("At most 200 characters.")]})
    data = read_limited(uploaded_file, max_template_bytes())
    check_docx(data)
    # Validate the placeholders against the context's shape before anything is stored.
    render_docx(open_template(data), template_context_specimen())
    top, chains = placeholders(template_ast(open_template(data), jinja_env()))
    return name, data, sorted({".".join(c) for c in chains} | top)


def template_upload(*, user, name: str, uploaded_file, description: str = "",
                    case: Case | int | None = None) -> DocumentTemplate:
    """A template for ``case`` (a member who may generate documents there) or, without a case, for the whole site
    (staff only)."""
    if case is not None:
        case = case_for_documents(user, getattr(case, "pk", case))
        scope = DocumentTemplate.Scope.CASE
    elif can_manage_site_templates(user):
        scope = DocumentTemplate.Scope.SITE
    else:
        raise PermissionDenied(_("Only staff may upload templates for the whole site; upload it to a case instead."))
    name, data, used = _validated(uploaded_file, name)
    sha = hashlib.sha256(data).hexdigest()
    created_file = template_store(data, sha)
    try:
        with transaction.atomic():
            template = DocumentTemplate(
                name=name, description=(description or "")[:1000], sha256=sha, size=len(data),
                original_filename=os.path.basename(getattr(uploaded_file, "name", "") or "")[:255],
                placeholders=used, uploaded_by=user, scope=scope, case=case,
            )
            template._history_user = user
            template.save()
            return template
    except Exception:
        if created_file and not DocumentTemplate.objects.filter(sha256=sha).exists():
            template_unstore(sha)
        raise


def templates_for(user, case: Case | None = None):
    """The templates the user sees (on ``case``: those they may fill there), by name."""
    qs = templates_usable(user, case) if case is not None else templates_visible(user)
    return qs.select_related("uploaded_by", "case").order_by("name", "id")


def template_get(user, pk, *, case: Case | None = None) -> DocumentTemplate:
    return _permitted_template(user, pk, case=case)


def template_attach(*, user, template: DocumentTemplate, case: Case | int) -> DocumentTemplate:
    """Give a personal template (one uploaded before templates had owners) to a case of its uploader's."""
    if not can_attach_template(user, template):
        raise PermissionDenied(_("Only the person who uploaded this template may attach it to a case."))
    case = case_for_documents(user, getattr(case, "pk", case))
    with transaction.atomic():
        template.scope = DocumentTemplate.Scope.CASE
        template.case = case
        template._history_user = user
        template.save(update_fields=["scope", "case"])
    return template


def template_delete(*, user, template: DocumentTemplate) -> None:
    """Soft delete (the row and its history stay; the file stays for the history's sake)."""
    if not can_delete_template(user, template):
        raise PermissionDenied(_("Only the person who uploaded this template, a lead of its case, or staff for a "
                                 "site template, may delete it."))
    template.deleted_at = timezone.now()
    template._history_user = user
    template.save(update_fields=["deleted_at"])


def template_fill(*, user, case: Case, template: DocumentTemplate, language: str) -> GeneratedDocument:
    if not can_generate(user, case) or not templates_usable(user, case).filter(pk=template.pk).exists():
        from django.http import Http404

        raise Http404("No such template.")
    lang = selectors.language_code(language)
    try:
        data = template_bytes(template)
    except OSError:
        raise ValidationError(_("The template's file is missing.")) from None
    if hashlib.sha256(data).hexdigest() != template.sha256:
        raise ValidationError(_("The template's file has changed since it was uploaded."))
    context = template_context(user=user, case=case, language=lang)
    with translation.override(lang):
        content = render_docx(open_template(data), context)
    export = export_record(user=user, case=case, kind=DocumentExport.Kind.TEMPLATE, language=lang, content=content,
                           detail={"template": template.pk, "name": template.name})
    return GeneratedDocument(document_filename(case, template.name), content, export=export, language=lang)


