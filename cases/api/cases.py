"""API v1: users (staff), cases, members and the case history."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions as perms
from cases import selectors, services
from cases.models import Case, Role, validate_jurisdiction
from config import serializers

User = get_user_model()
from cases.api.common import HistoryEntrySerializer, StrictSerializerMixin, _history_response, _service

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


class CaseHistoryView(APIView):
    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, pk):
        case = perms.case_get(request.user, pk)
        return _history_response(selectors.case_history(user=request.user, case=case))
