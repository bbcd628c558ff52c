"""API v1 for the public intake (API.md, "Intake, import and export, statistics, map").

``POST /api/v1/intake/`` takes no authentication at all (a session cookie or token sent along is ignored, so the
report is never tied to an account); everything else is for triagers (``cases.triage_intake``), 404 for others.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Incident
from config import serializers
from evidence.api import PassthroughRenderer, download_response
from evidence.uploads import UploadRefused
from intake import permissions, services, throttle, uploads
from intake.forms import not_in_future
from intake.models import Report


class Throttled(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"


class UnsupportedFile(APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_code = "unsupported_file"


def throttled_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _("Too many reports have come from your connection. Please try again in %(minutes)d minutes; nothing "
             "of this attempt was kept.") % {"minutes": minutes}


class StrictCharField(serializers.CharField):
    """A string and nothing else: a number, boolean, list or object is a 400 (API.md, "Strict JSON types")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReportInSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField(input_formats=["iso-8601", "%Y-%m-%d"])
    location = StrictCharField(max_length=300)
    description = StrictCharField(max_length=20000)
    category = serializers.ChoiceField(choices=Incident.Category.choices, required=False,
                                       default=Incident.Category.OTHER)
    contact = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")
    consent = serializers.BooleanField()

    def __init__(self, *args, strict_json: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.strict_json = strict_json

    def to_internal_value(self, data):
        if not hasattr(data, "keys"):
            raise ValidationError({"detail": [_("Send a JSON object or a form.")]})
        unknown = sorted(k for k in data.keys() if k not in self.fields and k != "file")
        if unknown:
            raise ValidationError({k: [_("Unknown field.")] for k in unknown})
        if self.strict_json:
            if "file" in data:
                raise ValidationError({"file": [_("Send a file as multipart/form-data.")]})
            if "consent" in data and not isinstance(data["consent"], bool):
                raise ValidationError({"consent": [_("Must be true or false.")]})
            if "occurred_at" in data and not isinstance(data["occurred_at"], str):
                raise ValidationError({"occurred_at": [_("Expected a date and time as a string.")]})
            if "category" in data and not isinstance(data["category"], str):
                raise ValidationError({"category": [_("Expected a string.")]})
        return super().to_internal_value(data)

    def validate_occurred_at(self, value):
        try:
            return not_in_future(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def validate_consent(self, value):
        if value is not True:
            raise ValidationError(_("We can only keep your report with your consent."))
        return value

    def validate(self, attrs):
        for name in ("location", "description"):
            attrs[name] = attrs[name].strip()
            if not attrs[name]:
                raise ValidationError({name: [_("This field may not be blank.")]})
        attrs["contact"] = attrs.get("contact", "").strip()
        return attrs


class ReportOutSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    file = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "received_at", "occurred_at", "location", "description", "category", "contact", "consent",
                  "status", "file", "decided_by", "decided_at", "reason", "incident"]

    def get_file(self, report: Report) -> dict[str, Any] | None:
        if not report.has_file:
            return None
        return {"sha256": report.file_sha256, "size": report.file_size, "media_type": report.file_media_type,
                "filename": report.file_name}


def _service(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except services.FileRefused as exc:
        raise UnsupportedFile(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc


class IntakeView(generics.GenericAPIView):
    """POST: a report from a member of the public (no authentication) → 202 {"receipt"}.
    GET: the triage queue (``cases.triage_intake``; ``?status=new|accepted|rejected``)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = ReportOutSerializer
    _handler = None

    def get_authenticators(self):
        if self.request is not None and self.request.method == "POST":
            return []  # a public report is never tied to an account, whatever cookie or token came with it
        return super().get_authenticators()

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            self._handler = uploads.install(request)
        request = super().initialize_request(request, *args, **kwargs)
        if request.method == "POST":
            request.authenticators = ()
        return request

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def finalize_response(self, request, response, *args, **kwargs):
        if self._handler is not None:
            self._handler.abort()  # any temporary file not moved into the intake store
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(responses=ReportOutSerializer(many=True))
    def get(self, request):
        if not permissions.can_triage(request.user):
            raise NotFound(_("Not found."))
        qs = permissions.reports_for(request.user).select_related("decided_by")
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in Report.Status.values:
                raise ValidationError({"status": [_("Unknown value %(value)r.") % {"value": wanted}]})
            qs = qs.filter(status=wanted)
        page = self.paginate_queryset(qs.order_by("-id"))
        return self.get_paginated_response(ReportOutSerializer(page, many=True).data)

    @extend_schema(
        request={"application/json": ReportInSerializer, "multipart/form-data": ReportInSerializer},
        responses={202: inline_serializer("IntakeReceipt", {"receipt": serializers.CharField()})},
    )
    def post(self, request):
        wait = throttle.check(request._request)
        if wait is not None:
            raise Throttled(throttled_message(wait))
        try:
            uploads.check_content_length(request._request)
            data = request.data
        except (UnreadablePostError, MultiPartParserError, OSError) as exc:
            raise UploadRefused(_("The upload was interrupted.")) from exc
        uploaded = self._handler.received if self._handler is not None else None
        if uploaded is None and "file" in getattr(request, "FILES", {}):
            raise UploadRefused(_("The file could not be read."))
        serializer = ReportInSerializer(data=data, strict_json=request.content_type.startswith("application/json"))
        serializer.is_valid(raise_exception=True)
        spooled = None
        if uploaded is not None:
            spooled = uploaded.spooled()
            self._handler.received = None  # the service owns the temporary file from here on
        receipt = _service(services.report_submit, data=dict(serializer.validated_data), spooled=spooled,
                           filename=getattr(uploaded, "name", ""))
        return Response({"receipt": receipt}, status=status.HTTP_202_ACCEPTED)


class ReportDetailView(APIView):
    @extend_schema(responses=ReportOutSerializer)
    def get(self, request, pk):
        return Response(ReportOutSerializer(permissions.report_require(request.user, pk)).data)


class AcceptSerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    title = StrictCharField(required=False, allow_blank=True, max_length=300)


class ReportAcceptView(APIView):
    @extend_schema(request=AcceptSerializer,
                   responses={201: inline_serializer("IntakeAccepted", {"incident": serializers.IntegerField()})})
    def post(self, request, pk):
        report = permissions.report_require(request.user, pk)
        data = AcceptSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        case = _service(services.accept_case, request.user, data.validated_data.get("case"))
        incident = _service(services.report_accept, user=request.user, report=report, case=case,
                            title=data.validated_data.get("title", ""), request=request._request)
        return Response({"incident": incident.pk}, status=status.HTTP_201_CREATED)


class RejectSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=5000)


class ReportRejectView(APIView):
    @extend_schema(request=RejectSerializer, responses=ReportOutSerializer)
    def post(self, request, pk):
        report = permissions.report_require(request.user, pk)
        data = RejectSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        report = _service(services.report_reject, user=request.user, report=report,
                          reason=data.validated_data["reason"])
        return Response(ReportOutSerializer(report).data)


class ReportFileView(APIView):
    """The file sent with a report, for a triager to look at before deciding (an attachment, never a page)."""

    renderer_classes = [JSONRenderer, PassthroughRenderer]  # errors as JSON, the file as itself

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        from intake import storage

        report = permissions.report_require(request.user, pk)
        if not report.has_file or not storage.exists(report.file_sha256):
            raise NotFound(_("This report has no file waiting for triage."))
        from evidence.api import StoredFileMismatch
        from evidence.storage import IntegrityMismatch, VerifiedBlob

        proxy = _FileInfo(report)
        blob = VerifiedBlob(report.file_sha256, report.file_size or 0, file=storage.open_file(report.file_sha256))
        try:
            blob.prime()  # a file that no longer matches its digest is refused before the first byte
        except IntegrityMismatch:
            raise StoredFileMismatch() from None
        return download_response(proxy, blob)


class _FileInfo:
    def __init__(self, report: Report) -> None:
        self.pk = report.pk
        self.original_filename = report.file_name or f"report-{report.pk}"
        self.media_type = report.file_media_type
        self.sha256 = report.file_sha256
        self.size = report.file_size or 0

