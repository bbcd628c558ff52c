"""Two-factor sign-in: a TOTP authenticator (django-otp's ``otp_totp``) and one-time recovery codes (``otp_static``).

- ``totp_setup_start``: a new, unconfirmed authenticator (its secret shown once as a QR code, ``setup_qr_svg``);
- ``totp_setup_confirm``: a current code from the app confirms it, and ten recovery codes are made (shown once);
- ``code_check``: sign-in, second step (pages and the token endpoint): a code from the app or a recovery code
  (used up), refused while django-axes has the account locked out, and a wrong code counts as a failed sign-in;
- ``two_factor_disable``: with a current code; staff may not (two factors are required of them).

``has_two_factor(user)``: the account has a confirmed authenticator, so signing in asks for a code.
"""
from __future__ import annotations

import re
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
_CODE_RE = re.compile(r"[^0-9a-z]")


class SignInLocked(PermissionDenied):
    """django-axes has locked this account out (too many failed sign-ins): the caller answers 429."""


def has_two_factor(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated
                and TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def totp_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def totp_setup_start(*, user: Any) -> TOTPDevice:
    """A fresh unconfirmed authenticator for ``user`` (any earlier unconfirmed one is dropped). Refused when the
    user already has a confirmed one: disable it first."""
    if has_two_factor(user):
        raise ValidationError(_("Two-factor sign-in is already on. Turn it off first to set up a new authenticator."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def pending_device(user: Any, device_id: Any) -> TOTPDevice | None:
    """The unconfirmed authenticator ``device_id`` of ``user`` (a setup in progress), or None."""
    try:
        device_id = int(device_id)
    except (TypeError, ValueError):
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def setup_qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL of the device as an inline SVG QR code, drawn here (no third-party request)."""
    qr = segno.make(_config_url(device), error="m")
    return qr.svg_inline(scale=4, border=2, dark="#111", light="#fff", title=_("QR code for your authenticator app"))


def setup_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four (for typing into an app that cannot scan)."""
    import base64

    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _config_url(device: TOTPDevice) -> str:
    return device.config_url  # otpauth://totp/Docket:<username>?secret=…&issuer=Docket (OTP_TOTP_ISSUER)


@transaction.atomic
def totp_setup_confirm(*, user: Any, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a new authenticator with a current code from the app; returns the new recovery codes (to be shown
    once: only the codes themselves are stored, by django-otp, and each works once)."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("This setup has expired. Start again."))
    if not device.verify_token(_normalise(code)):
        raise ValidationError({"code": _("That code is not right. Check the time on your phone and try the "
                                         "current code.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: Any) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def _normalise(code: Any) -> str:
    return _CODE_RE.sub("", str(code or "").strip().lower())[:16]


def code_check(*, user: Any, code: Any, request: HttpRequest | None):
    """The device that accepts ``code`` (an authenticator code or an unused recovery code, which is then used up),
    or None. SignInLocked while the account is locked out; a wrong code is recorded as a failed sign-in, so
    guessing codes locks the account out as guessing passwords does."""
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {"username": user.get_username()}
    if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
        raise SignInLocked(_("Too many failed sign-in attempts. Try again in 15 minutes."))
    token = _normalise(code)
    device = None
    if token:
        with transaction.atomic():
            for candidate in devices_for_user(user, confirmed=True, for_verify=True):
                # Digits only: a code from the app; else a recovery code. Each kind is tried on its own device, so
                # a recovery code does not count as a wrong authenticator code (django-otp throttles those).
                if isinstance(candidate, StaticDevice) == token.isdigit():
                    continue
                if candidate.verify_token(token):
                    device = candidate
                    break
    if device is None and request is not None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return device


@transaction.atomic
def two_factor_disable(*, user: Any, code: Any, request: HttpRequest | None = None) -> None:
    """Turn two-factor sign-in off (a current code is required). Staff must keep it."""
    if user.is_staff:
        raise PermissionDenied(_("Staff accounts must keep two-factor sign-in."))
    if code_check(user=user, code=code, request=request) is None:
        raise ValidationError({"code": _("That code is not right.")})
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()


def staff_must_set_up(user: Any) -> bool:
    """A staff account without a confirmed authenticator may do nothing but set one up."""
    return bool(getattr(settings, "DOCKET_STAFF_TWO_FACTOR", True) and user.is_authenticated and user.is_staff
                and not has_two_factor(user))
