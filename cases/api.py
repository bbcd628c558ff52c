"""API v1 for accounts, cases, members, history, incidents, proceedings, parties and persons (API.md).

Each view parses input with a small serializer, asks ``cases.permissions`` for the object (404 when the caller may
not view it, 403 when they may view it but not act), calls one service or selector, and renders the output.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions as perms
from cases import selectors, services, services_persons
from cases.models import Case, Incident, IncidentPerson, Party, Person, Proceeding, Role, validate_jurisdiction
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


# --- Accounts (sign-in, sign-out and password changes are in accounts/api.py) -----------------------------------
class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class UserOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()


class UserCreateView(APIView):
    """Staff create accounts; everyone else gets 403."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=UserCreateSerializer, responses={201: UserOutSerializer})
    def post(self, request):
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if User.objects.filter(username__iexact=data.validated_data["username"]).exists():
            raise ValidationError({"username": [gettext("A user with that username already exists.")]})
        user = _service(services.user_create, **data.validated_data)
        return Response(UserOutSerializer(user).data, status=status.HTTP_201_CREATED)


# --- Cases ---------------------------------------------------------------------------------------------------
VERSION_HELP = ("On PATCH: the version you edited. If the object has been saved since, the answer is 409 with "
                "current_version and nothing changes; without it, the change is applied as it comes.")


def _version_field():
    return serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text=VERSION_HELP)


def _pop_version(data: dict) -> int | None:
    return dict.pop(data, "version", None) if isinstance(data, dict) else None


class CaseSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    version = _version_field()
    jurisdiction = serializers.CharField(
        max_length=4, required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 code or ECHR."
    )

    class Meta:
        model = Case
        fields = ["id", "title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes",
                  "legal_hold", "two_factor_required", "version", "created_at", "updated_at", "role"]
        read_only_fields = ["id", "created_at", "updated_at", "role"]

    ignored_fields = ("id", "created_at", "updated_at", "role")

    def get_role(self, case: Case) -> str | None:
        roles = self.context.get("roles") or {}
        return roles.get(case.pk)

    def validate_jurisdiction(self, value: str) -> str:
        value = value.strip().upper()
        try:
            validate_jurisdiction(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return value

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        perm_map = self.context.get("perms") or {}
        if perms.VIEW_PRIVILEGED not in perm_map.get(case.pk, frozenset()):
            data.pop("privileged_notes", None)
        return data


def _case_context(user, cases: list[Case]) -> dict[str, Any]:
    ids = [c.pk for c in cases]
    roles: dict[int, str] = {}
    for case in cases:
        mine = getattr(case, "my_membership", None)
        if mine is not None:
            roles[case.pk] = mine[0].role if mine else None
    if len(roles) < len(ids):
        roles.update(
            dict(
                Case.memberships.rel.related_model.objects.filter(case_id__in=ids, user=user).values_list(
                    "case_id", "role"
                )
            )
        )
    return {"perms": perms.case_perms_map(user, ids), "roles": roles}


class CaseListView(generics.GenericAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        from cases.filters import CaseFilter

        return selectors.case_list_counted(CaseFilter, self.request.query_params, user=self.request.user)[1]

    @extend_schema(responses=CaseSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            CaseSerializer(page, many=True, context=_case_context(request.user, page)).data
        )

    @extend_schema(request=CaseSerializer, responses={201: CaseSerializer})
    def post(self, request):
        data = CaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        _pop_version(fields)
        case = _service(services.case_create, user=request.user, **fields)
        return Response(
            CaseSerializer(case, context=_case_context(request.user, [case])).data, status=status.HTTP_201_CREATED
        )


class CaseDetailView(APIView):
    serializer_class = CaseSerializer

    @extend_schema(responses=CaseSerializer)
    def get(self, request, pk):
        case = perms.case_get(request.user, pk)
        return Response(CaseSerializer(case, context=_case_context(request.user, [case])).data)

    @extend_schema(request=CaseSerializer, responses=CaseSerializer)
    def patch(self, request, pk):
        case = perms.case_require(request.user, pk, perms.CHANGE_CASE)
        data = CaseSerializer(case, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = _pop_version(fields)
        case = _service(services.case_update, user=request.user, case=case, data=fields, expected_version=expected)
        return Response(CaseSerializer(case, context=_case_context(request.user, [case])).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        case = perms.case_require(request.user, pk, perms.DELETE_CASE)
        services.case_trash(user=request.user, case=case)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseRestoreView(APIView):
    """POST: bring a case back from the trash (lead)."""

    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request, pk):
        case = perms.case_require(request.user, pk, perms.DELETE_CASE, include_trashed=True)
        case = _service(services.case_restore, user=request.user, case=case)
        return Response(CaseSerializer(case, context=_case_context(request.user, [case])).data)


class CasePurgeView(APIView):
    """POST: delete a trashed case for good (lead or superuser). The history keeps the deletion."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk):
        case = perms.case_require(request.user, pk, perms.DELETE_CASE, include_trashed=True)
        _service(services.case_purge, user=request.user, case=case)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberOutSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    role = serializers.CharField()
    added_at = serializers.DateTimeField()


class CaseMembersView(APIView):
    @extend_schema(responses=MemberOutSerializer(many=True))
    def get(self, request, pk):
        case = perms.case_get(request.user, pk)
        return Response(MemberOutSerializer(selectors.members_of(case=case), many=True).data)

    @extend_schema(request=MemberSerializer, responses={201: MemberOutSerializer, 200: MemberOutSerializer})
    def post(self, request, pk):
        case = perms.case_require(request.user, pk, perms.MANAGE_MEMBERS)
        data = MemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = User.objects.filter(username=data.validated_data["username"], is_active=True).first()
        if user is None:
            raise ValidationError({"username": [gettext("No active user with this username.")]})
        existed = case.memberships.filter(user=user).exists()
        membership = _service(
            services.member_set, actor=request.user, case=case, user=user, role=data.validated_data["role"]
        )
        return Response(
            MemberOutSerializer(membership).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class CaseMemberDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk, username):
        case = perms.case_require(request.user, pk, perms.MANAGE_MEMBERS)
        user = User.objects.filter(username=username).first()
        if user is None or not case.memberships.filter(user=user).exists():
            raise ValidationError({"username": [gettext("This user is not a member of the case.")]})
        _service(services.member_remove, actor=request.user, case=case, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


class CaseHistoryView(APIView):
    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, pk):
        case = perms.case_get(request.user, pk)
        return _history_response(selectors.case_history(user=request.user, case=case))


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


__all__ = [name for name in dir() if name.endswith("View")]
_ = OpenApiResponse  # re-exported for schema extensions in other modules
