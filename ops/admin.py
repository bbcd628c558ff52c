"""Admin: the operations records, read-only, for superusers only (config.admin_access)."""
from __future__ import annotations

from django.contrib import admin

from config.admin_access import SuperuserOnlyMixin
from ops.models import ScheduledJobRun, VerificationFailure, VerificationRun


class ReadOnlyAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FailureInline(admin.TabularInline):
    model = VerificationFailure
    fields = ("item", "problems")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "started_at", "finished_at", "trigger", "status", "items_checked", "items_failed")
    list_filter = ("status", "trigger")
    inlines = [FailureInline]


@admin.register(ScheduledJobRun)
class ScheduledJobRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "job", "started_at", "finished_at", "outcome")
    list_filter = ("job", "outcome")
