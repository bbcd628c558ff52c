"""API v1 search: ``GET /api/v1/search/?q=...`` (see API.md). Thin: validate, call the service, serialise."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from search import service

_RESULT_FIELDS = lambda: (  # noqa: E731 - fresh field instances for each use
    {
        "type": serializers.ChoiceField(choices=service.API_TYPES),
        "id": serializers.IntegerField(),
        "title": serializers.CharField(),
        "snippet": serializers.CharField(help_text="HTML: escaped text, matches wrapped in <mark>."),
        "url": serializers.CharField(allow_null=True),
    }
)


class SearchView(APIView):
    """Full-text search over what the caller may view (cases, incidents, evidence, persons).

    A missing or empty ``q`` (or one with nothing to search for, such as ``*``) is a 400 with a message, like any
    malformed parameter. ``count`` counts the visible matches among the best 1000, best first (ranked by each
    result's own text only; the score is not shown). ``case`` of a case the caller may not see finds nothing, as
    for a case that does not exist. The snippet is HTML: the
    text is escaped and the matched words are wrapped in ``<mark>``. A restricted item's file text is searched
    and shown only to those who may download it; a person's real name only to those who may see identities."""

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True,
                             description='Words (all must match), "phrases", prefixes (кам*), OR, NOT / -word, '
                                         "parentheses. Russian and English word forms match."),
            OpenApiParameter("type", OpenApiTypes.STR, enum=list(service.API_TYPES)),
            OpenApiParameter("case", OpenApiTypes.INT, description="Only what belongs to this case."),
            OpenApiParameter("category", OpenApiTypes.STR, description="Incident category (or evidence kind)."),
            OpenApiParameter("status", OpenApiTypes.STR, description="Case status."),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description=f"At most {service.MAX_PAGE_SIZE}."),
        ],
        responses=inline_serializer(
            "SearchResponse",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "page_size": serializers.IntegerField(),
                "num_pages": serializers.IntegerField(),
                "results": inline_serializer("SearchResult", _RESULT_FIELDS(), many=True),
            },
        ),
    )
    def get(self, request):
        try:
            params = service.search_params(request.query_params)
        except service.SearchError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        page = service.search(request.user, params)
        return Response({
            "count": page.count,
            "page": params.page,
            "page_size": params.page_size,
            "num_pages": page.num_pages,
            "results": [r.as_dict() for r in page.results],
        })
