"""API v1: requests to authorities and data controllers (API.md, "Claims, authorities, requests to authorities,
tasks"), their kinds and rules, the letter and the reply."""
from __future__ import annotations

from django.http import Http404, UnreadablePostError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.permissions import case_get
from config import serializers
from config.api import Pagination
from deadlines.models import DeadlineRule
from evidence.uploads import UploadRefused, check_content_length, install_upload_handler
from litigation import rules, selectors, services
from litigation.api.common import (
    FileAPIView,
    HistoryEntry,
    Strict,
    StrictBooleanField,
    StrictCharField,
    StrictIdField,
    document_language,
    file_response,
    service,
)
from litigation.models import AuthorityRequest
from litigation.permissions import EDIT, editable_case_ids, request_get, request_require
from litigation.services.documents import request_letter_generate


class RequestOut(serializers.ModelSerializer):
    case_title = serializers.CharField(source="case.__str__", read_only=True)
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True, default=None)
    legal_basis = serializers.CharField(source="rule.legal_basis", read_only=True, default=None)
    requester_label = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    can_edit = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = AuthorityRequest
        fields = [
            "id", "case", "case_title", "kind", "addressee", "subject", "body", "requester", "requester_label",
            "reply_to", "reference", "jurisdiction", "sent_on", "received_on", "reply_due", "rule", "rule_name",
            "legal_basis", "extended", "explanation", "replied_on", "status", "overdue", "reply_evidence", "notes",
            "created_at", "updated_at", "created_by", "can_edit", "url",
        ]

    def get_requester_label(self, req: AuthorityRequest) -> str:
        return selectors.requester_label(req.requester, identities=False)  # the pseudonym: real names stay out

    def get_overdue(self, req: AuthorityRequest) -> bool:
        return req.is_overdue()

    def get_can_edit(self, req: AuthorityRequest) -> bool:
        return req.case_id in self.context.get("editable", set())


class RequestIn(Strict):
    case = StrictIdField()
    kind = serializers.ChoiceField(choices=AuthorityRequest.Kind.choices, required=False)
    addressee = StrictCharField(max_length=300)
    subject = StrictCharField(required=False, allow_blank=True, max_length=300)
    body = StrictCharField(required=False, allow_blank=True, max_length=20000)
    requester = StrictIdField(required=False, allow_null=True)
    reply_to = StrictCharField(required=False, allow_blank=True, max_length=500)
    reference = StrictCharField(required=False, allow_blank=True, max_length=100)
    jurisdiction = StrictCharField(required=False, allow_blank=True, max_length=4)
    sent_on = serializers.DateField(required=False, allow_null=True)
    received_on = serializers.DateField(required=False, allow_null=True)
    reply_due = serializers.DateField(required=False, allow_null=True)
    rule = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=64)
    extended = StrictBooleanField(required=False)
    replied_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=AuthorityRequest.Status.choices, required=False)
    notes = StrictCharField(required=False, allow_blank=True, max_length=10000)
    reply_evidence = StrictIdField(required=False, allow_null=True)


class ReplyIn(serializers.Serializer):
    replied_on = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    refused = serializers.BooleanField(required=False, default=False)


def _context(request: Request, reqs) -> dict:
    return {"request": request, "editable": editable_case_ids(request.user, {r.case_id for r in reqs})}


def _out(request: Request, pk: int, code=status.HTTP_200_OK) -> Response:
    req = request_get(request.user, pk)
    return Response(RequestOut(req, context=_context(request, [req])).data, status=code)


class RequestKindsView(APIView):
    """The kinds of request, with the rule each starts with and the rule of its extended period."""

    @extend_schema(responses=inline_serializer("RequestKind", {
        "kind": serializers.CharField(), "name": serializers.CharField(), "rule": serializers.CharField(),
        "extended_rule": serializers.CharField(), "legal_basis": serializers.CharField(),
        "description": serializers.CharField()}, many=True))
    def get(self, request: Request) -> Response:
        found = {r.code: r for r in DeadlineRule.objects.filter(code__in=rules.REQUEST_RULE_CODES)}
        out = []
        for kind, label in AuthorityRequest.Kind.choices:
            base, ext = rules.KIND_RULES[kind]
            rule = found.get(base) if base else None
            out.append({"kind": kind, "name": str(label), "rule": base, "extended_rule": ext,
                        "legal_basis": rule.legal_basis if rule else None,
                        "description": rule.description if rule else None})
        return Response(out)


