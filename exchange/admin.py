"""Import runs in the admin: read-only, superusers only (the import page is where users see their own)."""
from __future__ import annotations

from django.contrib import admin

from config.admin_access import SuperuserOnlyMixin
from exchange.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "user", "filename", "dry_run", "status", "created_at", "finished_at")
    list_filter = ("status", "dry_run")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
