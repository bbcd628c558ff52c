"""API v1: proceedings, parties, persons (merge) and the persons involved in incidents."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions as perms
from cases import selectors, services, services_persons
from cases.models import IncidentPerson, Party, Person, Proceeding
from config import serializers

User = get_user_model()
from cases.api.common import StrictSerializerMixin, _service
from cases.api.cases import _pop_version, _version_field

# --- Proceedings, parties, persons ---------------------------------------------------------------------------
class ProceedingSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Proceeding
        fields = ["id", "case", "stage", "court", "case_number", "judge", "filed_on", "hearing_on", "decided_on",
                  "outcome", "created_at"]
        read_only_fields = ["id", "case", "created_at"]

    ignored_fields = ("id", "case", "created_at")

    def validate(self, attrs):
        filed = attrs.get("filed_on", getattr(self.instance, "filed_on", None))
        decided = attrs.get("decided_on", getattr(self.instance, "decided_on", None))
        if filed and decided and decided < filed:
            raise ValidationError({"decided_on": [gettext("A decision cannot come before the filing.")]})
        return attrs


class CaseProceedingsView(APIView):
    @extend_schema(responses=ProceedingSerializer(many=True))
    def get(self, request, pk):
        case = perms.case_get(request.user, pk)
        return Response(ProceedingSerializer(selectors.proceedings_of(case=case), many=True).data)

    @extend_schema(request=ProceedingSerializer, responses={201: ProceedingSerializer})
    def post(self, request, pk):
        case = perms.case_require(request.user, pk, perms.CHANGE_CASE)
        data = ProceedingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proceeding = _service(services.proceeding_create, user=request.user, case=case, **data.validated_data)
        return Response(ProceedingSerializer(proceeding).data, status=status.HTTP_201_CREATED)


class ProceedingDetailView(APIView):
    def _get(self, request, pk, perm):
        return perms.proceeding_require(request.user, pk, perm)

    @extend_schema(responses=ProceedingSerializer)
    def get(self, request, pk):
        return Response(ProceedingSerializer(self._get(request, pk, perms.VIEW_CASE)).data)

    @extend_schema(request=ProceedingSerializer, responses=ProceedingSerializer)
    def patch(self, request, pk):
        proceeding = self._get(request, pk, perms.CHANGE_CASE)
        data = ProceedingSerializer(proceeding, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        proceeding = _service(services.proceeding_update, user=request.user, proceeding=proceeding,
                              data=data.validated_data)
        return Response(ProceedingSerializer(proceeding).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        proceeding = self._get(request, pk, perms.CHANGE_CASE)
        services.proceeding_delete(user=request.user, proceeding=proceeding)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    version = _version_field()

    class Meta:
        model = Person
        fields = ["id", "pseudonym", "real_name", "contacts", "consent_given", "consent_date", "consent_scope",
                  "erased_at", "version", "created_at"]
        read_only_fields = ["id", "erased_at", "created_at"]

    ignored_fields = ("id", "erased_at", "created_at")

    def validate(self, attrs):
        given = attrs.get("consent_given", getattr(self.instance, "consent_given", False))
        if attrs.get("consent_date") and not given:
            raise ValidationError({"consent_date": [gettext("A consent date needs consent to be given.")]})
        return attrs

    def to_representation(self, person: Person) -> dict[str, Any]:
        data = super().to_representation(person)
        if person.pk not in self.context.get("identity_ids", frozenset()):
            for name in Person.IDENTITY_FIELDS:
                data.pop(name, None)
        return data


class PartySerializer(StrictSerializerMixin, serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", required=False, allow_null=True, min_value=1)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Party
        fields = ["id", "case", "role", "name", "person", "display_name", "notes"]
        read_only_fields = ["id", "case", "display_name"]

    ignored_fields = ("id", "case", "display_name")


class CasePartiesView(APIView):
    @extend_schema(responses=PartySerializer(many=True))
    def get(self, request, pk):
        case = perms.case_get(request.user, pk)
        return Response(PartySerializer(selectors.parties_of(case=case), many=True).data)

    @extend_schema(request=PartySerializer, responses={201: PartySerializer})
    def post(self, request, pk):
        case = perms.case_require(request.user, pk, perms.CHANGE_CASE)
        data = PartySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person_id = fields.pop("person_id", None)
        person = perms.person_get(request.user, person_id) if person_id is not None else None
        if not fields.get("name") and person is None:
            raise ValidationError({"name": [gettext("A party needs a name or a person.")]})
        party = _service(services.party_create, user=request.user, case=case, person=person, **fields)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)


class PersonListView(generics.GenericAPIView):
    serializer_class = PersonSerializer

    def get_queryset(self):
        return perms.persons_for(self.request.user).order_by("pseudonym", "id")

    @extend_schema(responses=PersonSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        ids = perms.person_identity_ids(request.user, [p.pk for p in page])
        return self.get_paginated_response(PersonSerializer(page, many=True, context={"identity_ids": ids}).data)

    @extend_schema(request=PersonSerializer, responses={201: PersonSerializer})
    def post(self, request):
        data = PersonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        _pop_version(fields)
        person = _service(services.person_create, user=request.user, **fields)
        return Response(PersonSerializer(person, context={"identity_ids": {person.pk}}).data,
                        status=status.HTTP_201_CREATED)


class PersonDetailView(APIView):
    @extend_schema(responses=PersonSerializer)
    def get(self, request, pk):
        person = perms.person_get(request.user, pk)
        ids = perms.person_identity_ids(request.user, [person.pk])
        return Response(PersonSerializer(person, context={"identity_ids": ids}).data)

    @extend_schema(request=PersonSerializer, responses=PersonSerializer)
    def patch(self, request, pk):
        person = perms.person_require(request.user, pk, perms.PERSON_EDIT)
        ids = perms.person_identity_ids(request.user, [person.pk])
        data = PersonSerializer(person, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = _pop_version(fields)
        person = _service(services.person_update, user=request.user, person=person, data=fields,
                          expected_version=expected)
        return Response(PersonSerializer(person, context={"identity_ids": ids}).data)


class PersonMergeSerializer(StrictSerializerMixin, serializers.Serializer):
    into = serializers.IntegerField(min_value=1, max_value=perms.MAX_ID,
                                    help_text="The id of the person to keep; this one is merged into it and removed.")

    ignored_fields = ()

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("into"), (bool, str, float)):
            raise ValidationError({"into": [gettext("A person id (a whole number).")]})
        return super().to_internal_value(data)


class PersonMergeView(APIView):
    """POST {"into": id}: merge this person (a duplicate) into ``into`` (cases.services_persons.person_merge).
    404 when either person is hidden from the caller, 403 when both are visible but the merge is not theirs."""

    @extend_schema(request=PersonMergeSerializer, responses={200: PersonSerializer})
    def post(self, request, pk):
        drop = perms.person_get(request.user, pk)
        data = PersonMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keep = perms.person_get(request.user, data.validated_data["into"])
        keep = _service(services_persons.person_merge, user=request.user, keep=keep, drop=drop)
        ids = perms.person_identity_ids(request.user, [keep.pk])
        return Response(PersonSerializer(keep, context={"identity_ids": ids}).data)


class InvolvementSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", min_value=1)
    pseudonym = serializers.CharField(source="person.pseudonym", read_only=True)

    class Meta:
        model = IncidentPerson
        fields = ["id", "person", "pseudonym", "part", "notes"]
        read_only_fields = ["id", "pseudonym"]

    ignored_fields = ("id", "pseudonym")


class IncidentPersonsView(APIView):
    @extend_schema(responses=InvolvementSerializer(many=True))
    def get(self, request, pk):
        incident = perms.incident_get(request.user, pk)
        return Response(InvolvementSerializer(selectors.involvements_of(incident=incident), many=True).data)

    @extend_schema(request=InvolvementSerializer, responses={201: InvolvementSerializer})
    def post(self, request, pk):
        incident = perms.incident_require(request.user, pk, perms.CHANGE_INCIDENT)
        data = InvolvementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person = perms.person_get(request.user, fields.pop("person_id"))
        involvement = _service(services.incident_person_add, user=request.user, incident=incident, person=person,
                               **fields)
        return Response(InvolvementSerializer(involvement).data, status=status.HTTP_201_CREATED)
