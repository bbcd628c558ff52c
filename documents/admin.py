"""Admin, superusers only (config.admin_access): organisation templates, signature details (users edit their own
on the Documents → Signature page) and the export log (read-only)."""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases import permissions
from cases.admin import PermissionFilteredMixin
from config.admin_access import SuperuserOnlyMixin
from documents.models import DocumentExport, DocumentTemplate, UserProfile


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("name", "scope", "case", "original_filename", "size", "uploaded_by", "created_at", "deleted_at")
    list_filter = ("scope",)
    search_fields = ("name", "original_filename")
    readonly_fields = ("size", "original_filename", "placeholders", "uploaded_by", "created_at", "deleted_at")

    def get_queryset(self, request):
        # Templates may hold a client's name: only superusers see them here (staff manage site templates on the page).
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.none()

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the Documents page, which validates the file

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deletion through the page keeps the stored file and the row in step


@admin.register(DocumentExport)
class DocumentExportAdmin(PermissionFilteredMixin, admin.ModelAdmin):
    list_display = ("case", "kind", "username", "language", "created_at")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in DocumentExport._meta.fields]

    def visible_queryset(self, request):
        return DocumentExport.objects.filter(case__in=permissions.cases_for(request.user))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserProfile)
class UserProfileAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    list_display = ("user", "full_name", "position", "place")
    search_fields = ("user__username", "full_name")
    raw_id_fields = ("user",)

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
