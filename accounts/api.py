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

from accounts import services

TokenOutSerializer = inline_serializer("TokenResponse", {
    "token": serializers.CharField(), "expiry": serializers.DateTimeField(),
})


class TokenInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    # Issue 17 adds an optional "otp" here (two-factor sign-in → 401 {"otp_required": true}).


class TokenView(APIView):
    """POST {"username", "password"} → 200 {"token", "expiry"}; wrong credentials → 400; too many → 429 (axes)."""

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
        token, expiry = services.token_issue(user=user)
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
