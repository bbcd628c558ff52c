"""API v1: tasks (API.md, "Claims, authorities, requests to authorities, tasks"), "my work" and the caseload."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.permissions import case_get
from config import serializers
from config.api import Pagination
from litigation import selectors, services, work
from litigation.api.common import HistoryEntry, Strict, StrictBooleanField, StrictCharField, StrictIdField, service
from litigation.models import Task
from litigation.permissions import COMPLETE_TASK, EDIT, perms_by_case, task_get, task_require


class TaskOut(serializers.ModelSerializer):
    case_title = serializers.CharField(source="case.__str__", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    overdue = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    can_complete = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "case", "case_title", "title", "notes", "assignee", "due_date", "done", "done_at", "done_by",
                  "overdue", "created_at", "updated_at", "created_by", "can_edit", "can_complete", "url"]

    def _perms(self, task: Task) -> frozenset:
        return self.context.get("perms", {}).get(task.case_id, frozenset())

    def get_overdue(self, task: Task) -> bool:
        return task.is_overdue()

    def get_can_edit(self, task: Task) -> bool:
        return EDIT in self._perms(task)

    def get_can_complete(self, task: Task) -> bool:
        user = self.context["request"].user
        return EDIT in self._perms(task) or (task.assignee_id is not None and task.assignee_id == user.pk)


class TaskIn(Strict):
    case = StrictIdField()
    title = StrictCharField(max_length=300)
    notes = StrictCharField(required=False, allow_blank=True, max_length=10000)
    assignee = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=150)
    due_date = serializers.DateField(required=False, allow_null=True)
    done = StrictBooleanField(required=False)


def _context(request: Request, tasks) -> dict:
    return {"request": request, "perms": perms_by_case(request.user, {t.case_id for t in tasks})}


def _out(request: Request, pk: int, code=status.HTTP_200_OK) -> Response:
    task = task_get(request.user, pk)
    return Response(TaskOut(task, context=_context(request, [task])).data, status=code)


class TaskListView(APIView):
    """GET tasks on the caller's cases (``?assignee=me|<username>``, ``?case=``, ``?done=``, ``?overdue=``);
    POST adds one (``change_case`` on ``case``)."""

    @extend_schema(responses=TaskOut(many=True), parameters=[
        OpenApiParameter("assignee", str), OpenApiParameter("case", int),
        OpenApiParameter("done", str, enum=["true", "false"]), OpenApiParameter("overdue", str, enum=["true", "false"])])
    def get(self, request: Request) -> Response:
        qs, filterset = selectors.task_list(user=request.user, params=request.query_params, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(TaskOut(page, many=True, context=_context(request, page)).data)

    @extend_schema(request=TaskIn, responses={201: TaskOut})
    def post(self, request: Request) -> Response:
        s = TaskIn(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        try:
            case = case_get(request.user, data.pop("case"))
        except Http404:
            raise ValidationError({"case": [_("No such case.")]}) from None
        # Who may do it is the service's to say (403 for a case the user sees but may not change).
        task = service(services.task_create, user=request.user, case=case, **data)
        return _out(request, task.pk, status.HTTP_201_CREATED)


class TaskDetailView(APIView):
    @extend_schema(responses=TaskOut)
    def get(self, request: Request, pk: int) -> Response:
        return _out(request, pk)

    @extend_schema(request=TaskIn(partial=True), responses=TaskOut)
    def patch(self, request: Request, pk: int) -> Response:
        task = task_require(request.user, pk, COMPLETE_TASK)
        s = TaskIn(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if "case" in data and data.pop("case") != task.case_id:
            raise ValidationError({"case": [_("A task cannot move to another case.")]})
        service(services.task_update, user=request.user, task=task, data=data)
        return _out(request, pk)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        task = task_require(request.user, pk, EDIT)
        services.task_delete(user=request.user, task=task)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskHistoryView(APIView):
    @extend_schema(responses=HistoryEntry(many=True))
    def get(self, request: Request, pk: int) -> Response:
        task = task_get(request.user, pk)
        return Response(selectors.task_history(user=request.user, task=task))


def _item(item: work.WorkItem) -> dict:
    return {"type": item.kind, "id": item.obj.pk, "title": item.title, "due": item.due.isoformat() if item.due else None,
            "case": item.case.pk, "case_title": str(item.case), "overdue": item.overdue, "url": item.url}


class MyWorkView(APIView):
    """The caller's work: overdue items first, then open tasks, deadlines and requests due within 30 days."""

    @extend_schema(responses=inline_serializer("MyWork", {
        "today": serializers.DateField(), "overdue": serializers.ListField(child=serializers.DictField()),
        "tasks": serializers.ListField(child=serializers.DictField()),
        "deadlines": serializers.ListField(child=serializers.DictField()),
        "requests": serializers.ListField(child=serializers.DictField())}))
    def get(self, request: Request) -> Response:
        mine = work.my_work(user=request.user)
        return Response({"today": mine.today.isoformat(), "overdue": [_item(i) for i in mine.overdue],
                         "tasks": [_item(i) for i in mine.tasks], "deadlines": [_item(i) for i in mine.deadlines],
                         "requests": [_item(i) for i in mine.requests]})


class CaseloadView(APIView):
    """For leads: the cases they lead, who works on each (role, open and overdue tasks) and what is overdue."""

    @extend_schema(responses=inline_serializer("Caseload", {
        "count": serializers.IntegerField(), "results": serializers.ListField(child=serializers.DictField())}))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(work.led_cases(user=request.user), request, view=self)
        loads = work.caseload(user=request.user, cases=list(page))
        return paginator.get_paginated_response([{
            "case": load.case.pk, "case_title": str(load.case),
            "members": [{"username": m.username, "role": m.role, "open_tasks": m.open_tasks,
                         "overdue_tasks": m.overdue_tasks} for m in load.members],
            "unassigned_tasks": load.unassigned_tasks, "overdue_tasks": load.overdue_tasks,
            "overdue_deadlines": load.overdue_deadlines, "open_requests": load.open_requests,
            "overdue_requests": load.overdue_requests,
        } for load in loads])
