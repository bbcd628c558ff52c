"""Account pages: sign-in in two steps (password, then a code for accounts with two-factor sign-in) and the
two-factor settings (set up with a QR code, recovery codes shown once, verify this session, turn off).

Views only parse forms and call ``accounts.two_factor``; django-axes counts every wrong password and every wrong
code, and locks the account out after too many (``config.lockout``).
"""
from __future__ import annotations

import time

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import two_factor
from config.lockout import lockout_response

User = get_user_model()

PENDING_KEY = "docket_2fa_pending"  # the user who gave the right password and owes a code
SETUP_KEY = "docket_2fa_setup"  # the unconfirmed authenticator being set up
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True,
                                      "spellcheck": "false", "autocapitalize": "off"}),
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your recovery codes."),
    )


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("dashboard")


# --- Sign-in -------------------------------------------------------------------------------------------------
@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: username and password. Step two, for accounts with two-factor sign-in: a code. The session is
    signed in (and marked verified by django-otp) only after both."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, request.GET.get("next")))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and request.POST.get("step") == "code":
        return _login_code_step(request, next_url)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if two_factor.has_two_factor(user):
            request.session[PENDING_KEY] = {"uid": user.pk, "backend": user.backend, "at": time.time()}
            return render(request, "registration/login_code.html", {"form": CodeForm(), "next": next_url})
        auth_login(request, user)
        return redirect(_safe_next(request, next_url))
    return render(request, "registration/login.html", {"form": form, "next": next_url})


def _login_code_step(request: HttpRequest, next_url: str) -> HttpResponse:
    pending = request.session.get(PENDING_KEY) or {}
    user = User.objects.filter(pk=pending.get("uid"), is_active=True).first() if pending else None
    if user is None or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Sign-in took too long. Enter your password again."))
        return redirect(f"{reverse('login')}?next={next_url}" if next_url else reverse("login"))
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            device = two_factor.code_check(user=user, code=form.cleaned_data["code"], request=request)
        except two_factor.SignInLocked:
            request.session.pop(PENDING_KEY, None)
            return lockout_response(request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
            return lockout_response(request)
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            user.otp_device = device  # django_otp marks the new session verified on login (user_logged_in)
            auth_login(request, user, backend=pending.get("backend"))
            django_otp.login(request, device)
            return redirect(_safe_next(request, next_url))
        form.add_error("code", _("That code is not right. Try the current code, or a recovery code."))
    return render(request, "registration/login_code.html", {"form": form, "next": next_url})


# --- Two-factor settings -------------------------------------------------------------------------------------
@login_required
def two_factor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    enabled = two_factor.has_two_factor(user)
    return render(request, "accounts/two_factor.html", {
        "enabled": enabled,
        "verified": user.is_verified(),
        "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
        "form": CodeForm(),
        "must": two_factor.staff_must_set_up(user),
    })


@login_required
@require_POST
def two_factor_start(request: HttpRequest) -> HttpResponse:
    try:
        device = two_factor.totp_setup_start(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("two-factor")
    request.session[SETUP_KEY] = device.pk
    return redirect("two-factor-setup")


@login_required
@sensitive_post_parameters()
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """The QR code (an SVG drawn on the server) and the secret of a new authenticator; a current code confirms it,
    and the recovery codes are shown once, on the answer to that request."""
    user = request.user
    device = two_factor.pending_device(user, request.session.get(SETUP_KEY))
    if device is None:
        return redirect("two-factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.totp_setup_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error.message_dict.get("code", error.messages) if hasattr(error, "error_dict")
                           else error.messages)
        else:
            request.session.pop(SETUP_KEY, None)
            device.refresh_from_db()
            django_otp.login(request, device)  # this session has just shown a code: it is verified
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": True})
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "qr_svg": two_factor.setup_qr_svg(device), "secret": two_factor.setup_secret(device),
        "must": two_factor.staff_must_set_up(user),
    })


@login_required
@require_POST
@sensitive_post_parameters()
@never_cache
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), after a current code."""
    return _with_code(request, lambda: render(
        request, "accounts/recovery_codes.html",
        {"codes": two_factor.recovery_codes_regenerate(user=request.user), "first": False}))


@login_required
@require_POST
@sensitive_post_parameters()
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Verify this session with a code (a session signed in before two-factor sign-in was turned on)."""
    def done():
        messages.success(request, _("This session is now verified with two factors."))
        return redirect(_safe_next(request, request.POST.get("next")))
    return _with_code(request, done, login_device=True)


@login_required
@require_POST
@sensitive_post_parameters()
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.two_factor_disable(user=request.user, code=form.cleaned_data["code"], request=request)
        except two_factor.SignInLocked:
            return lockout_response(request)
        except (ValidationError, PermissionDenied) as error:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            messages.error(request, str(error) if isinstance(error, PermissionDenied) else " ".join(error.messages))
        else:
            messages.success(request, _("Two-factor sign-in is off. Cases that require it are closed to you now."))
    else:
        messages.error(request, _("Enter a code."))
    return redirect("two-factor")


def _with_code(request: HttpRequest, then, *, login_device: bool = False) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a code."))
        return redirect("two-factor")
    try:
        device = two_factor.code_check(user=request.user, code=form.cleaned_data["code"], request=request)
    except two_factor.SignInLocked:
        return lockout_response(request)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if device is None:
        messages.error(request, _("That code is not right."))
        return redirect("two-factor")
    if login_device:
        django_otp.login(request, device)
    return then()
