"""What the case pages share: pagination, optional neighbours' slots, error text, the readable history rows."""
from __future__ import annotations

import copy
import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases import permissions as perm
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
