"""API v1 for evidence (API.md, "Evidence"): upload, list, detail, download, custody, verify.

Uploads are parsed by ``evidence.uploads.EvidenceUploadHandler`` only (streamed to disk while hashed, refused
past ``DOCKET_MAX_UPLOAD_BYTES`` with 413 before anything is stored). 404 when the caller may not view the item,
case or incident (and for a restricted download they may not make); 403 when they may view it but not act.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, QueryDict, StreamingHttpResponse, UnreadablePostError
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions as cp
from config import serializers
from config.api import JSONParser
from config.inputs import id_message, parse_id
from evidence import permissions as ep
from evidence import selectors, services
from evidence.models import CustodyEvent, EvidenceItem
from evidence.storage import IntegrityMismatch, VerifiedBlob
from evidence.uploads import UploadRefused, check_content_length, install_upload_handler, safe_download_type


def _service(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc


def _int_or_none(value, field: str) -> int | None:
    """An optional id from a query string or a form body: absent → None; not an id 1 … 2**63-1 → 400."""
    if value in (None, ""):
        return None
    number = parse_id(value)
    if number is None:
        raise ValidationError({field: [id_message()]})
    return number


def _form_fields(data, skip: tuple[str, ...]) -> QueryDict | dict:
    """The descriptive fields of an upload. A form body stays a QueryDict (its values are strings by nature,
    parsed as such by ``config.serializers``); a JSON body stays a dict (strict JSON types)."""
    if hasattr(data, "getlist"):
        fields = QueryDict(mutable=True)
        for key in data:
            if key not in skip:
                fields.setlist(key, [v for v in data.getlist(key) if isinstance(v, str)])
        return fields
    return {k: v for k, v in data.items() if k not in skip}


# --- Output ----------------------------------------------------------------------------------------------------
class ExhibitOutSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case_id")
    number = serializers.IntegerField()


class EvidenceOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    source = serializers.CharField()
    obtained_at = serializers.DateTimeField(allow_null=True)
    obtained_by = serializers.CharField()
    restricted = serializers.BooleanField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    media_type = serializers.CharField()
    original_filename = serializers.CharField()
    exhibit_number = serializers.SerializerMethodField()
    exhibits = serializers.SerializerMethodField()
    incidents = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    created_by = serializers.SerializerMethodField()
    extraction_state = serializers.CharField()
    extraction_error = serializers.CharField()
    metadata = serializers.JSONField()
    can_download = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    trashed = serializers.SerializerMethodField()

    def _perms(self, item) -> frozenset[str]:
        return self.context.get("perms", {}).get(item.pk, frozenset())

    def get_exhibit_number(self, item) -> int | None:
        exhibit = getattr(item, "exhibit", None)
        if exhibit is not None:
            return exhibit.number
        exhibits = getattr(item, "visible_exhibits", [])
        wanted = self.context.get("case")
        if wanted is not None:
            for ex in exhibits:
                if ex.case_id == wanted:
                    return ex.number
        return exhibits[0].number if exhibits else None

    def get_exhibits(self, item) -> list[dict]:
        return [{"case": ex.case_id, "number": ex.number} for ex in getattr(item, "visible_exhibits", [])]

    def get_incidents(self, item) -> list[int]:
        return [inc.pk for inc in getattr(item, "visible_incidents", [])]

    def get_created_by(self, item) -> str | None:
        return item.created_by.get_username() if item.created_by_id else None

    def get_can_download(self, item) -> bool:
        return ep.DOWNLOAD in self._perms(item)

    def get_can_edit(self, item) -> bool:
        return ep.EDIT in self._perms(item)

    def get_trashed(self, item) -> bool:
        return item.deleted_at is not None

    # Derived data follow the bytes: only for those who may download the item. In a list, a restricted item's
    # derived data are left out even for them (reading them is a custody event: open the item).
    DERIVED_FIELDS = ("metadata", "extraction_error", "extracted_text_chars")
    show_restricted_derived = False

    def to_representation(self, item) -> dict[str, Any]:
        data = super().to_representation(item)
        allowed = ep.DOWNLOAD in self._perms(item) and (not item.restricted or self.show_restricted_derived)
        if not allowed:
            for name in self.DERIVED_FIELDS:
                data.pop(name, None)
        return data


class EvidenceDetailOutSerializer(EvidenceOutSerializer):
    duplicate_of = serializers.SerializerMethodField()
    extracted_text_chars = serializers.SerializerMethodField()
    show_restricted_derived = True

    def get_duplicate_of(self, item) -> int | None:
        if hasattr(item, "duplicate_of"):
            return item.duplicate_of
        return selectors.duplicate_of(user=self.context["user"], item=item)

    def get_extracted_text_chars(self, item) -> int:
        return len(item.extracted_text or "")


def _reload(user, pk: int, *, include_trashed: bool = False) -> EvidenceItem:
    item = (
        EvidenceItem.objects.filter(pk=pk)
        .select_related("created_by")
        .prefetch_related(selectors.visible_exhibits_prefetch(user), selectors.visible_incidents_prefetch(user))
        .first()
    )
    if item is None:
        raise Http404
    return item


def _detail(request, item: EvidenceItem, *, status_code: int = 200, extra: dict | None = None) -> Response:
    fresh = _reload(request.user, item.pk)
    for attr in ("duplicate_of", "exhibit"):
        if hasattr(item, attr):
            setattr(fresh, attr, getattr(item, attr))
    context = {"perms": ep.evidence_perms_map(request.user, [item.pk]), "user": request.user}
    data = EvidenceDetailOutSerializer(fresh, context=context).data
    if fresh.restricted and data.get("metadata"):
        services.evidence_derived_read(user=request.user, item=fresh, what=["metadata"], request=request._request)
    if extra:
        data.update(extra)
    return Response(data, status=status_code)


# --- Input -----------------------------------------------------------------------------------------------------
class EvidenceFieldsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=EvidenceItem.Kind.choices, required=False)
    source = serializers.CharField(max_length=500, required=False, allow_blank=True)
    obtained_at = serializers.DateTimeField(required=False, allow_null=True)
    obtained_by = serializers.CharField(max_length=300, required=False, allow_blank=True)
    restricted = serializers.BooleanField(required=False)

    def to_internal_value(self, data):
        known = set(self.fields) | self.context.get("also", set())
        unknown = sorted(k for k in data if k not in known)
        if unknown:
            raise ValidationError({k: [_("Unknown field.")] for k in unknown})
        return super().to_internal_value(data)


def _uploads_target(user, *, case_id: int | None, incident_id: int | None) -> None:
    """404 for a case/incident the user cannot view; 403 when they can view it but not add evidence to it."""
    if case_id is None and incident_id is None:
        raise ValidationError({"case": [_("Give the case or the incident the evidence belongs to.")]})
    if case_id is not None:
        perms = cp.case_perms_map(user, [case_id])[case_id] if cp.cases_for(user).filter(pk=case_id).exists() else None
        if perms is None:
            raise NotFound(_("No such case."))
        if cp.EDIT_EVIDENCE not in perms:
            raise PermissionDenied(_("Your role may not add evidence to this case."))
    if incident_id is not None:
        if not cp.incidents_for(user).filter(pk=incident_id).exists():
            raise NotFound(_("No such incident."))
        if cp.CHANGE_INCIDENT not in cp.incident_perms_map(user, [incident_id])[incident_id]:
            raise PermissionDenied(_("You may not add evidence to this incident."))


class EvidenceListView(generics.GenericAPIView):
    """GET: the evidence the caller may view (``?case=``, ``?incident=``, ``?trashed=1``).
    POST multipart: ``file`` (required), ``title``, ``description``, ``case`` and/or ``incident`` → 201."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = EvidenceOutSerializer
    _upload_handler = None

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            self._upload_handler = install_upload_handler(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            check_content_length(request)  # 413 before a byte of the body is read
        super().initial(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._upload_handler is not None:  # even when an unexpected error escapes the view
                self._upload_handler.abort()

    def finalize_response(self, request, response, *args, **kwargs):
        if self._upload_handler is not None:
            self._upload_handler.abort()  # removes any temporary file not moved into storage
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(operation_id="evidence_list", parameters=[
        OpenApiParameter("case", int), OpenApiParameter("incident", int), OpenApiParameter("trashed", bool),
    ])
    def get(self, request):
        case_id = _int_or_none(request.query_params.get("case"), "case")
        incident_id = _int_or_none(request.query_params.get("incident"), "incident")
        trashed = request.query_params.get("trashed") in ("1", "true", "yes")
        qs = selectors.evidence_list(user=request.user, case=case_id, incident=incident_id, trashed=trashed)
        page = self.paginate_queryset(qs)
        context = {"perms": ep.evidence_perms_map(request.user, [i.pk for i in page]), "case": case_id,
                   "user": request.user}
        return self.get_paginated_response(EvidenceOutSerializer(page, many=True, context=context).data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("EvidenceUpload", {
            "file": serializers.FileField(), "title": serializers.CharField(required=False),
            "description": serializers.CharField(required=False), "case": serializers.IntegerField(required=False),
            "incident": serializers.IntegerField(required=False),
        })},
        responses={201: EvidenceDetailOutSerializer},
    )
    def post(self, request):
        try:
            data = request.data  # parsed through the upload handler: 413/400 here, before anything is stored
        except (UnreadablePostError, OSError) as exc:
            raise UploadRefused("The upload was interrupted.") from exc
        uploaded = request.FILES.get("file")
        if not hasattr(data, "get"):
            raise ValidationError({"detail": [_("Send a multipart form with the file.")]})
        fields = _form_fields(data, ("file", "case", "incident", "csrfmiddlewaretoken"))
        case_id = _int_or_none(data.get("case"), "case")
        incident_id = _int_or_none(data.get("incident"), "incident")
        if uploaded is None:
            raise ValidationError({"file": [_("No file was sent.")]})
        serializer = EvidenceFieldsSerializer(data=fields)
        serializer.is_valid(raise_exception=True)
        _uploads_target(request.user, case_id=case_id, incident_id=incident_id)
        values = dict(serializer.validated_data)
        item = _service(
            services.evidence_upload, user=request.user, uploaded_file=uploaded, case=case_id,
            incident=incident_id, request=request._request, **values,
        )
        return _detail(request, item, status_code=status.HTTP_201_CREATED)


class _ItemMixin:
    def _visible(self, request, pk) -> EvidenceItem:
        return ep.evidence_get(request.user, pk, include_trashed=True)

    def _editable(self, request, pk) -> EvidenceItem:
        item = self._visible(request, pk)
        if not ep.can_edit(request.user, item):
            raise PermissionDenied(_("Your role may not change this evidence."))
        return item


class EvidenceDetailView(_ItemMixin, APIView):
    """GET the item; PATCH title, description, kind, source, obtained_at, obtained_by, restricted; DELETE → trash."""

    @extend_schema(responses=EvidenceDetailOutSerializer)
    def get(self, request, pk):
        return _detail(request, self._visible(request, pk))

    @extend_schema(request=EvidenceFieldsSerializer, responses=EvidenceDetailOutSerializer)
    def patch(self, request, pk):
        item = self._editable(request, pk)
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": [_("Send a JSON object.")]})
        serializer = EvidenceFieldsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = _service(services.evidence_update, user=request.user, item=item, data=serializer.validated_data,
                        request=request._request)
        return _detail(request, item)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        item = self._editable(request, pk)
        _service(services.evidence_trash, user=request.user, item=item, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EvidenceRestoreView(_ItemMixin, APIView):
    @extend_schema(request=None, responses=EvidenceDetailOutSerializer)
    def post(self, request, pk):
        item = self._editable(request, pk)
        item = _service(services.evidence_restore, user=request.user, item=item, request=request._request)
        return _detail(request, item)


class LinkSerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, min_value=1)
    incident = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if ("case" in attrs) == ("incident" in attrs):
            raise ValidationError(_("Give exactly one of case or incident."))
        return attrs


class EvidenceLinkView(_ItemMixin, APIView):
    """POST {"case"} or {"incident"}: link (``/link/``) or unlink (``/unlink/``)."""

    unlink = False

    @extend_schema(request=LinkSerializer, responses=EvidenceDetailOutSerializer)
    def post(self, request, pk):
        item = self._editable(request, pk)
        serializer = LinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = serializer.validated_data
        if "case" in target:
            _uploads_target(request.user, case_id=target["case"], incident_id=None)
            call = services.evidence_unlink_case if self.unlink else services.evidence_link_case
            _service(call, user=request.user, item=item, case=target["case"], request=request._request)
        else:
            _uploads_target(request.user, case_id=None, incident_id=target["incident"])
            call = services.evidence_unlink_incident if self.unlink else services.evidence_link_incident
            _service(call, user=request.user, item=item, incident=target["incident"], request=request._request)
        return _detail(request, item)


class EvidenceUnlinkView(EvidenceLinkView):
    unlink = True


class PassthroughRenderer(BaseRenderer):
    """Lets a download answer any Accept header; errors still render as JSON."""

    media_type = "*/*"
    format = "bin"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class StoredFileMismatch(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The stored file no longer matches its SHA-256: nothing was sent, and this was "
                                  "recorded in the custody log. Verify the item.")
    default_code = "integrity_failed"


def download_response(item: EvidenceItem, blob: VerifiedBlob) -> StreamingHttpResponse:
    """The stored bytes as an attachment, re-hashed as they stream (``evidence.storage.VerifiedBlob``): when they
    no longer match ``X-Docket-SHA256`` the transfer is cut before its last block, so the client never receives a
    complete body under the recorded digest."""
    response = StreamingHttpResponse(blob, content_type=safe_download_type(item.media_type))
    response["Content-Length"] = str(item.size)
    response["Content-Disposition"] = content_disposition_header(True, item.original_filename or f"evidence-{item.pk}")
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Docket-SHA256"] = item.sha256
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class EvidenceDownloadView(APIView):
    renderer_classes = [JSONRenderer, PassthroughRenderer]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        item = ep.evidence_get(request.user, pk, ep.DOWNLOAD, include_trashed=True)
        try:
            blob = services.evidence_open_for_download(user=request.user, item=item, request=request._request)
        except IntegrityMismatch:
            raise StoredFileMismatch() from None
        except (FileNotFoundError, OSError):
            raise NotFound(_("The stored file is missing: verify the item.")) from None
        return download_response(item, blob)


class CustodyEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    sha256 = serializers.CharField()
    seq = serializers.IntegerField()
    detail = serializers.JSONField()
    prev_hash = serializers.CharField()
    entry_hash = serializers.CharField()


def custody_out(events, *, show_addresses: bool) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        row = {
            "at": serializers.DateTimeField().to_representation(event.at), "user": event.username or None,
            "action": event.action, "sha256": event.sha256, "seq": event.seq, "detail": event.detail,
            "prev_hash": event.prev_hash, "entry_hash": event.entry_hash,
        }
        if show_addresses:
            row["client_ip"] = event.client_ip
            row["user_agent"] = event.user_agent
        rows.append(row)
    return rows


class EvidenceCustodyView(APIView):
    """The custody log, oldest first. Client addresses are shown to those who may edit the item."""

    @extend_schema(responses=CustodyEntrySerializer(many=True))
    def get(self, request, pk):
        item = ep.evidence_get(request.user, pk, include_trashed=True)
        events = selectors.custody_log(item)
        return Response(custody_out(events, show_addresses=ep.can_edit(request.user, item)))


class EvidenceVerifyView(APIView):
    @extend_schema(request=None, responses=inline_serializer("VerifyResult", {
        "ok": serializers.BooleanField(), "expected_sha256": serializers.CharField(),
        "actual_sha256": serializers.CharField(allow_null=True), "file_ok": serializers.BooleanField(),
        "custody_ok": serializers.BooleanField(), "problems": serializers.ListField(child=serializers.CharField()),
    }))
    def post(self, request, pk):
        item = ep.evidence_get(request.user, pk, include_trashed=True)
        result = services.evidence_verify(item=item, user=request.user, request=request._request)
        result["checked_at"] = serializers.DateTimeField().to_representation(result["checked_at"])
        return Response(result)


ACTIONS = [choice[0] for choice in CustodyEvent.Action.choices]
