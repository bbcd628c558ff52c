"""API views for court-ready documents (API.md, "Court-ready documents" and "Documents as PDF and the paginated
court bundle"), thin over documents.services.

File responses come from DRF views (Token or session auth; errors as JSON through config.api.exception_handler)
whose content negotiation accepts any ``Accept`` header, so a client asking for a .docx, .pdf or .zip is never
answered 406. Status codes: no credentials 401; a case the caller cannot see 404; a case they can see but whose
role may not generate documents (researcher, observer) 403; bad input 400; a bundle whose stored files are missing
or no longer match their digest 409 (nothing recorded); a PDF where LibreOffice (or the fonts) is not installed
503 with ``detail`` and ``missing`` naming what to install (nothing recorded).

Every file response says its language (``Content-Language``) and its name twice in ``Content-Disposition``: an
ASCII ``filename`` for old clients and the real name, Cyrillic included, as RFC 5987 ``filename*``.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Incident
from config import serializers
from config.inputs import MAX_ID, parse_id
from documents import conversion, services
from documents.bundle_pdf import BundlePdfUnavailable
from documents.data import DossierFilter
from documents.models import DocumentTemplate
from documents.permissions import case_for_documents
from documents.procedure import PROCEDURES


class AnyAccept(BaseContentNegotiation):
    """Whatever the client accepts, errors are rendered as JSON and files are sent as themselves."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if parser.media_type.split(";")[0] == (request.content_type or "").split(";")[0]:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."


class TooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Too large."


def request_language(request) -> str:
    """``?lang=ru|en`` if given, else the request's language (session, cookie or Accept-Language)."""
    lang = (request.query_params.get("lang") or "").lower() if hasattr(request, "query_params") else ""
    if lang not in ("en", "ru"):
        lang = translation.get_language() or "en"
    return services.selectors.language_code(lang)


def request_procedure(request) -> str | None:
    """``?procedure=cpc|cas|echr`` names the procedure whose words the documents use; absent, it is inferred."""
    params = request.query_params if hasattr(request, "query_params") else request.GET
    value = (params.get("procedure") or "").strip().lower()
    if not value:
        return None
    if value not in PROCEDURES:
        raise ValidationError({"procedure": [_("One of: %(values)s.") % {"values": ", ".join(PROCEDURES)}]})
    return value


