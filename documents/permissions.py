"""Who may produce documents and use organisation templates — derived only from ``cases.permissions``.

- A case the user cannot see: ``Http404`` (same answer as a missing case).
- A case the user can see but whose role lacks GENERATE_DOCUMENTS (researchers, observers): ``PermissionDenied``
  (403). The case's existence is no secret to its own members, and 403 tells them why.

Organisation templates (a template may hold a client's name, so it is never visible to everyone):

- a case's template: seen and filled by members of that (live) case who may generate documents; uploaded by such a
  member; deleted by its uploader while still such a member, or by a lead of the case;
- a site template: seen and filled by anyone who may generate documents on a case (and staff); uploaded and deleted
  by staff;
- an older, personal template: seen, filled and deleted by its uploader only.

A superuser sees and manages all. A template the caller may not see is a 404 (as a missing one); one they see but
may not delete is a 403. Its uploader attaches a personal template to a case where they may generate documents
(the same right as uploading it there).
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cases import permissions as cp
from cases.models import Case


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def case_for_documents(user, pk) -> Case:
    return cp.case_require(user, pk, cp.GENERATE_DOCUMENTS)


def can_generate(user, case: Case) -> bool:
    return cp.GENERATE_DOCUMENTS in cp.case_perms(user, case)


def can_use_templates(user) -> bool:
    if not _active(user):
        return False
    return bool(user.is_staff or user.is_superuser or cp.cases_for(user, cp.GENERATE_DOCUMENTS).exists())


def can_manage_site_templates(user) -> bool:
    return _active(user) and bool(user.is_staff or user.is_superuser)


def templates_visible(user) -> QuerySet:
    """Live templates the user may see, whatever the case they are working on."""
    from documents.models import DocumentTemplate

    live = DocumentTemplate.objects.filter(deleted_at__isnull=True)
    if not _active(user):
        return live.none()
    if user.is_superuser:
        return live
    visible = Q(scope=DocumentTemplate.Scope.PERSONAL, uploaded_by=user)
    visible |= Q(scope=DocumentTemplate.Scope.CASE, case__in=cp.case_ids_for(user, cp.GENERATE_DOCUMENTS))
    if can_use_templates(user):
        visible |= Q(scope=DocumentTemplate.Scope.SITE)
    return live.filter(visible)


def templates_usable(user, case: Case) -> QuerySet:
    """Templates the user may fill on ``case``: the site's, the case's own, and their own personal ones."""
    from documents.models import DocumentTemplate

    if not can_generate(user, case):
        return DocumentTemplate.objects.none()
    personal = Q(scope=DocumentTemplate.Scope.PERSONAL)
    if not user.is_superuser:
        personal &= Q(uploaded_by=user)
    return templates_visible(user).filter(
        Q(scope=DocumentTemplate.Scope.SITE) | Q(scope=DocumentTemplate.Scope.CASE, case=case) | personal
    )


def template_get(user, pk, *, case: Case | None = None):
    """The template, if the user may see it (and fill it on ``case`` when given); else Http404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such template.") from None
    if not 0 < pk < 2**63:
        raise Http404("No such template.")
    qs = templates_usable(user, case) if case is not None else templates_visible(user)
    template = qs.filter(pk=pk).first()
    if template is None:
        raise Http404("No such template.")
    return template


def can_delete_template(user, template) -> bool:
    from documents.models import DocumentTemplate

    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if template.scope == DocumentTemplate.Scope.SITE:
        return bool(user.is_staff)
    if template.scope == DocumentTemplate.Scope.PERSONAL:
        return template.uploaded_by_id == user.pk
    if template.case_id is None:
        return False
    perms = cp.case_perms(user, template.case)
    return cp.MANAGE_MEMBERS in perms or (template.uploaded_by_id == user.pk and cp.GENERATE_DOCUMENTS in perms)


def can_attach_template(user, template) -> bool:
    from documents.models import DocumentTemplate

    return (_active(user) and template.scope == DocumentTemplate.Scope.PERSONAL
            and (template.uploaded_by_id == user.pk or user.is_superuser))
