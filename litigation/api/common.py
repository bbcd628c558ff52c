"""API plumbing shared by the litigation endpoints: strict input fields, the file response, id parsing."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from cases.permissions import parse_id
from config import serializers

MAX_ID = 2**63 - 1


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers, booleans, lists and objects (API.md: strict JSON types)."""

    default_error_messages = {"not_a_string": _("Send a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictIdField(serializers.IntegerField):
    """An object id: a whole number (not a boolean, not a numeric string with decimals) in the database's range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false (JSON), or the words a form sends; never a number or a list."""

    def to_internal_value(self, data):
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class Strict(serializers.Serializer):
    """Unknown fields are a 400 naming them (a typo is never silently ignored); the body must be an object."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({"detail": [_("Send a JSON object.")]})
        unknown = sorted(k for k in data if k not in self.fields or self.fields[k].read_only)
        if unknown:
            raise ValidationError({k: [_("Unknown field.")] for k in unknown})
        return super().to_internal_value(data)


def service(call, *args, **kwargs):
    """Run a service; its Django ValidationError becomes a 400 with the same messages."""
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc


def query_id(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    pk = parse_id(value)
    if pk is None:
        raise ValidationError({name: [_("An id is a positive whole number.")]})
    return pk


def document_language(request) -> str:
    lang = (request.query_params.get("lang") or "").lower()
    if lang not in ("en", "ru"):
        lang = (translation.get_language() or "en")[:2]
    return "ru" if lang == "ru" else "en"


class AnyAccept(BaseContentNegotiation):
    """Whatever the client accepts, a file is sent as itself and an error as JSON (never a 406)."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if parser.media_type.split(";")[0] == (request.content_type or "").split(";")[0]:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FileAPIView(APIView):
    content_negotiation_class = AnyAccept
    renderer_classes = [JSONRenderer]
    http_method_names = ["get", "options"]


def file_response(generated) -> HttpResponse:
    response = HttpResponse(generated.content, content_type=generated.media_type)
    response["Content-Disposition"] = content_disposition_header(True, generated.filename)
    response["Content-Length"] = str(len(generated.content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@extend_schema_serializer(component_name="LitigationHistoryEntry")
class HistoryEntry(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    action = serializers.ChoiceField(choices=["created", "changed", "deleted", "restored"])
    object = serializers.CharField()
    object_id = serializers.IntegerField()
    changes = serializers.ListField(child=serializers.DictField())