def content_disposition(filename: str) -> str:
    """``attachment; filename="<ASCII fallback>"; filename*=UTF-8''<the real name>`` (RFC 6266, RFC 5987)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    fallback = services.slug(stem, "document") + (f".{services.slug(ext, 'bin')}" if ext else "")
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def _file_headers(response, *, filename: str, language: str) -> None:
    response["Content-Disposition"] = content_disposition(filename)
    response["Content-Language"] = language
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"


def file_response(document: services.GeneratedDocument) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.media_type)
    _file_headers(response, filename=document.filename, language=document.language)
    response["Content-Length"] = str(len(document.content))
    if document.export is not None:
        response["X-Docket-SHA256"] = document.export.sha256
    return response


def unavailable(detail: str, missing: list[str]) -> Response:
    return Response({"detail": detail, "missing": missing}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class FileAPIView(APIView):
    content_negotiation_class = AnyAccept
    renderer_classes = [JSONRenderer]
    # No HEAD: producing a document records an export (and a bundle, custody events) that a HEAD would not deliver.
    http_method_names = ["get", "options"]


LANG = OpenApiParameter("lang", str, enum=["en", "ru"], required=False,
                        description="The document's language (default: the request's).")
PROCEDURE = OpenApiParameter("procedure", str, enum=list(PROCEDURES), required=False,
                             description="The procedure whose terms the document uses (default: inferred from the "
                                         "case's proceedings and deadlines).")
DOCX_BODY = {(200, services.generators.DOCX_MEDIA_TYPE): OpenApiTypes.BINARY}
PDF_BODY = {(200, "application/pdf"): OpenApiTypes.BINARY, 503: OpenApiTypes.OBJECT}


class DocumentView(FileAPIView):
    """A generated document as .docx, or as PDF/A (``fmt = "pdf"``; 503 where LibreOffice is missing)."""

    fmt = "docx"

    def make(self, request, case, *, language: str, procedure: str | None):  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        language = request_language(request)
        procedure = request_procedure(request)
        if self.fmt == "pdf" and not conversion.available():
            return unavailable(conversion.missing_message(), ["soffice"])
        try:
            document = self.make(request, case, language=language, procedure=procedure)
        except conversion.ConversionUnavailable as exc:
            return unavailable(str(exc), ["soffice"])
        except conversion.ConversionFailed as exc:
            return unavailable(f"The PDF could not be made: {exc}.", [])
        return file_response(document)


class ExhibitListView(DocumentView):
    def make(self, request, case, *, language, procedure):
        return services.exhibit_list_generate(user=request.user, case=case, language=language, fmt=self.fmt,
                                              procedure=procedure)


class ChronologyView(DocumentView):
    def make(self, request, case, *, language, procedure):
        return services.chronology_generate(user=request.user, case=case, language=language, fmt=self.fmt,
                                            procedure=procedure)


def exhibit_number_param(request) -> int | None:
    number = request.query_params.get("exhibit")
    if number in (None, ""):
        return None
    number = parse_id(number)
    if number is None or number >= 2**31:
        raise ValidationError({"exhibit": [_("An exhibit number is a whole number.")]})
    return number


class CustodyReportView(DocumentView):
    def make(self, request, case, *, language, procedure):
        return services.custody_report_generate(user=request.user, case=case, language=language,
                                                exhibit_number=exhibit_number_param(request), fmt=self.fmt,
                                                procedure=procedure)


@extend_schema(responses=DOCX_BODY, parameters=[LANG, PROCEDURE])
class ExhibitListDocx(ExhibitListView):
    pass


@extend_schema(responses=PDF_BODY, parameters=[LANG, PROCEDURE])
class ExhibitListPdf(ExhibitListView):
    fmt = "pdf"


@extend_schema(responses=DOCX_BODY, parameters=[LANG, PROCEDURE])
class ChronologyDocx(ChronologyView):
    pass


@extend_schema(responses=PDF_BODY, parameters=[LANG, PROCEDURE])
class ChronologyPdf(ChronologyView):
    fmt = "pdf"


EXHIBIT = OpenApiParameter("exhibit", int, required=False, description="Only this exhibit number's custody log.")


@extend_schema(responses=DOCX_BODY, parameters=[LANG, PROCEDURE, EXHIBIT])
class CustodyReportDocx(CustodyReportView):
    pass


@extend_schema(responses=PDF_BODY, parameters=[LANG, PROCEDURE, EXHIBIT])
class CustodyReportPdf(CustodyReportView):
    fmt = "pdf"


class DossierQuery(serializers.Serializer):
    category = serializers.ChoiceField(choices=Incident.Category.choices, required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    # "from" and "to" are Python keywords: mapped in the view.
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    incidents = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_incidents(self, value: str) -> tuple[int, ...]:
        ids = []
        for part in (value or "").replace(" ", "").split(","):
            if not part:
                continue
            number = parse_id(part)
            if number is None:
                raise serializers.ValidationError(
                    _("A comma-separated list of incident ids (whole numbers between 1 and %(max)d).") % {"max": MAX_ID}
                )
            ids.append(number)
        return tuple(ids)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"to": _("The end of the period comes before its start.")})
        return attrs


def dossier_selection(params) -> DossierFilter:
    data = {k: v for k, v in params.items() if k in ("category", "location", "incidents") and v not in ("", None)}
    if params.get("from"):
        data["date_from"] = params.get("from")
    if params.get("to"):
        data["date_to"] = params.get("to")
    query = DossierQuery(data=data)
    if not query.is_valid():
        errors = dict(query.errors)
        for inner, outer in (("date_from", "from"), ("date_to", "to")):
            if inner in errors:
                errors[outer] = errors.pop(inner)
        raise serializers.ValidationError(errors)
    v = query.validated_data
    return DossierFilter(category=v.get("category") or "", location=v.get("location") or "",
                         date_from=v.get("date_from"), date_to=v.get("date_to"),
                         incident_ids=tuple(v.get("incidents") or ()))


DOSSIER_PARAMS = [
    OpenApiParameter("category", str, enum=list(Incident.Category.values), required=False),
    OpenApiParameter("location", str, required=False, description="Part of the incident's location."),
    OpenApiParameter("from", date, required=False), OpenApiParameter("to", date, required=False),
    OpenApiParameter("incidents", str, required=False, description="Comma-separated incident ids."),
    LANG, PROCEDURE,
]


class DossierView(DocumentView):
    def make(self, request, case, *, language, procedure):
        return services.incident_dossier_generate(user=request.user, case=case, language=language,
                                                  selection=dossier_selection(request.query_params), fmt=self.fmt,
                                                  procedure=procedure)


@extend_schema(responses=DOCX_BODY, parameters=DOSSIER_PARAMS)
class IncidentDossierDocx(DossierView):
    pass


@extend_schema(responses=PDF_BODY, parameters=DOSSIER_PARAMS)
class IncidentDossierPdf(DossierView):
    fmt = "pdf"


def bundle_response(bundle: services.PreparedBundle, language: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter(bundle.stream), content_type="application/zip")
    _file_headers(response, filename=bundle.filename, language=language)
    response["Content-Length"] = str(bundle.size)
    response["X-Docket-Exhibits"] = str(len(bundle.exhibits))
    response["X-Docket-Withheld"] = ",".join(map(str, bundle.withheld))
    return response


@extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY}, parameters=[LANG])
class BundleZip(FileAPIView):
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        language = request_language(request)
        try:
            bundle = services.bundle_prepare(user=request.user, case=case, language=language, request=request)
        except services.BundleError as exc:
            raise Conflict(str(exc)) from None
        return bundle_response(bundle, language)


def bundle_pdf_response(bundle, language: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(bundle.chunks(), content_type="application/pdf")
    _file_headers(response, filename=bundle.filename, language=language)
    response["Content-Length"] = str(bundle.size)
    response["X-Docket-SHA256"] = bundle.export.sha256
    response["X-Docket-Pages"] = str(bundle.pages)
    response["X-Docket-Exhibits"] = str(len(bundle.exhibits))
    response["X-Docket-Withheld"] = ",".join(map(str, bundle.withheld))
    return response


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: OpenApiTypes.OBJECT,
                          503: OpenApiTypes.OBJECT}, parameters=[LANG])
class BundlePdf(FileAPIView):
    """The paginated bundle: cover, index, every exhibit in order, page numbers, bookmarks (documents.bundle_pdf)."""

    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        language = request_language(request)
        try:
            bundle = services.bundle_pdf_prepare(user=request.user, case=case, language=language, request=request)
        except services.BundleError as exc:
            raise Conflict(str(exc)) from None
        except BundlePdfUnavailable as exc:
            return unavailable(str(exc), ["fonts-dejavu-core"])
        return bundle_pdf_response(bundle, language)


class BundleInfo(APIView):
    """What the caller's bundle would hold (for the page's progress display): counts and total size."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        plan = services.bundle_plan(user=request.user, case=case)
        chosen = services.selectors.case_procedure(user=request.user, case=case,
                                                   requested=request_procedure(request))
        return Response({"exhibits": len(plan.included), "withheld": [r.number for r in plan.withheld],
                         "size": plan.total_size, "procedure": chosen.code, "procedure_reason": chosen.reason,
                         "pdf_available": conversion.available()})


