"""Accounts: API tokens (django-rest-knox: only a hash is stored, every token expires) and password changes.

A changed password revokes every API token of its user, whatever path changed it (page, admin, ``changepassword``,
API): ``accounts.signals`` calls ``user_tokens_revoke`` whenever the stored password hash changes.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from knox.models import get_token_model

User = get_user_model()


@transaction.atomic
def token_issue(*, user: Any, second_factor: Any = None) -> tuple[str, datetime]:
    """A new API token for ``user``: the token itself (shown once, never stored) and when it expires.
    ``second_factor``: the django-otp device that verified a code with this sign-in, recorded with the token."""
    from accounts.models import TokenSecondFactor

    instance, token = get_token_model().objects.create(user=user)
    if second_factor is not None:
        TokenSecondFactor.objects.create(token=instance, device=second_factor.persistent_id[:64])
    return token, instance.expiry


def token_revoke(*, token: Any) -> None:
    """End one API token (the caller's own, on logout)."""
    get_token_model().objects.filter(pk=token.pk).delete()


def user_tokens_revoke(*, user: Any) -> int:
    """End every API token of ``user``; returns how many there were."""
    deleted, _per_model = get_token_model().objects.filter(user_id=user.pk).delete()
    return deleted


def user_password_change(*, user: Any, old_password: str, new_password: str,
                         request: HttpRequest | None = None) -> None:
    """Change ``user``'s password after checking the old one and the site's password rules.

    The old password is checked through ``authenticate`` so that django-axes counts wrong guesses and locks the
    account out as it does on sign-in. Saving the new password revokes every API token (``accounts.signals``).
    """
    checked = authenticate(request, username=user.get_username(), password=old_password)
    if checked is None or checked.pk != user.pk:
        raise ValidationError({"old_password": [_("Your old password was entered incorrectly.")]})
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
