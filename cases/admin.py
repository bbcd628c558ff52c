"""Admin screens: for superusers only (config.admin_access). Other staff, whatever model permissions they hold, get
403 on every screen of these models, history and history items included; they use the app, where roles apply.

Object permissions (guardian rows, memberships) are edited by superusers only: a staff user with a model-level
"change" permission must not be able to grant themselves access (django-guardian issue #756). Docket therefore
does not use GuardedModelAdmin's object-permission screens at all.
"""
from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases import permissions
from cases.models import (
    Case,
    CaseMembership,
    CaseUserObjectPermission,
    Incident,
    IncidentPerson,
    IncidentUserObjectPermission,
    Party,
    Person,
    Proceeding,
)
from config.admin_access import SuperuserOnlyMixin


class PermissionFilteredMixin(SuperuserOnlyMixin):
    """Superusers only; should a screen ever be opened to other staff, its rows still come from cases.permissions."""

    def visible_queryset(self, request):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=self.visible_queryset(request).values("pk"))


class PermissionFilteredAdmin(PermissionFilteredMixin, SimpleHistoryAdmin):
    """For audited models: the filtered admin with the history view."""


class SuperuserOnlyAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """Object permissions and memberships: superusers only (as every screen here)."""


class MembershipInline(admin.TabularInline):
    model = CaseMembership
    extra = 0
    fields = ("user", "role", "added_at", "added_by")
    readonly_fields = ("added_at", "added_by")
    autocomplete_fields = ("user",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # memberships change through the membership service (it keeps permissions in step)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(PermissionFilteredAdmin):
    list_display = ("title", "reference", "jurisdiction", "status", "updated_at", "deleted_at")
    list_filter = ("status", "jurisdiction")
    search_fields = ("title", "reference", "court")
    readonly_fields = ("created_at", "updated_at", "created_by", "deleted_at", "deleted_by")
    inlines = [MembershipInline]

    def visible_queryset(self, request):
        return permissions.cases_for(request.user)

    def get_exclude(self, request, obj=None):
        if obj is not None and not permissions.has_case_perm(request.user, obj, permissions.VIEW_PRIVILEGED):
            return ("privileged_notes",)
        return ()


@admin.register(Incident)
class IncidentAdmin(PermissionFilteredAdmin):
    list_display = ("title", "occurred_at", "category", "location", "deleted_at")
    list_filter = ("category",)
    search_fields = ("title", "location", "description")
    readonly_fields = ("created_at", "updated_at", "created_by", "deleted_at", "deleted_by")
    filter_horizontal = ("cases",)

    def visible_queryset(self, request):
        return permissions.incidents_for(request.user)


@admin.register(Proceeding)
class ProceedingAdmin(PermissionFilteredAdmin):
    list_display = ("case", "stage", "court", "case_number", "filed_on", "decided_on")
    list_filter = ("stage",)

    def visible_queryset(self, request):
        return Proceeding.objects.filter(case__in=permissions.cases_for(request.user))


@admin.register(Party)
class PartyAdmin(PermissionFilteredAdmin):
    list_display = ("case", "role", "name", "person")

    def visible_queryset(self, request):
        return Party.objects.filter(case__in=permissions.cases_for(request.user))


@admin.register(Person)
class PersonAdmin(PermissionFilteredAdmin):
    list_display = ("pseudonym", "consent_given", "created_at")
    search_fields = ("pseudonym",)

    def visible_queryset(self, request):
        return permissions.persons_for(request.user)

    def get_exclude(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        if obj is None or obj.pk not in permissions.person_identity_ids(request.user, [obj.pk]):
            return Person.IDENTITY_FIELDS
        return ()


@admin.register(IncidentPerson)
class IncidentPersonAdmin(PermissionFilteredAdmin):
    list_display = ("incident", "person", "part")

    def visible_queryset(self, request):
        return IncidentPerson.objects.filter(incident__in=permissions.incidents_for(request.user))


@admin.register(CaseMembership)
class CaseMembershipAdmin(SuperuserOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("case", "user", "role", "added_at")
    list_filter = ("role",)
    readonly_fields = ("case", "user", "role", "added_at", "added_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # through the pages or API, so guardian rows follow the role

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CaseUserObjectPermission)
class CaseUserObjectPermissionAdmin(SuperuserOnlyAdmin):
    list_display = ("content_object", "user", "permission")
    list_select_related = ("content_object", "user", "permission")


@admin.register(IncidentUserObjectPermission)
class IncidentUserObjectPermissionAdmin(SuperuserOnlyAdmin):
    list_display = ("content_object", "user", "permission")
    list_select_related = ("content_object", "user", "permission")
