"""API v1 for deadlines (API.md, "Deadlines"). Thin: parse, check access, call one service or selector."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Proceeding
from cases.permissions import case_get
from config import serializers
from config.api import Pagination
from deadlines import engine, selectors, services
from deadlines.models import Deadline, DeadlineRule
from deadlines.permissions import VIEW_CASE, can_edit, deadline_get, editable_case_ids

MAX_ID = 2**63 - 1


# --- Serializers ---------------------------------------------------------------------------------------------
class RuleOut(serializers.ModelSerializer):
    class Meta:
        model = DeadlineRule
        fields = [
            "code", "name", "jurisdiction", "description", "unit", "amount", "start", "roll_forward", "legal_basis",
            "counting_basis", "trigger_label", "valid_from",
        ]


class DeadlineOut(serializers.ModelSerializer):
    case_title = serializers.CharField(source="case.__str__", read_only=True)
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rule_name = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    responsible = serializers.SlugRelatedField(slug_field="username", read_only=True)
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    overdue = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Deadline
        fields = [
            "id", "case", "case_title", "proceeding", "title", "kind", "due_date", "due_time", "rule", "rule_name",
            "trigger_date", "status", "overdue", "explanation", "responsible", "notes", "completed_at",
            "completed_by", "created_at", "updated_at", "can_edit", "url", "version",
        ]

    def get_overdue(self, obj: Deadline) -> bool:
        return obj.is_overdue(self.context.get("today"))

    def get_rule_name(self, obj: Deadline) -> str | None:
        return engine.rule_text(obj.rule.name) if obj.rule_id else None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_explanation(self, obj: Deadline) -> list:
        """The steps worded in the request's language, from their structured data."""
        return engine.render_steps(obj.explanation)

    def get_can_edit(self, obj: Deadline) -> bool:
        return obj.case_id in self.context.get("editable", set())


class DeadlineIn(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=Deadline.Kind.choices, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    due_time = serializers.TimeField(required=False, allow_null=True)
    rule = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64)
    trigger_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Deadline.Status.choices, required=False)
    responsible = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=150)
    proceeding = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="On PATCH: the version you edited; if the deadline has changed since, 409 and nothing changes.")


class PreviewIn(serializers.Serializer):
    rule = serializers.CharField(max_length=64)
    trigger_date = serializers.DateField()


def _resolve(data: dict, case) -> dict:
    """Turn API values (usernames, ids) into model values; the same answer for missing and not allowed."""
    data = dict(data)
    data.pop("case", None)
    if data.get("responsible"):
        user = selectors.user_by_username(data["responsible"])
        if user is None:
            raise ValidationError({"responsible": [_("The responsible person must be a member of the case.")]})
        data["responsible"] = user
    elif "responsible" in data:
        data["responsible"] = None
    if data.get("proceeding"):
        proceeding = Proceeding.objects.filter(pk=data["proceeding"], case=case).first()
        if proceeding is None:
            raise ValidationError({"proceeding": [_("No such proceeding on this case.")]})
        data["proceeding"] = proceeding
    return data


def _context(request: Request, deadlines) -> dict:
    return {"request": request, "editable": editable_case_ids(request.user, {d.case_id for d in deadlines})}


