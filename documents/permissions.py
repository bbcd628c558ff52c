"""Who may produce documents — derived only from ``cases.permissions``.

- A case the user cannot see: ``Http404`` (same answer as a missing case).
- A case the user can see but whose role lacks GENERATE_DOCUMENTS (researchers, observers): ``PermissionDenied``
  (403). The case's existence is no secret to its own members, and 403 tells them why.
- Organisation templates: listed and uploaded by users who may generate documents on at least one case (and
  staff); deleted by their uploader or staff; filled only on a case where the user may generate documents.
"""
from __future__ import annotations

from cases import permissions as cp
from cases.models import Case


def case_for_documents(user, pk) -> Case:
    return cp.case_require(user, pk, cp.GENERATE_DOCUMENTS)


def can_generate(user, case: Case) -> bool:
    return cp.GENERATE_DOCUMENTS in cp.case_perms(user, case)


def can_use_templates(user) -> bool:
    if not cp._active(user):
        return False
    return bool(user.is_staff or user.is_superuser or cp.cases_for(user, cp.GENERATE_DOCUMENTS).exists())


def can_delete_template(user, template) -> bool:
    if not cp._active(user):
        return False
    return bool(user.is_staff or user.is_superuser or template.uploaded_by_id == user.pk)
