"""Accounts: what an API token proves besides the password."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


class TokenSecondFactor(models.Model):
    """This API token was issued to a request that gave a valid two-factor code (``accounts.api.TokenView``).

    Cases that require two factors open only to sessions verified by django-otp and to tokens with such a row
    (``cases.permissions.second_factor_verified``). The row goes with its token (logout, expiry, password change)."""

    token = models.OneToOneField(AuthToken, primary_key=True, on_delete=models.CASCADE, related_name="second_factor")
    device = models.CharField(_("device"), max_length=64, help_text=_("Which authenticator or recovery code."))
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)

    class Meta:
        verbose_name = _("token verified with two factors")
        verbose_name_plural = _("tokens verified with two factors")

    def __str__(self) -> str:
        return f"{self.token_id[:8]}… ({self.device})"
