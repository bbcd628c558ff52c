"""API v1 accounts: sign in for a token, sign out (revoke it), change one's password (API.md "Accounts, sessions")."""
from __future__ import annotations

from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import get_token_model
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, two_factor

TokenOutSerializer = inline_serializer("TokenResponse", {
    "token": serializers.CharField(), "expiry": serializers.DateTimeField(),
})


class TokenInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                help_text="A current code from the authenticator app, or an unused recovery code.")


class TokenView(APIView):
    """POST {"username", "password", "otp"?} → 200 {"token", "expiry"}; wrong credentials → 400; for an account
    with two-factor sign-in, a missing or wrong ``otp`` → 401 {"detail", "otp_required": true} (a wrong code counts
    as a failed sign-in); a staff account without two-factor sign-in → 403; too many failures → 429 (axes)."""

    authentication_classes: list = []  # the credentials are in the body; a stale header must not stop a sign-in
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(request=TokenInSerializer, responses={200: TokenOutSerializer})
    def post(self, request):
        data = TokenInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # django-axes marks lock-outs on the Django request it is given; hand it that one, not DRF's wrapper,
        # so its middleware answers 429 after too many failures.
        user = authenticate(request._request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:
            raise ValidationError({"detail": _("Unable to sign in with the username and password given.")})
        device = None
        if two_factor.has_two_factor(user):
            code = data.validated_data.get("otp") or ""
            try:
                device = two_factor.code_check(user=user, code=code, request=request._request) if code else None
            except two_factor.SignInLocked as locked:
                return Response({"detail": str(locked)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            if device is None:
                detail = _("Enter the code from your authenticator app (otp).") if not code else _(
                    "That two-factor code is not right.")
                return Response({"detail": detail, "otp_required": True}, status=status.HTTP_401_UNAUTHORIZED,
                                headers={"WWW-Authenticate": "Token"})
        elif two_factor.staff_must_set_up(user):
            return Response({"detail": _("Staff accounts must set up two-factor sign-in first (on the web pages, "
                                         "under Two-factor sign-in).")}, status=status.HTTP_403_FORBIDDEN)
        token, expiry = services.token_issue(user=user, second_factor=device)
        return Response({"token": token, "expiry": expiry})


class LogoutView(APIView):
    """Revoke the token the request came with (a browser session is ended instead)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Signed out.")})
    def post(self, request):
        if isinstance(request.auth, get_token_model()):
            services.token_revoke(token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=4096, trim_whitespace=False)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False)


class PasswordChangeView(APIView):
    """Change one's own password; every API token of the user is revoked, the current one included."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeSerializer,
                   responses={204: OpenApiResponse(description="Changed; sign in again for a new token.")})
    def post(self, request):
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_change(user=request.user, request=request._request, **data.validated_data)
        if request.auth is None:  # a browser session: keep this one, end the others (as the page does)
            update_session_auth_hash(request._request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
