"""DRF authentication with knox tokens, sent as ``Authorization: Token <token>``."""
from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

# What knox issues: hexadecimal, 64 characters by default. Anything else is refused before the database is asked,
# so a header that is not UTF-8 or holds a NUL byte is a 401 like any wrong token, never a 500.
TOKEN_SHAPE = re.compile(r"[0-9A-Za-z_-]{1,256}")


class TokenAuthentication(KnoxTokenAuthentication):
    """knox tokens; the user also learns whether the token was obtained with a two-factor code (``is_verified()``,
    as django-otp gives a browser session), and a staff token obtained without one is refused."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if not TOKEN_SHAPE.fullmatch(text):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, auth_token = super().authenticate_credentials(token)
        from accounts.models import TokenSecondFactor

        verified = TokenSecondFactor.objects.filter(token=auth_token).exists()
        if user.is_staff and not verified and getattr(settings, "DOCKET_STAFF_TWO_FACTOR", True):
            raise exceptions.AuthenticationFailed(
                _("Staff accounts use the API with a token obtained with a two-factor code."))
        user.is_verified = (lambda: True) if verified else (lambda: False)
        return user, auth_token
