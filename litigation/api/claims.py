"""API v1: claims of a case, their citations, the authorities library and the table of authorities (API.md, "Claims,
authorities, requests to authorities, tasks"). Thin: parse, find through the permission path, call one service or
selector, render. Hidden → 404, visible but not allowed → 403, bad input → 400 and nothing written."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.permissions import case_get, case_require
from config import serializers
from config.api import Pagination
from litigation import selectors, services
from litigation.api.common import (
    FileAPIView,
    HistoryEntry,
    Strict,
    StrictCharField,
    StrictIdField,
    document_language,
    file_response,
    service,
)
from litigation.models import Authority, Citation, Claim
from litigation.permissions import (
    EDIT,
    authority_get,
    can_add_to_library,
    can_change_authority,
    citation_require,
    claim_get,
    claim_require,
    editable_case_ids,
)
from litigation.services.documents import table_of_authorities_generate


# --- Serializers ----------------------------------------------------------------------------------------------
class CitationOut(serializers.ModelSerializer):
    authority_title = serializers.CharField(source="authority.title", read_only=True)
    authority_citation = serializers.CharField(source="authority.citation", read_only=True)
    kind = serializers.CharField(source="authority.kind", read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "claim", "authority", "authority_title", "authority_citation", "kind", "pinpoint",
                  "created_at"]


class ClaimOut(serializers.ModelSerializer):
    proceeding_label = serializers.SerializerMethodField()
    citations = CitationOut(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    can_edit = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "case", "right", "basis", "relief", "proceeding", "proceeding_label", "outcome", "citations",
                  "created_at", "updated_at", "created_by", "can_edit", "url"]

    def get_proceeding_label(self, claim: Claim) -> str | None:
        return str(claim.proceeding) if claim.proceeding_id else None

    def get_can_edit(self, claim: Claim) -> bool:
        return claim.case_id in self.context.get("editable", set())


class ClaimIn(Strict):
    right = StrictCharField(max_length=500)
    basis = StrictCharField(required=False, allow_blank=True, max_length=20000)
    relief = StrictCharField(required=False, allow_blank=True, max_length=10000)
    outcome = StrictCharField(required=False, allow_blank=True, max_length=10000)
    proceeding = StrictIdField(required=False, allow_null=True)


class CitationIn(Strict):
    authority = StrictIdField()
    pinpoint = StrictCharField(required=False, allow_blank=True, max_length=200, default="")


class CitationPatch(Strict):
    pinpoint = StrictCharField(allow_blank=True, max_length=200)


class AuthorityOut(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    shared = serializers.BooleanField(read_only=True)
    can_edit = serializers.SerializerMethodField()
    url_page = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Authority
        fields = ["id", "kind", "title", "citation", "court", "date", "identifier", "url", "case", "shared",
                  "created_by", "created_at", "updated_at", "can_edit", "url_page"]

    def get_can_edit(self, authority: Authority) -> bool:
        user = self.context["request"].user
        return can_change_authority(user, authority)


class AuthorityIn(Strict):
    kind = serializers.ChoiceField(choices=Authority.Kind.choices, required=False)
    title = StrictCharField(max_length=500)
    citation = StrictCharField(required=False, allow_blank=True, max_length=500)
    court = StrictCharField(required=False, allow_blank=True, max_length=300)
    date = serializers.DateField(required=False, allow_null=True)
    identifier = StrictCharField(required=False, allow_blank=True, max_length=200)
    url = StrictCharField(required=False, allow_blank=True, max_length=1000)
    case = StrictIdField(required=False, allow_null=True)


def _claim_context(request: Request, claims) -> dict:
    return {"request": request, "editable": editable_case_ids(request.user, {c.case_id for c in claims})}


# --- Claims ---------------------------------------------------------------------------------------------------
class CaseClaimsView(APIView):
    """GET the claims of a case (``view_case``); POST a claim (``change_case``)."""

    @extend_schema(responses=ClaimOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        case = case_get(request.user, pk)
        qs = selectors.claim_list(user=request.user, case=case)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ClaimOut(page, many=True, context=_claim_context(request, page)).data)

    @extend_schema(request=ClaimIn, responses={201: ClaimOut})
    def post(self, request: Request, pk: int) -> Response:
        case = case_require(request.user, pk, EDIT)
        s = ClaimIn(data=request.data)
        s.is_valid(raise_exception=True)
        claim = service(services.claim_create, user=request.user, case=case, **s.validated_data)
        claim = claim_get(request.user, claim.pk)
        return Response(ClaimOut(claim, context=_claim_context(request, [claim])).data, status=status.HTTP_201_CREATED)


class ClaimDetailView(APIView):
    @extend_schema(responses=ClaimOut)
    def get(self, request: Request, pk: int) -> Response:
        claim = claim_get(request.user, pk)
        return Response(ClaimOut(claim, context=_claim_context(request, [claim])).data)

    @extend_schema(request=ClaimIn(partial=True), responses=ClaimOut)
    def patch(self, request: Request, pk: int) -> Response:
        claim = claim_require(request.user, pk, EDIT)
        s = ClaimIn(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        service(services.claim_update, user=request.user, claim=claim, data=s.validated_data)
        claim = claim_get(request.user, pk)
        return Response(ClaimOut(claim, context=_claim_context(request, [claim])).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        claim = claim_require(request.user, pk, EDIT)
        services.claim_delete(user=request.user, claim=claim)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClaimHistoryView(APIView):
    @extend_schema(responses=HistoryEntry(many=True))
    def get(self, request: Request, pk: int) -> Response:
        claim = claim_get(request.user, pk)
        return Response(selectors.claim_history(user=request.user, claim=claim))


class ClaimAuthoritiesView(APIView):
    """GET the claim's citations; POST ``{"authority", "pinpoint"}`` cites an authority (``change_case``)."""

    @extend_schema(responses=CitationOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        claim = claim_get(request.user, pk)
        return Response(CitationOut(claim.citations.select_related("authority").order_by("id"), many=True).data)

    @extend_schema(request=CitationIn, responses={201: CitationOut})
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_require(request.user, pk, EDIT)
        s = CitationIn(data=request.data)
        s.is_valid(raise_exception=True)
        citation = service(services.citation_add, user=request.user, claim=claim, **s.validated_data)
        return Response(CitationOut(citation).data, status=status.HTTP_201_CREATED)


class ClaimAuthorityDetailView(APIView):
    """PATCH ``{"pinpoint"}`` or DELETE one citation of the claim (``change_case``)."""

    def _citation(self, request: Request, pk: int, citation_id: int) -> Citation:
        claim = claim_get(request.user, pk)
        return citation_require(request.user, citation_id, EDIT, claim=claim)

    @extend_schema(request=CitationPatch, responses=CitationOut)
    def patch(self, request: Request, pk: int, citation_id: int) -> Response:
        citation = self._citation(request, pk, citation_id)
        s = CitationPatch(data=request.data)
        s.is_valid(raise_exception=True)
        citation = service(services.citation_update, user=request.user, citation=citation, **s.validated_data)
        return Response(CitationOut(citation).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, citation_id: int) -> Response:
        citation = self._citation(request, pk, citation_id)
        services.citation_remove(user=request.user, citation=citation)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Authorities ----------------------------------------------------------------------------------------------
class AuthorityListView(APIView):
    """GET the library and the authorities private to the caller's cases (``?kind=``, ``?q=``, ``?case=``,
    ``?scope=library|private``); POST adds one (to the library, or privately to ``case``)."""

    @extend_schema(responses=AuthorityOut(many=True), parameters=[
        OpenApiParameter("kind", str, enum=Authority.Kind.values), OpenApiParameter("q", str),
        OpenApiParameter("case", int), OpenApiParameter("scope", str, enum=["library", "private"])])
    def get(self, request: Request) -> Response:
        qs, filterset = selectors.authority_list(user=request.user, params=request.query_params)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AuthorityOut(page, many=True, context={"request": request}).data)

    @extend_schema(request=AuthorityIn, responses={201: AuthorityOut})
    def post(self, request: Request) -> Response:
        s = AuthorityIn(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        case_id = data.pop("case", None)
        case = None
        if case_id is not None:
            try:
                case = case_get(request.user, case_id)
            except Http404:
                raise ValidationError({"case": [_("No such case.")]}) from None
            case_require(request.user, case.pk, EDIT)
        elif not can_add_to_library(request.user):
            raise PermissionDenied(_("Only lawyers and leads of a case, or staff, may add to the library."))
        authority = service(services.authority_create, user=request.user, case=case, **data)
        return Response(AuthorityOut(authority, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AuthorityDetailView(APIView):
    @extend_schema(responses=AuthorityOut)
    def get(self, request: Request, pk: int) -> Response:
        authority = authority_get(request.user, pk)
        return Response(AuthorityOut(authority, context={"request": request}).data)

    @extend_schema(request=AuthorityIn(partial=True), responses=AuthorityOut)
    def patch(self, request: Request, pk: int) -> Response:
        authority = authority_get(request.user, pk)
        if not can_change_authority(request.user, authority):
            raise PermissionDenied(_("Only whoever added this authority, or staff, may change it."))
        s = AuthorityIn(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if "case" in data and data["case"] != authority.case_id:
            raise ValidationError({"case": [_("An authority stays where it was added (library or case).")]})
        data.pop("case", None)
        authority = service(services.authority_update, user=request.user, authority=authority, data=data)
        return Response(AuthorityOut(authority, context={"request": request}).data)


class AuthorityHistoryView(APIView):
    @extend_schema(responses=HistoryEntry(many=True))
    def get(self, request: Request, pk: int) -> Response:
        authority = authority_get(request.user, pk)
        return Response(selectors.authority_history(user=request.user, authority=authority))


@extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
                          OpenApiTypes.BINARY},
               parameters=[OpenApiParameter("lang", str, enum=["en", "ru"], required=False)])
class TableOfAuthoritiesDocx(FileAPIView):
    """The table of authorities of a case (lead, lawyer, coordinator; others 403; hidden 404)."""

    def get(self, request: Request, pk: int):
        return file_response(table_of_authorities_generate(user=request.user, case=pk,
                                                           language=document_language(request)))