# --- Views ---------------------------------------------------------------------------------------------------
class RuleListView(APIView):
    @extend_schema(responses=RuleOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(RuleOut(selectors.rule_list(), many=True).data)


class RulePreviewView(APIView):
    """The due date a rule gives for a trigger date, with the explanation (used by the deadline form)."""

    def _preview(self, data) -> Response:
        s = PreviewIn(data=data)
        s.is_valid(raise_exception=True)
        rule = services.rule_get(s.validated_data["rule"])
        result = services.deadline_compute(rule=rule, trigger_date=s.validated_data["trigger_date"])
        return Response({
            "rule": rule.code, "trigger_date": s.validated_data["trigger_date"].isoformat(),
            "due_date": result.due_date.isoformat(), "explanation": result.steps, "warnings": result.warnings,
        })

    @extend_schema(request=PreviewIn, responses=inline_serializer("DeadlinePreview", {
        "rule": serializers.CharField(), "trigger_date": serializers.DateField(), "due_date": serializers.DateField(),
        "explanation": serializers.ListField(child=serializers.DictField()),
        "warnings": serializers.ListField(child=serializers.CharField())}))
    def post(self, request: Request) -> Response:
        return self._preview(request.data)

    @extend_schema(parameters=[PreviewIn], responses={200: None})
    def get(self, request: Request) -> Response:
        return self._preview(request.query_params)


class DeadlineListView(APIView):
    @extend_schema(responses=DeadlineOut(many=True))
    def get(self, request: Request) -> Response:
        case_id = request.query_params.get("case")
        status_ = request.query_params.get("status")
        if case_id not in (None, ""):
            try:
                case_id = int(case_id)
                if not 0 < case_id <= MAX_ID:
                    raise ValueError
            except ValueError:
                raise ValidationError({"case": [_("A case id is a positive whole number.")]}) from None
        else:
            case_id = None
        if status_ and status_ not in Deadline.Status.values:
            choices = ", ".join(Deadline.Status.values)
            raise ValidationError({"status": [_("Choose one of %(values)s.") % {"values": choices}]})
        qs = selectors.deadline_list(user=request.user, case_id=case_id, status=status_ or None)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DeadlineOut(page, many=True, context=_context(request, page)).data)

    @extend_schema(request=DeadlineIn, responses={201: DeadlineOut})
    def post(self, request: Request) -> Response:
        s = DeadlineIn(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            case = case_get(request.user, s.validated_data["case"], VIEW_CASE)
        except Http404:
            raise ValidationError({"case": [_("No such case.")]}) from None
        if not can_edit(request.user, case):
            raise PermissionDenied(_("You may not add deadlines to this case."))
        data = _resolve(s.validated_data, case)
        data.pop("version", None)
        deadline = services.deadline_create(user=request.user, case=case, **data)
        deadline = deadline_get(request.user, deadline.pk)
        return Response(DeadlineOut(deadline, context=_context(request, [deadline])).data,
                        status=status.HTTP_201_CREATED)


class DeadlineDetailView(APIView):
    def _editable(self, request: Request, pk) -> Deadline:
        deadline = deadline_get(request.user, pk, VIEW_CASE)  # 404 if not visible
        if not can_edit(request.user, deadline.case):
            raise PermissionDenied(_("You may not change the deadlines of this case."))
        return deadline

    @extend_schema(responses=DeadlineOut)
    def get(self, request: Request, pk: int) -> Response:
        deadline = deadline_get(request.user, pk, VIEW_CASE)
        return Response(DeadlineOut(deadline, context=_context(request, [deadline])).data)

    @extend_schema(request=DeadlineIn(partial=True), responses=DeadlineOut)
    def patch(self, request: Request, pk: int) -> Response:
        deadline = self._editable(request, pk)
        s = DeadlineIn(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        if "case" in s.validated_data and s.validated_data["case"] != deadline.case_id:
            raise ValidationError({"case": [_("A deadline cannot move to another case.")]})
        data = _resolve(s.validated_data, deadline.case)
        expected = data.pop("version", None)
        services.deadline_update(user=request.user, deadline=deadline, data=data, expected_version=expected)
        deadline = deadline_get(request.user, pk)
        return Response(DeadlineOut(deadline, context=_context(request, [deadline])).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        deadline = self._editable(request, pk)
        services.deadline_delete(user=request.user, deadline=deadline)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeadlineHistoryEntry(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


class DeadlineHistoryView(APIView):
    @extend_schema(responses=DeadlineHistoryEntry(many=True))
    def get(self, request: Request, pk: int) -> Response:
        deadline = deadline_get(request.user, pk, VIEW_CASE)
        return Response(selectors.deadline_history(deadline=deadline))


class ReminderPreferenceIO(serializers.Serializer):
    lead_days = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=365), max_length=10)
    email_enabled = serializers.BooleanField(default=True)


class ReminderPreferenceView(APIView):
    """The caller's reminder lead times (days before the due date) and whether e-mail is on."""

    @extend_schema(responses=ReminderPreferenceIO)
    def get(self, request: Request) -> Response:
        pref = services.reminder_preference_get(user=request.user)
        return Response({"lead_days": pref.lead_days, "email_enabled": pref.email_enabled})

    @extend_schema(request=ReminderPreferenceIO, responses=ReminderPreferenceIO)
    def put(self, request: Request) -> Response:
        s = ReminderPreferenceIO(data=request.data)
        s.is_valid(raise_exception=True)
        pref = services.reminder_preference_set(user=request.user, **s.validated_data)
        return Response({"lead_days": pref.lead_days, "email_enabled": pref.email_enabled})


class CalendarView(APIView):
    """``GET`` → the caller's private feed URL; ``DELETE`` (or ``POST revoke/``) → a new URL, the old one dies."""

    @extend_schema(responses=inline_serializer("CalendarUrl", {"url": serializers.URLField()}))
    def get(self, request: Request) -> Response:
        feed = services.calendar_feed_get_or_create(user=request.user)
        return Response({"url": selectors.feed_url(feed, request)})

    @extend_schema(responses=inline_serializer("CalendarUrlRevoked", {"url": serializers.URLField()}))
    def delete(self, request: Request) -> Response:
        feed = services.calendar_feed_revoke(user=request.user)
        return Response({"url": selectors.feed_url(feed, request)})


class CalendarRevokeView(APIView):
    @extend_schema(request=None, responses=inline_serializer("CalendarUrlNew", {"url": serializers.URLField()}))
    def post(self, request: Request) -> Response:
        feed = services.calendar_feed_revoke(user=request.user)
        return Response({"url": selectors.feed_url(feed, request)})

