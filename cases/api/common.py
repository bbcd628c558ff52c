"""What the cases API modules share: services' errors as 400s, strict serializers, history entries."""
from __future__ import annotations


from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from config import serializers

User = get_user_model()



def _service(call, *args, **kwargs):
    """Run a service; its Django ValidationError becomes a 400 with the same messages."""
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc


class StrictSerializerMixin:
    """Reject fields the endpoint does not know, so a typo is a clear 400 rather than silently ignored."""

    ignored_fields: tuple[str, ...] = ("id", "created_at", "updated_at")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields) | set(self.ignored_fields)
            unknown = sorted(k for k in data if k not in known)
            if unknown:
                raise ValidationError({k: [gettext("Unknown field.")] for k in unknown})
        return super().to_internal_value(data)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    action = serializers.ChoiceField(choices=["created", "changed", "deleted", "restored"])
    object = serializers.CharField()
    object_id = serializers.IntegerField()
    object_label = serializers.CharField()
    changes = ChangeSerializer(many=True)


def _history_response(entries: list[dict]) -> Response:
    field = serializers.DateTimeField()
    return Response([{**e, "at": field.to_representation(e["at"])} for e in entries])
