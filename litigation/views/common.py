"""Helpers for the pages: the history made readable, pagination, the case a new record goes to."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import Case
from cases.permissions import case_get, case_perms, cases_for
from litigation.models import Authority, AuthorityRequest, Citation, Claim, Task
from litigation.permissions import EDIT

PAGE_SIZE = 25
HISTORY_MODELS: dict[str, type[models.Model]] = {
    "claim": Claim, "citation": Citation, "authority": Authority, "request": AuthorityRequest, "task": Task,
}


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def editable_case(request, param: str = "case") -> Case | None:
    """The case named by ``?case=`` if the user may add to it (404 hidden, 403 not allowed), or None if none is
    named."""
    value = request.GET.get(param) or request.POST.get(param)
    if not value:
        return None
    case = case_get(request.user, value)
    if EDIT not in case_perms(request.user, case):
        raise PermissionDenied
    return case


def editable_cases(user):
    return cases_for(user, EDIT).order_by("title", "id")


def _shown(field, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if field is not None and getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and isinstance(field, (models.DateTimeField, models.DateField)):
        parsed = parse_datetime(value) if isinstance(field, models.DateTimeField) else parse_date(value)
        if isinstance(parsed, dt.datetime):
            return date_format(parsed, "DATETIME_FORMAT")
        if isinstance(parsed, dt.date):
            return date_format(parsed, "DATE_FORMAT")
    return value


def history_rows(entries: list[dict]) -> list[dict]:
    """Entries of ``litigation.selectors.*_history`` with the translated names of objects, actions and fields."""
    actions = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted"), "restored": _("restored")}
    reasons = {"reply date passed": _("the reply date passed"),
               "reply date passed (daily run)": _("the reply date passed (daily run)"),
               "reply date moved": _("the reply date moved")}
    rows = []
    for entry in entries:
        model = HISTORY_MODELS.get(entry.get("object"))
        fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")} if model else {}
        changes = []
        for change in entry["changes"]:
            field = fields.get(change["field"])
            changes.append({**change, "label": str(field.verbose_name) if field is not None else change["field"],
                            "old": _shown(field, change["old"]), "new": _shown(field, change["new"])})
        rows.append({**entry, "changes": changes, "action_name": actions.get(entry["action"], entry["action"]),
                     "reason": reasons.get(entry.get("reason") or "", entry.get("reason") or ""),
                     "object_name": str(model._meta.verbose_name) if model else entry.get("object")})
    return rows
