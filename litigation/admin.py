"""Admin screens: superusers manage everything; other staff see, read-only, what the permission path lets them
(like the rest of the domain admin, cases.admin). Writes go through the pages and the API, where the services check
who may do what and compute the reply dates."""
from __future__ import annotations

from django.contrib import admin

from cases.admin import PermissionFilteredAdmin
from litigation.models import Authority, AuthorityRequest, Citation, Claim, RequestReminderSent, Task
from litigation.permissions import authorities_for, claims_for, requests_for, tasks_for


@admin.register(Claim)
class ClaimAdmin(PermissionFilteredAdmin):
    list_display = ("right", "case", "proceeding", "created_at")
    search_fields = ("right", "basis", "relief", "case__title", "case__reference")
    raw_id_fields = ("case", "proceeding", "created_by")

    def visible_queryset(self, request):
        return claims_for(request.user)


@admin.register(Citation)
class CitationAdmin(PermissionFilteredAdmin):
    list_display = ("claim", "authority", "pinpoint", "created_at")
    raw_id_fields = ("claim", "authority", "created_by")

    def visible_queryset(self, request):
        return Citation.objects.filter(claim__in=claims_for(request.user).values("pk"))


@admin.register(Authority)
class AuthorityAdmin(PermissionFilteredAdmin):
    list_display = ("title", "kind", "court", "date", "identifier", "case")
    list_filter = ("kind",)
    search_fields = ("title", "citation", "identifier", "court")
    raw_id_fields = ("case", "created_by")

    def visible_queryset(self, request):
        return authorities_for(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A cited authority stays (claims keep their citations); delete the citations first.
        if obj is not None and obj.citations.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AuthorityRequest)
class AuthorityRequestAdmin(PermissionFilteredAdmin):
    list_display = ("__str__", "case", "kind", "addressee", "reply_due", "status")
    list_filter = ("kind", "status")
    search_fields = ("addressee", "subject", "reference", "case__title")
    date_hierarchy = "reply_due"
    raw_id_fields = ("case", "requester", "reply_evidence", "created_by")
    readonly_fields = ("reply_due", "explanation")

    def visible_queryset(self, request):
        return requests_for(request.user)


@admin.register(Task)
class TaskAdmin(PermissionFilteredAdmin):
    list_display = ("title", "case", "assignee", "due_date", "done")
    list_filter = ("done",)
    search_fields = ("title", "case__title")
    raw_id_fields = ("case", "assignee", "done_by", "created_by")

    def visible_queryset(self, request):
        return tasks_for(request.user)


@admin.register(RequestReminderSent)
class RequestReminderSentAdmin(PermissionFilteredAdmin):
    list_display = ("request", "user", "lead_days", "due_date", "sent_at")
    raw_id_fields = ("request", "user")

    def visible_queryset(self, request):
        return RequestReminderSent.objects.filter(request__in=requests_for(request.user).values("pk"))
