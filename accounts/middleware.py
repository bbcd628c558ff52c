"""Staff sign in with two factors: until a staff account has a confirmed authenticator, every page sends it to set
one up (and the API answers 403); a staff session signed in without a code is sent to verify itself. Nothing else
is reachable meanwhile. Put after django-otp's OTPMiddleware (which gives ``request.user.is_verified()``)."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import two_factor

# What an unverified staff session may still reach: its two-factor pages, signing in and out, static files.
ALLOWED_PREFIXES = ("/account/two-factor/", "/login/", "/logout/", "/static/", "/i18n/", "/healthz", "/api/v1/auth/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (getattr(settings, "DOCKET_STAFF_TWO_FACTOR", True) and user is not None and user.is_authenticated
                and user.is_staff and not user.is_verified() and not request.path.startswith(ALLOWED_PREFIXES)):
            setting_up = not two_factor.has_two_factor(user)
            message = (_("Staff accounts must set up two-factor sign-in before anything else.") if setting_up
                       else _("Staff accounts must sign in with two factors: verify this session with a code."))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "second_factor_required": True}, status=403)
            return redirect(f"{reverse('two-factor')}?next={quote(request.get_full_path())}")
        return self.get_response(request)
