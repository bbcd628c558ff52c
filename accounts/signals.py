"""Every change of a user's stored password hash revokes all of that user's API tokens.

Sessions elsewhere end through Django's session auth hash (an HMAC of the same password hash); tokens are ended here
so that a password change, by any path (the page, the admin, ``manage.py changepassword``, the API, a script calling
``set_password``), leaves no old credential alive. Django's own re-hash of a password after a hasher upgrade changes
the hash too, and so ends tokens as it ends other sessions.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts import services


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.password_hash_before_save")
def _note_password_change(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None,
                          **kwargs: Any) -> None:
    instance._docket_password_changed = False
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._docket_password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.revoke_tokens_after_save")
def _revoke_tokens_on_password_change(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if getattr(instance, "_docket_password_changed", False):
        instance._docket_password_changed = False
        services.user_tokens_revoke(user=instance)
