"""Shared API plumbing: the JSON parser, pagination and the JSON error shape of API.md."""
from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _, gettext_lazy
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser as _DRFJSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.inputs import MAX_JSON_DEPTH

logger = logging.getLogger("docket")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def json_depth_exceeds(document: Any, limit: int) -> bool:
    """Whether lists and objects in ``document`` nest deeper than ``limit`` levels (walked without recursion)."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JSONParser(_DRFJSONParser):
    """DRF's JSON parser, bounded: at most ``MAX_JSON_DEPTH`` levels of nested lists and objects (else 400, and a
    document too deep for Python's own parser is a 400 too, never a RecursionError); NaN and Infinity are refused
    (strict JSON), as is text that is not in the declared encoding. The body's size is bounded before this, by
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (DRF reads JSON through ``request.body``): larger is a 413."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding") or "utf-8"
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("JSON parse error - the body is not valid %(encoding)s text.")
                                        % {"encoding": encoding}) from None
        try:
            document = json.loads(text, parse_constant=self._refuse_constant)
        except RecursionError:
            document, too_deep = None, True
        except ValueError as exc:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        else:
            too_deep = json_depth_exceeds(document, MAX_JSON_DEPTH)
        if too_deep:
            raise exceptions.ParseError(
                _("JSON parse error - lists and objects may nest at most %(n)d levels deep.") % {"n": MAX_JSON_DEPTH}
            )
        return document

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"{name} is not valid JSON")


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
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is larger than %(n)d bytes.") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
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
