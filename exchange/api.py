"""API v1: import of incidents, exports of the filtered lists (API.md, "Intake, import and export …")."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions as cp
from config import serializers
from exchange import exporter
from exchange.importer import incidents_import
from exchange.jobs import MAX_IMPORT_BYTES

RowError = inline_serializer("ImportRowError", {"row": serializers.IntegerField(), "field": serializers.CharField(),
                                                "message": serializers.CharField()})
ImportOut = inline_serializer("ImportResult", {
    "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(), "dry_run": serializers.BooleanField(),
    "errors": serializers.ListField(child=RowError)})


def _flag(value, name: str) -> bool:
    if value in (None, "", "false", "0", "no", "off", False):
        return False
    if value in ("true", "1", "yes", "on", True):
        return True
    raise ValidationError({name: [_("Expected true or false.")]})


class IncidentImportView(APIView):
    """POST multipart ``file`` (.csv or .xlsx), ``dry_run`` (true|false), optional ``case`` (every new incident is
    linked to it too) → 200 with the counts, or 400 with every row error and nothing written."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": inline_serializer("ImportIn", {
        "file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False),
        "case": serializers.IntegerField(required=False)})}, responses={200: ImportOut, 400: ImportOut})
    def post(self, request):
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ValidationError({"file": [_("Send the spreadsheet as the file field (.csv or .xlsx).")]})
        if uploaded.size > MAX_IMPORT_BYTES:
            raise ValidationError({"file": [_("At most 50 MB can be imported at once.")]})
        dry_run = _flag(request.data.get("dry_run"), "dry_run")
        case = None
        if request.data.get("case") not in (None, ""):
            pk = cp.parse_id(request.data.get("case"))
            case = cp.cases_for(request.user, cp.EDIT_INCIDENTS).filter(pk=pk).first() if pk else None
            if case is None:
                raise ValidationError({"case": [_("No case you may add incidents to has this id.")]})
        try:
            result = incidents_import(user=request.user, data=uploaded.read(), filename=uploaded.name,
                                      dry_run=dry_run, case=case)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        body = result.as_dict()
        if result.errors:
            first = result.errors[0]
            body["detail"] = (f"{len(result.errors)} error(s); nothing was imported. First: line {first['row']}, "
                              f"{first['field']}: {first['message']}")
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(body)


def export_response(table: exporter.Table, fmt: str):
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    filename = f"docket-{table.name}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(exporter.csv_stream(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            exporter.xlsx_file(table), as_attachment=True, filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _optional_id(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    pk = cp.parse_id(value)
    if pk is None:
        raise ValidationError({name: [_("Expected a positive whole number.")]})
    return pk


class _Export(APIView):
    fmt = "csv"

    def table(self, request) -> exporter.Table:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request):
        return export_response(self.table(request), self.fmt)


class IncidentExportView(_Export):
    """The incidents the caller may view, with the incident list's filters (``q``, ``category``, ``case``,
    ``occurred_from``, ``occurred_to``)."""

    def table(self, request):
        return exporter.incidents_table(user=request.user, filters=request.query_params)


class CaseExportView(_Export):
    def table(self, request):
        return exporter.cases_table(user=request.user, filters=request.query_params)


class DeadlineExportView(_Export):
    def table(self, request):
        from deadlines.models import Deadline

        wanted = request.query_params.get("status") or None
        if wanted and wanted not in Deadline.Status.values:
            raise ValidationError({"status": [_("Unknown value %(value)r.") % {"value": wanted}]})
        return exporter.deadlines_table(user=request.user, case_id=_optional_id(request.query_params.get("case"),
                                                                                 "case"), status=wanted)


class EvidenceExportView(_Export):
    def table(self, request):
        params = request.query_params
        return exporter.evidence_table(user=request.user, case_id=_optional_id(params.get("case"), "case"),
                                       incident_id=_optional_id(params.get("incident"), "incident"))


