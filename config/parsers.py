"""The API's JSON parser: bounded in size and nesting depth (config/inputs.py).

Kept apart from config/api.py because DRF imports the parser classes named in its settings while
``rest_framework.views`` is being imported; this module must not import DRF views itself."""
from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _, gettext_lazy
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser as _DRFJSONParser

from config.inputs import MAX_JSON_DEPTH


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
