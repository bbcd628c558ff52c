"""API v1: incidents, their shares and history, the trash."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions as perms
from cases import selectors, services
from cases.models import Incident
from config import serializers

User = get_user_model()
from cases.api.common import HistoryEntrySerializer, StrictSerializerMixin, _history_response, _service
from cases.api.cases import _pop_version, _version_field

# --- Incidents -----------------------------------------------------------------------------------------------
class CoordinateField(serializers.FloatField):
    """A latitude or longitude in degrees, kept to six decimals (about 10 cm)."""

    def __init__(self, limit: int, **kwargs):
        self.limit = limit
        super().__init__(min_value=-limit, max_value=limit, allow_null=True, required=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)  # a finite number (NaN and infinity are refused there)
        # The range first: quantizing 1e308 to six decimals would overflow the decimal context.
        if value > self.limit:
            self.fail("max_value", max_value=self.limit)
        if value < -self.limit:
            self.fail("min_value", min_value=-self.limit)
        return Decimal(repr(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def to_representation(self, value):
        return None if value is None else float(value)


class IncidentSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    latitude = CoordinateField(90)
    longitude = CoordinateField(180)
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500, write_only=True
    )
    source_links = serializers.ListField(
        child=serializers.URLField(max_length=2000), required=False, max_length=100
    )
    version = _version_field()

    class Meta:
        model = Incident
        fields = ["id", "title", "occurred_at", "location", "latitude", "longitude", "category", "description",
                  "agency", "system_involved", "source_links", "cases", "version", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, incident: Incident) -> dict[str, Any]:
        data = super().to_representation(incident)
        visible = self.context.get("visible_case_ids")
        # Only the cases the caller may view: the others' existence is not theirs to know.
        data["cases"] = sorted(
            c.pk for c in incident.cases.all() if visible is None or c.pk in visible
        )
        return data


def _incident_context(user) -> dict[str, Any]:
    return {"visible_case_ids": set(perms.cases_for(user).values_list("pk", flat=True))}


class IncidentListView(generics.GenericAPIView):
    serializer_class = IncidentSerializer

    def get_queryset(self):
        return selectors.incident_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(responses=IncidentSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            IncidentSerializer(page, many=True, context=_incident_context(request.user)).data
        )

    @extend_schema(request=IncidentSerializer, responses={201: IncidentSerializer})
    def post(self, request):
        data = IncidentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        _pop_version(fields)
        cases = list(dict.fromkeys(fields.pop("cases", [])))
        incident = _service(services.incident_create, user=request.user, cases=cases, **fields)
        return Response(
            IncidentSerializer(incident, context=_incident_context(request.user)).data,
            status=status.HTTP_201_CREATED,
        )


class IncidentDetailView(APIView):
    serializer_class = IncidentSerializer

    @extend_schema(responses=IncidentSerializer)
    def get(self, request, pk):
        incident = perms.incident_get(request.user, pk)
        return Response(IncidentSerializer(incident, context=_incident_context(request.user)).data)

    @extend_schema(request=IncidentSerializer, responses=IncidentSerializer)
    def patch(self, request, pk):
        user = request.user
        incident = perms.incident_require(user, pk, perms.CHANGE_INCIDENT)
        data = IncidentSerializer(incident, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = _pop_version(fields)
        cases = None
        if "cases" in fields:
            # ``cases`` names the links the caller may edit; links to cases they may not edit stay as they are.
            editable_ids = set(perms.cases_for(user, perms.EDIT_INCIDENTS).values_list("pk", flat=True))
            kept = [pk for pk in incident.cases.values_list("pk", flat=True) if pk not in editable_ids]
            cases = list(dict.fromkeys(kept + fields.pop("cases")))
        with transaction.atomic():
            incident = _service(services.incident_update, user=user, incident=incident, data=fields, cases=cases,
                                expected_version=expected)
        incident = Incident.objects.get(pk=incident.pk)
        return Response(IncidentSerializer(incident, context=_incident_context(user)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        incident = perms.incident_require(request.user, pk, perms.DELETE_INCIDENT)
        services.incident_trash(user=request.user, incident=incident)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IncidentRestoreView(APIView):
    @extend_schema(request=None, responses=IncidentSerializer)
    def post(self, request, pk):
        incident = perms.incident_require(request.user, pk, perms.DELETE_INCIDENT, include_trashed=True)
        incident = _service(services.incident_restore, user=request.user, incident=incident)
        return Response(IncidentSerializer(incident, context=_incident_context(request.user)).data)


class IncidentPurgeView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk):
        incident = perms.incident_require(request.user, pk, perms.DELETE_INCIDENT, include_trashed=True)
        _service(services.incident_purge, user=request.user, incident=incident)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IncidentHistoryView(APIView):
    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, pk):
        incident = perms.incident_get(request.user, pk)
        return _history_response(selectors.incident_history(user=request.user, incident=incident))


class ShareSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    can_edit = serializers.BooleanField(default=False)


class IncidentShareView(APIView):
    """POST {"username", "can_edit"} shares an incident linked to no case; DELETE {"username"} unshares."""

    def _target(self, request, pk):
        incident = perms.incident_get(request.user, pk)  # the service decides who may share (its owner)
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(username=data.validated_data["username"], is_active=True).first()
        if user is None:
            raise ValidationError({"username": [gettext("No active user with this username.")]})
        return incident, user, data.validated_data

    @extend_schema(request=ShareSerializer, responses={204: None})
    def post(self, request, pk):
        incident, user, data = self._target(request, pk)
        _service(services.incident_share, actor=request.user, incident=incident, user=user, can_edit=data["can_edit"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ShareSerializer, responses={204: None})
    def delete(self, request, pk):
        incident, user, _ = self._target(request, pk)
        _service(services.incident_unshare, actor=request.user, incident=incident, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Trash ---------------------------------------------------------------------------------------------------
class TrashView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Trash", {"cases": serializers.ListField(child=serializers.DictField()),
                      "incidents": serializers.ListField(child=serializers.DictField())}
        )
    )
    def get(self, request):
        trash = selectors.trash_for(user=request.user)
        when = serializers.DateTimeField()

        def row(obj):
            return {"id": obj.pk, "title": obj.title, "deleted_at": when.to_representation(obj.deleted_at),
                    "deleted_by": obj.deleted_by.get_username() if obj.deleted_by_id else None}

        return Response({"cases": [row(c) for c in trash["cases"]], "incidents": [row(i) for i in trash["incidents"]]})
