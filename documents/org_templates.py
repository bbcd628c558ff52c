"""Organisation templates: upload, list, delete and fill (.docx files with placeholders, filled in the sandbox)."""
from __future__ import annotations

import hashlib
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases.models import Case
from documents import generators, selectors
from documents.generation import GeneratedDocument, document_filename, export_record, slug, username_of
from documents.models import DocumentExport, DocumentTemplate
from documents.permissions import can_delete_template, can_use_templates
from documents.sandbox import (
    check_docx,
    jinja_env,
    open_template,
    placeholders,
    render_docx,
    template_ast,
    template_context_specimen,
)
from documents.storage import max_template_bytes, read_limited, template_path, template_store, template_unstore


def template_context(*, user, case: Case, language: str) -> dict:
    """A plain dict of safe fields: privileged notes only with VIEW_PRIVILEGED, identities only with VIEW_IDENTITIES."""
    lang = selectors.language_code(language)
    perms = cp.case_perms(user, case)
    with translation.override(lang):
        def d(value):
            return generators.fmt_date(value, lang)

        case_ctx = {
            "id": case.pk, "title": case.title, "reference": case.reference, "court": case.court,
            "jurisdiction": case.jurisdiction, "status": str(case.get_status_display()), "summary": case.summary,
            "url": case.get_absolute_url(),
        }
        if cp.VIEW_PRIVILEGED in perms:
            case_ctx["privileged_notes"] = case.privileged_notes
        parties_qs = list(case.parties.select_related("person").order_by("role", "id"))
        identities = cp.person_identity_ids(user, {p.person_id for p in parties_qs if p.person_id}) \
            if cp.VIEW_IDENTITIES in perms else frozenset()
        parties = []
        for party in parties_qs:
            name = party.name
            if party.person_id:
                name = party.person.pseudonym
                if party.person_id in identities and party.person.real_name:
                    name = party.person.real_name
            parties.append({"role": str(party.get_role_display()), "name": name})
        incidents = [
            {"title": i.title, "date": d(selectors._local_date(i.occurred_at)),
             "time": selectors._local(i.occurred_at).strftime("%H:%M"), "location": i.location,
             "category": str(i.get_category_display()), "description": i.description, "agency": i.agency,
             "system_involved": i.system_involved}
            for i in selectors.case_incidents(user=user, case=case).order_by("occurred_at", "id")
        ]
        exhibits = [
            {"number": r.number, "title": r.title, "kind": str(r.kind), "date": d(r.obtained_on), "source": r.source,
             "sha256": r.sha256, "size": r.size}
            for r in selectors.exhibit_rows_for_case(user=user, case=case)
        ]
        proceedings = [
            {"stage": str(p.get_stage_display()), "court": p.court, "case_number": p.case_number, "judge": p.judge,
             "filed_on": d(p.filed_on), "hearing_on": d(p.hearing_on), "decided_on": d(p.decided_on),
             "outcome": p.outcome}
            for p in case.proceedings.order_by("filed_on", "id")
        ]
        deadlines = [
            {"title": x.title, "due_date": d(getattr(x, "due_date", None)),
             "status": str(x.get_status_display()) if hasattr(x, "get_status_display") else "",
             "rule": selectors.deadline_rule_code(x)}
            for x in selectors._deadlines_for_case(user=user, case=case)
        ]
        return {
            "case": case_ctx, "proceedings": proceedings, "parties": parties, "incidents": incidents,
            "exhibits": exhibits, "deadlines": deadlines, "today": d(timezone.localdate()),
            "user": {"username": username_of(user), "name": (user.get_full_name() or username_of(user))},
        }



def template_upload(*, user, name: str, uploaded_file, description: str = "") -> DocumentTemplate:
    if not can_use_templates(user):
        raise PermissionDenied(_("You may not upload document templates."))
    name = (name or "").strip() or os.path.splitext(getattr(uploaded_file, "name", "") or "")[0].strip()
    if not name:
        raise ValidationError({"name": [_("A template needs a name.")]})
    if len(name) > 200:
        raise ValidationError({"name": [_("At most 200 characters.")]})
    data = read_limited(uploaded_file, max_template_bytes())
    check_docx(data)
    # Validate the placeholders against the context's shape before anything is stored.
    render_docx(open_template(data), template_context_specimen())
    _top, chains = placeholders(template_ast(open_template(data), jinja_env()))
    used = sorted({".".join(c) for c in chains} | _top)

    sha = hashlib.sha256(data).hexdigest()
    created_file = template_store(data, sha)
    try:
        with transaction.atomic():
            return DocumentTemplate.objects.create(
                name=name, description=(description or "")[:1000], sha256=sha, size=len(data),
                original_filename=os.path.basename(getattr(uploaded_file, "name", "") or "")[:255],
                placeholders=used, uploaded_by=user,
            )
    except Exception:
        if created_file and not DocumentTemplate.objects.filter(sha256=sha).exists():
            template_unstore(sha)
        raise


def templates_for(user):
    if not can_use_templates(user):
        return DocumentTemplate.objects.none()
    return DocumentTemplate.objects.filter(deleted_at__isnull=True).order_by("name", "id")


def template_get(user, pk) -> DocumentTemplate:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such template.") from None
    template = templates_for(user).filter(pk=pk).first()
    if template is None:
        raise Http404("No such template.")
    return template


def template_delete(*, user, template: DocumentTemplate) -> None:
    """Soft delete (the row and its history stay; the file stays for the history's sake)."""
    if not can_delete_template(user, template):
        raise PermissionDenied(_("Only the person who uploaded a template, or staff, may delete it."))
    template.deleted_at = timezone.now()
    template._history_user = user
    template.save(update_fields=["deleted_at"])


def template_fill(*, user, case: Case, template: DocumentTemplate, language: str) -> GeneratedDocument:
    lang = selectors.language_code(language)
    try:
        data = template_path(template).read_bytes()
    except OSError:
        raise ValidationError(_("The template's file is missing.")) from None
    if hashlib.sha256(data).hexdigest() != template.sha256:
        raise ValidationError(_("The template's file has changed since it was uploaded."))
    context = template_context(user=user, case=case, language=lang)
    with translation.override(lang):
        content = render_docx(open_template(data), context)
    export = export_record(user=user, case=case, kind=DocumentExport.Kind.TEMPLATE, language=lang, content=content,
                     detail={"template": template.pk, "name": template.name})
    return GeneratedDocument(document_filename(case, slug(template.name, f"template-{template.pk}")), content,
                             export=export)
