"""API v1: ``POST /api/v1/persons/{id}/erase/`` (API.md, "Accounts, sessions, data protection, operations")."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions
from privacy import services
from privacy.models import ErasureRecord


class EraseInSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=ErasureRecord.Ground.choices, default=ErasureRecord.Ground.REQUEST)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PersonEraseView(APIView):
    """Erase a person's identity (a lead or lawyer of every case they are in): 200, or 409 {"detail", "case"} naming
    the case whose legal hold prevents it. Both are recorded."""

    @extend_schema(request=EraseInSerializer, responses={200: inline_serializer("Erasure", {
        "person": serializers.IntegerField(), "erased_at": serializers.DateTimeField(),
        "history_rows": serializers.IntegerField(), "record": serializers.IntegerField()})})
    def post(self, request, pk):
        person = permissions.person_get(request.user, pk)
        data = EraseInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.person_erase(user=request.user, person=person, **data.validated_data)
        person.refresh_from_db()
        return Response({
            "person": person.pk, "erased_at": serializers.DateTimeField().to_representation(person.erased_at),
            "history_rows": record.history_rows, "record": record.pk,
        })
