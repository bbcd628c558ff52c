"""Reports in the admin: read-only, for superusers and for staff who may triage (the triage pages do the work)."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from intake.models import Report
from intake.permissions import can_triage


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ("id", "received_at", "location", "category", "status", "decided_by")
    list_filter = ("status", "category")
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and can_triage(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
