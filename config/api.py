"""Shared API plumbing: the JSON parser, pagination and the JSON error shape of API.md."""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.parsers import JSONParser, PayloadTooLarge, json_depth_exceeds  # noqa: F401  (re-exported)

logger = logging.getLogger("docket")


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[override]
        # An out-of-range or malformed page is a client error with a clear message, not a 5xx.
        return super().paginate_queryset(queryset, request, view)


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            text = _flatten(value)
            parts.append(text if key in ("non_field_errors", "detail") else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(detail, (list, tuple)):
        return " ".join(_flatten(v) for v in detail)
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error is JSON {"detail": "...", ...}; field errors also appear under "errors"."""
    from config.conflict import Conflict

    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is larger than %(n)d bytes.") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        extra = getattr(exc, "api_extra", None)
        if extra is not None:  # a refusal that says what to do about it (e.g. sign in with two factors)
            return Response({"detail": str(exc), **extra}, status=status.HTTP_403_FORBIDDEN)
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data.keys()) == {"detail"}:
        response.data = {"detail": str(data["detail"])}
    else:
        response.data = {"detail": _flatten(data), "errors": data}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Token"
    return response