# --- Organisation templates ------------------------------------------------------------------------------------------
class TemplateOut(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = DocumentTemplate
        fields = ["id", "name", "description", "sha256", "size", "original_filename", "placeholders", "uploaded_by",
                  "scope", "case", "created_at"]

    def get_uploaded_by(self, obj) -> str | None:
        return obj.uploaded_by.get_username() if obj.uploaded_by_id else None


class TemplateIn(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    case = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
                                    help_text="The case the template belongs to; without it, the whole site (staff "
                                              "only).")


class CaseParam(serializers.Serializer):
    case = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class TemplateList(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=TemplateOut(many=True),
                   parameters=[OpenApiParameter("case", int, required=False,
                                                description="Only the templates that may be filled on this case.")])
    def get(self, request):
        query = CaseParam(data=request.query_params)
        query.is_valid(raise_exception=True)
        case = None
        if "case" in query.validated_data:
            from cases import permissions as cp

            case = cp.cases_for(request.user, cp.GENERATE_DOCUMENTS).filter(pk=query.validated_data["case"]).first()
            if case is None:  # hidden, missing, or not the caller's to generate on: the same empty answer
                return Response([])
        return Response(TemplateOut(services.templates_for(request.user, case), many=True).data)

    @extend_schema(request={"multipart/form-data": TemplateIn}, responses={201: TemplateOut})
    def post(self, request):
        data = TemplateIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            template = services.template_upload(
                user=request.user, name=data.validated_data.get("name", ""),
                description=data.validated_data.get("description", ""),
                uploaded_file=data.validated_data["file"], case=data.validated_data.get("case"),
            )
        except services.TemplateTooLarge as exc:
            raise TooLarge(exc.messages[0]) from None
        return Response(TemplateOut(template).data, status=status.HTTP_201_CREATED)


class TemplateDetail(APIView):
    @extend_schema(responses=TemplateOut)
    def get(self, request, template_id: int):
        return Response(TemplateOut(services.template_get(request.user, template_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, template_id: int):
        services.template_delete(user=request.user, template=services.template_get(request.user, template_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachIn(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class TemplateAttach(APIView):
    """Give a personal template (uploaded before templates had owners) to one of the uploader's cases."""

    @extend_schema(request=AttachIn, responses=TemplateOut)
    def post(self, request, template_id: int):
        data = AttachIn(data=request.data)
        template = services.template_get(request.user, template_id)
        data.is_valid(raise_exception=True)
        template = services.template_attach(user=request.user, template=template, case=data.validated_data["case"])
        return Response(TemplateOut(template).data)


@extend_schema(responses=DOCX_BODY, parameters=[LANG])
class TemplateFillDocx(FileAPIView):
    def get(self, request, pk: int, template_id: int):
        case = case_for_documents(request.user, pk)
        template = services.template_get(request.user, template_id, case=case)
        return file_response(services.template_fill(user=request.user, case=case, template=template,
                                                    language=request_language(request)))
