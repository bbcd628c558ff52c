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


# --- Two-factor sign-in in the admin --------------------------------------------------------------------------
# The admin requires a session verified with two factors (django-otp's OTPAdminSite), on top of the staff rule of
# accounts.middleware. Authenticators and recovery codes are for superusers only (to remove a lost phone's), and
# their secrets are never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA).
from django_otp.admin import OTPAdminSite  # noqa: E402
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

admin.site.__class__ = OTPAdminSite

for _model, _admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Superuser{_admin.__name__}", (SuperuserOnlyMixin, _admin), {
        "__module__": __name__,
        "has_add_permission": lambda self, request, *args: False,
    }))
