"""Admin: superusers only (config.admin_access); evidence is never changed here, custody entries are read-only."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.admin_access import SuperuserOnlyMixin
from evidence.models import CaseExhibit, CustodyEvent, CustodyHead, EvidenceItem
from evidence.permissions import evidence_for


class ReadOnlyExhibits(admin.TabularInline):
    model = CaseExhibit
    extra = 0
    fields = ("case", "number", "added_at", "added_by", "removed_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("id", "title", "kind", "media_type", "size", "restricted", "extraction_state", "created_at")
    list_filter = ("kind", "restricted", "extraction_state")
    search_fields = ("title", "sha256", "original_filename")
    readonly_fields = ("sha256", "size", "media_type", "original_filename", "extraction_state", "extraction_error",
                       "extracted_at", "metadata", "created_at", "created_by", "deleted_at", "deleted_by")
    exclude = ("extracted_text", "incidents")
    inlines = [ReadOnlyExhibits]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=evidence_for(request.user, include_trashed=True).values("pk"))

    def has_delete_permission(self, request, obj=None):
        return False  # evidence goes to the trash through the app, never deleted from the admin

    def has_add_permission(self, request):
        return False  # uploads go through the upload page or the API (hashing, storage, custody)

    def has_change_permission(self, request, obj=None):
        return False  # every change is a custody event: made through the app's services, not here


@admin.register(CustodyEvent)
class CustodyEventAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("item", "seq", "at", "username", "action", "sha256", "client_ip")
    list_filter = ("action",)
    search_fields = ("sha256", "username")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(item__in=evidence_for(request.user, include_trashed=True).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """Rows written only by the evidence services; shown here for inspection, never edited."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseExhibit)
class CaseExhibitAdmin(ReadOnlyAdmin):
    list_display = ("case", "number", "item", "added_at", "removed_at")
    list_select_related = ("case", "item")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(item__in=evidence_for(request.user, include_trashed=True).values("pk"))


@admin.register(CustodyHead)
class CustodyHeadAdmin(ReadOnlyAdmin):
    list_display = ("item", "seq", "entry_hash")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