class RequestListView(APIView):
    """GET the requests on the caller's cases (``?case=``, ``?kind=``, ``?status=``, ``?overdue=true|false``,
    ``?q=``); POST logs one (``change_case`` on ``case``)."""

    @extend_schema(responses=RequestOut(many=True), parameters=[
        OpenApiParameter("case", int), OpenApiParameter("kind", str, enum=AuthorityRequest.Kind.values),
        OpenApiParameter("status", str, enum=AuthorityRequest.Status.values),
        OpenApiParameter("overdue", str, enum=["true", "false"]), OpenApiParameter("q", str)])
    def get(self, request: Request) -> Response:
        qs, filterset = selectors.request_list(user=request.user, params=request.query_params, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(RequestOut(page, many=True, context=_context(request, page)).data)

    @extend_schema(request=RequestIn, responses={201: RequestOut})
    def post(self, request: Request) -> Response:
        s = RequestIn(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        try:
            case = case_get(request.user, data.pop("case"))
        except Http404:
            raise ValidationError({"case": [_("No such case.")]}) from None
        # Who may do it is the service's to say (403 for a case the user sees but may not change).
        req = service(services.request_create, user=request.user, case=case, **data)
        return _out(request, req.pk, status.HTTP_201_CREATED)


class RequestDetailView(APIView):
    @extend_schema(responses=RequestOut)
    def get(self, request: Request, pk: int) -> Response:
        return _out(request, pk)

    @extend_schema(request=RequestIn(partial=True), responses=RequestOut)
    def patch(self, request: Request, pk: int) -> Response:
        req = request_require(request.user, pk, EDIT)
        s = RequestIn(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if "case" in data and data.pop("case") != req.case_id:
            raise ValidationError({"case": [_("A request cannot move to another case.")]})
        service(services.request_update, user=request.user, request=req, data=data)
        return _out(request, pk)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        req = request_require(request.user, pk, EDIT)
        services.request_delete(user=request.user, request=req)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RequestHistoryView(APIView):
    @extend_schema(responses=HistoryEntry(many=True))
    def get(self, request: Request, pk: int) -> Response:
        req = request_get(request.user, pk)
        return Response(selectors.request_history(user=request.user, request=req))


class RequestReplyView(APIView):
    """POST multipart ``file`` (the reply), ``replied_on``, ``title``, ``refused``: stored as evidence of the case
    (an exhibit, with its custody record), linked to the request, which becomes answered (or refused)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    _upload_handler = None

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            self._upload_handler = install_upload_handler(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            check_content_length(request)  # 413 before a byte of the body is read
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        if self._upload_handler is not None:
            self._upload_handler.abort()  # removes any temporary file not moved into storage
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": inline_serializer("RequestReply", {
        "file": serializers.FileField(), "replied_on": serializers.DateField(required=False),
        "title": serializers.CharField(required=False), "refused": serializers.BooleanField(required=False)})},
        responses={200: RequestOut})
    def post(self, request: Request, pk: int) -> Response:
        req = request_require(request.user, pk, EDIT)
        try:
            data = request.data
        except (UnreadablePostError, OSError) as exc:
            raise UploadRefused(_("The upload was interrupted.")) from exc
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ValidationError({"file": [_("No file was sent.")]})
        s = ReplyIn(data={k: data.get(k) for k in ("replied_on", "title", "refused") if data.get(k) is not None})
        s.is_valid(raise_exception=True)
        service(services.request_reply_attach, user=request.user, request=req, uploaded_file=uploaded,
                http_request=request._request, **s.validated_data)
        return _out(request, pk)


@extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
                          OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False)])
class RequestLetterDocx(FileAPIView):
    """The letter of the request, ready to sign (lead, lawyer, coordinator)."""

    def get(self, request: Request, pk: int):
        return file_response(request_letter_generate(user=request.user, request=pk,
                                                     language=document_language(request)))
