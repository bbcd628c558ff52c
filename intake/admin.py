"""Reports in the admin: read-only, superusers only like every domain screen (the triage pages do the work)."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin_access import SuperuserOnlyMixin
from intake.models import Report


@admin.register(Report)
class ReportAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("id", "received_at", "location", "category", "status", "decided_by")
    list_filter = ("status", "category")
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
