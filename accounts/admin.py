"""API tokens in the admin: superusers list and revoke them; nobody mints one here.

knox's own admin lets any staff user with the "add auth token" permission create a token for any account, a
superuser's included. Tokens come only from signing in at /api/v1/auth/token/.
"""
from __future__ import annotations

from django.contrib import admin
from knox.models import AuthToken

from config.admin_access import SuperuserOnlyMixin

admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "created", "expiry")
    readonly_fields = ("user", "created", "expiry")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
