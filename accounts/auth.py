"""DRF authentication with knox tokens, sent as ``Authorization: Token <token>``."""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

# What knox issues: hexadecimal, 64 characters by default. Anything else is refused before the database is asked,
# so a header that is not UTF-8 or holds a NUL byte is a 401 like any wrong token, never a 500.
TOKEN_SHAPE = re.compile(r"[0-9A-Za-z_-]{1,256}")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if not TOKEN_SHAPE.fullmatch(text):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)
