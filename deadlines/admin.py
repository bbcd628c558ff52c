from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin_access import SuperuserOnlyMixin
from deadlines.models import CalendarFeed, Deadline, DeadlineRule, ReminderPreference, ReminderSent
from deadlines.permissions import EDIT_DEADLINES, VIEW_CASE, deadlines_for


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "jurisdiction", "unit", "amount", "roll_forward", "legal_basis", "active")
    list_filter = ("jurisdiction", "unit", "active")
    search_fields = ("code", "name", "legal_basis")

    def has_delete_permission(self, request, obj=None):
        # Deadlines keep their rule; retire a rule by unticking "active".
        if obj is not None and obj.deadlines.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Deadline)
class DeadlineAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("title", "case", "due_date", "status", "rule", "responsible")
    list_filter = ("status", "kind", "rule")
    search_fields = ("title", "case__title", "case__reference")
    date_hierarchy = "due_date"
    raw_id_fields = ("case", "proceeding", "responsible", "completed_by", "created_by")
    readonly_fields = ("due_date", "explanation", "completed_at", "completed_by", "created_by", "created_at")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("case", "rule", "responsible")
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=deadlines_for(request.user, VIEW_CASE).values("pk"))

    def has_change_permission(self, request, obj=None):
        # Changes go through the pages and the API, where the due date is computed and checked.
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return deadlines_for(request.user, EDIT_DEADLINES).filter(pk=obj.pk).exists() and super(
            ).has_delete_permission(request, obj)
        return super().has_delete_permission(request, obj)


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("user", "lead_days", "email_enabled")
    raw_id_fields = ("user",)


@admin.register(ReminderSent)
class ReminderSentAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("deadline", "user", "lead_days", "due_date", "sent_at")
    raw_id_fields = ("deadline", "user")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(deadline__in=deadlines_for(request.user, VIEW_CASE).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "created_at")
    exclude = ("public_id",)
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
