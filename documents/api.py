"""API views for court-ready documents (API.md, "Court-ready documents"), thin over documents.services.

File responses come from DRF views (Token or session auth; errors as JSON through config.api.exception_handler)
whose content negotiation accepts any ``Accept`` header, so a client asking for a .docx or a .zip is never
answered 406. Status codes: no credentials 401; a case the caller cannot see 404; a case they can see but whose
role may not generate documents (researcher, observer) 403; bad input 400; a bundle whose stored files are missing
409 (nothing recorded).
"""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
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
from documents import services
from documents.data import DossierFilter
from documents.models import DocumentTemplate
from documents.permissions import can_use_templates, case_for_documents


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


def file_response(document: services.GeneratedDocument) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.media_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["Content-Length"] = str(len(document.content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    if document.export is not None:
        response["X-Docket-SHA256"] = document.export.sha256
    return response


class FileAPIView(APIView):
    content_negotiation_class = AnyAccept
    renderer_classes = [JSONRenderer]
    # No HEAD: producing a document records an export (and a bundle, custody events) that a HEAD would not deliver.
    http_method_names = ["get", "options"]


@extend_schema(responses={(200, services.generators.DOCX_MEDIA_TYPE): OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False)])
class ExhibitListDocx(FileAPIView):
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        return file_response(services.exhibit_list_generate(user=request.user, case=case,
                                                            language=request_language(request)))


@extend_schema(responses={(200, services.generators.DOCX_MEDIA_TYPE): OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False)])
class ChronologyDocx(FileAPIView):
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        return file_response(services.chronology_generate(user=request.user, case=case,
                                                          language=request_language(request)))


@extend_schema(responses={(200, services.generators.DOCX_MEDIA_TYPE): OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False),
                           OpenApiParameter("exhibit", int, required=False,
                                            description="Only this exhibit number's custody log.")])
class CustodyReportDocx(FileAPIView):
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        number = request.query_params.get("exhibit")
        if number not in (None, ""):
            number = parse_id(number)
            if number is None:
                raise ValidationError({"exhibit": ["An exhibit number is a whole number."]})
        else:
            number = None
        return file_response(services.custody_report_generate(user=request.user, case=case,
                                                              language=request_language(request),
                                                              exhibit_number=number))


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
            raise serializers.ValidationError({"to": "The end of the period comes before its start."})
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


@extend_schema(
    responses={(200, services.generators.DOCX_MEDIA_TYPE): OpenApiTypes.BINARY},
    parameters=[
        OpenApiParameter("category", str, enum=list(Incident.Category.values), required=False),
        OpenApiParameter("location", str, required=False, description="Part of the incident's location."),
        OpenApiParameter("from", date, required=False), OpenApiParameter("to", date, required=False),
        OpenApiParameter("incidents", str, required=False, description="Comma-separated incident ids."),
        OpenApiParameter("lang", str, enum=["en", "ru"], required=False),
    ],
)
class IncidentDossierDocx(FileAPIView):
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        selection = dossier_selection(request.query_params)
        return file_response(services.incident_dossier_generate(user=request.user, case=case,
                                                                language=request_language(request),
                                                                selection=selection))


def bundle_response(bundle: services.PreparedBundle) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter(bundle.stream), content_type="application/zip")
    response["Content-Length"] = str(bundle.size)
    response["Content-Disposition"] = content_disposition_header(True, bundle.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["X-Docket-Exhibits"] = str(len(bundle.exhibits))
    response["X-Docket-Withheld"] = ",".join(map(str, bundle.withheld))
    return response


@extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False)])
class BundleZip(FileAPIView):
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        try:
            bundle = services.bundle_prepare(user=request.user, case=case, language=request_language(request),
                                             request=request)
        except services.BundleError as exc:
            raise Conflict(str(exc)) from None
        return bundle_response(bundle)


class BundleInfo(APIView):
    """What the caller's bundle would hold (for the page's progress display): counts and total size."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        case = case_for_documents(request.user, pk)
        plan = services.bundle_plan(user=request.user, case=case)
        return Response({"exhibits": len(plan.included), "withheld": [r.number for r in plan.withheld],
                         "size": plan.total_size})


# --- Organisation templates ------------------------------------------------------------------------------------------
class TemplateOut(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = DocumentTemplate
        fields = ["id", "name", "description", "sha256", "size", "original_filename", "placeholders", "uploaded_by",
                  "created_at"]

    def get_uploaded_by(self, obj) -> str | None:
        return obj.uploaded_by.get_username() if obj.uploaded_by_id else None


class TemplateIn(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class TemplateList(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=TemplateOut(many=True))
    def get(self, request):
        if not can_use_templates(request.user):
            return Response([])
        return Response(TemplateOut(services.templates_for(request.user), many=True).data)

    @extend_schema(request={"multipart/form-data": TemplateIn}, responses={201: TemplateOut})
    def post(self, request):
        data = TemplateIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            template = services.template_upload(
                user=request.user, name=data.validated_data.get("name", ""),
                description=data.validated_data.get("description", ""),
                uploaded_file=data.validated_data["file"],
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


@extend_schema(responses={(200, services.generators.DOCX_MEDIA_TYPE): OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False)])
class TemplateFillDocx(FileAPIView):
    def get(self, request, pk: int, template_id: int):
        case = case_for_documents(request.user, pk)
        template = services.template_get(request.user, template_id)
        return file_response(services.template_fill(user=request.user, case=case, template=template,
                                                    language=request_language(request)))
