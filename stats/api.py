"""API v1: incident statistics and the incidents' map (API.md, "Intake, import and export, statistics, map")."""
from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config import serializers
from stats import selectors

FILTERS = [OpenApiParameter(name, str) for name in ("q", "category", "case", "occurred_from", "occurred_to")]


class IncidentStatsView(APIView):
    @extend_schema(parameters=[OpenApiParameter("by", str, enum=list(selectors.DIMENSIONS)), *FILTERS],
                   responses=inline_serializer("IncidentStats", {
                       "by": serializers.CharField(), "total": serializers.IntegerField(),
                       "buckets": serializers.ListField(child=inline_serializer("Bucket", {
                           "key": serializers.CharField(), "count": serializers.IntegerField()}))}))
    def get(self, request):
        by = request.query_params.get("by", "month")
        buckets = selectors.incident_buckets(user=request.user, by=by, filters=request.query_params)
        return Response({"by": by, "total": sum(b["count"] for b in buckets), "buckets": buckets})


class IncidentGeoView(APIView):
    """A GeoJSON FeatureCollection of the visible incidents that have coordinates (the list's filters apply).
    With ``zoom`` and ``bbox`` (west,south,east,north): clustered on a grid for that view."""

    @extend_schema(parameters=[OpenApiParameter("zoom", int), OpenApiParameter("bbox", str), *FILTERS],
                   responses={(200, "application/geo+json"): dict})
    def get(self, request):
        params = request.query_params
        if params.get("zoom") not in (None, "") or params.get("bbox") not in (None, ""):
            try:
                zoom = int(params.get("zoom", ""))
            except ValueError:
                raise ValidationError({"zoom": [_("Expected a zoom level from 0 to 22.")]}) from None
            bbox = selectors.parse_bbox(params.get("bbox") or "-180,-90,180,90")
            data = selectors.incident_clusters(user=request.user, zoom=zoom, bbox=bbox, filters=params)
        else:
            data = selectors.incident_points(user=request.user, filters=params)
        response = JsonResponse(data, content_type="application/geo+json")
        response["Cache-Control"] = "private, no-store"
        return response
