"""Who may use the admin for Docket's own models: active superusers only.

The domain models hold privileged notes, real names and evidence; a staff account with model-level permissions
(even every one there is) must not read them through a side door. Django's and django-simple-history's admin views
each ask a different question (``has_view_permission``, ``has_view_or_change_permission``,
``has_view_history_or_change_history_permission``, and with ``SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS``
the history model's own permissions), and the history views look the object up, unfiltered, before they ask. So
this mixin answers every one of those questions "superusers only", and refuses the history views before anything
is looked up; a malformed or out-of-range id there is a 404, never a 500.
"""
from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

# Ids beyond a signed 64-bit integer exist in no table; asking a database about them can only fail.
MAX_DB_ID = 2**63 - 1


def valid_id(field, raw: Any) -> bool:
    """Whether ``raw`` can name a row through ``field`` (a malformed or out-of-range id names none)."""
    try:
        value = field.to_python(raw)
    except (ValidationError, ValueError, TypeError):
        return False
    return not isinstance(value, int) or -MAX_DB_ID <= value <= MAX_DB_ID


def is_superuser(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


class SuperuserOnlyMixin:
    """Put first among a ModelAdmin's bases: every screen of the model (list, add, change, delete, history, history
    item, autocomplete) is for active superusers only; everyone else gets 403 without the object being looked up."""

    def has_module_permission(self, request) -> bool:
        return is_superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args: Any) -> bool:
        return is_superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_superuser(request) and super().has_delete_permission(request, obj)

    # django-simple-history asks these when SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is on.
    def has_view_history_permission(self, request, obj=None) -> bool:
        return is_superuser(request) and super().has_view_history_permission(request, obj)

    def has_change_history_permission(self, request, obj=None) -> bool:
        return is_superuser(request) and super().has_change_history_permission(request, obj)

    def _gate(self, request, object_id: str, history_id: str | None = None) -> None:
        if not is_superuser(request):
            raise PermissionDenied
        if not valid_id(self.model._meta.pk, unquote(object_id)):
            raise Http404
        if history_id is not None:
            history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
            if not valid_id(history_model._meta.pk, history_id):
                raise Http404

    def get_object(self, request, object_id, from_field=None):
        """As Django's (None for an id that matches nothing), also for ids no database column could hold."""
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        if not valid_id(field, object_id):
            return None
        return super().get_object(request, object_id, from_field)

    def history_view(self, request, object_id, extra_context=None):
        self._gate(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._gate(request, object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
