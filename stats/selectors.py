"""Counting and mapping incidents — only those the caller may view, with the incident list's filters.

Every figure starts from ``cases.selectors.incident_list(user=…, filters=…)``: the same access path and the same
filters as the list page, so a count never includes an incident the caller could not open (no oracle: an outsider
sees zero everywhere, and a filter by a hidden case counts as a filter by a missing one).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Min, QuerySet
from django.db.models.functions import Floor, TruncMonth
from django.utils.translation import gettext as _

from cases import selectors as case_selectors
from cases.models import Incident

DIMENSIONS = ("month", "category", "agency", "system", "city")
_CITY_PREFIX = re.compile(r"^(г\.|город|city of)\s*", re.IGNORECASE)


def visible_incidents(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """The incidents of the list (access and filters), as a plain queryset to aggregate over."""
    listed = case_selectors.incident_list(user=user, filters=filters)
    return Incident.objects.filter(pk__in=listed.order_by().values("pk"))


def city_of(location: str) -> str:
    """The city of a free-text location: its last comma-separated part ("Park Kultury station, Moscow" →
    "Moscow"); a location without a comma is taken as the city itself."""
    part = (location or "").rsplit(",", 1)[-1].strip()
    return _CITY_PREFIX.sub("", part).strip()[:100]


def incident_buckets(*, user, by: str, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """``[{"key", "count"}]`` of the visible incidents grouped by ``by`` (see ``DIMENSIONS``). Months in time
    order ("YYYY-MM"); the others by count, largest first; an empty key is an incident where it is not given."""
    if by not in DIMENSIONS:
        raise ValidationError({"by": _("Choose one of: %(values)s.") % {"values": ", ".join(DIMENSIONS)}})
    qs = visible_incidents(user=user, filters=filters).order_by()
    if by == "month":
        rows = qs.annotate(bucket=TruncMonth("occurred_at")).values("bucket").annotate(n=Count("pk")).order_by("bucket")
        return [{"key": row["bucket"].strftime("%Y-%m"), "count": row["n"]} for row in rows if row["bucket"]]
    if by == "city":
        counts = Counter(city_of(location) for location in qs.values_list("location", flat=True).iterator())
    else:
        field = {"category": "category", "agency": "agency", "system": "system_involved"}[by]
        counts = Counter()
        for value, n in qs.values_list(field).annotate(n=Count("pk")).order_by():
            counts[(value or "").strip()] += n
    return [{"key": key, "count": n} for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


# --- Map -----------------------------------------------------------------------------------------------------
def _feature(lon, lat, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": properties}


def _point_properties(incident: dict[str, Any]) -> dict[str, Any]:
    # No person, no identity: what happened, where and when, and a link for those who may open it.
    return {"id": incident["pk"], "title": incident["title"], "category": incident["category"],
            "occurred_at": incident["occurred_at"].date().isoformat(), "url": f"/incidents/{incident['pk']}/"}


POINT_FIELDS = ("pk", "title", "category", "occurred_at", "latitude", "longitude")


def incident_points(*, user, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every visible incident that has coordinates, as a GeoJSON FeatureCollection."""
    qs = visible_incidents(user=user, filters=filters).filter(latitude__isnull=False, longitude__isnull=False)
    features = [_feature(row["longitude"], row["latitude"], _point_properties(row))
                for row in qs.order_by("pk").values(*POINT_FIELDS).iterator(chunk_size=5000)]
    return {"type": "FeatureCollection", "features": features}


def parse_bbox(raw: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    try:
        west, south, east, north = (Decimal(part) for part in raw.split(","))
    except (ValueError, ArithmeticError):
        raise ValidationError({"bbox": _("Expected west,south,east,north in degrees.")}) from None
    if not all(v.is_finite() for v in (west, south, east, north)) or south > north:
        raise ValidationError({"bbox": _("Expected west,south,east,north in degrees.")})
    clamp = lambda v, lim: max(-lim, min(lim, v))  # noqa: E731
    return clamp(west, 180), clamp(south, 90), clamp(east, 180), clamp(north, 90)


def cell_degrees(zoom: int, pixels: int = 60) -> float:
    """The width in degrees of a square of ``pixels`` at ``zoom`` (256-pixel tiles)."""
    return 360.0 / (256 * 2 ** zoom) * pixels


def incident_clusters(*, user, zoom: int, bbox: tuple, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The visible incidents in ``bbox`` grouped on a grid of ~60 pixels at ``zoom``: a cluster feature (its
    centre and ``count``) per cell with several incidents, a point feature for a cell with one. The number of
    features is bounded by the screen, not by the data (100,000 points stay usable)."""
    if not 0 <= zoom <= 22:
        raise ValidationError({"zoom": _("Expected a zoom level from 0 to 22.")})
    west, south, east, north = bbox
    qs = visible_incidents(user=user, filters=filters).filter(
        latitude__isnull=False, longitude__isnull=False, latitude__gte=south, latitude__lte=north)
    qs = qs.filter(longitude__gte=west, longitude__lte=east) if west <= east else qs.exclude(
        longitude__gt=east, longitude__lt=west)  # a box across the antimeridian
    cell = Decimal(repr(cell_degrees(zoom)))
    cells = (qs.order_by().annotate(cx=Floor(F("longitude") / cell), cy=Floor(F("latitude") / cell))
             .values("cx", "cy").annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"), first=Min("pk")))
    features, singles = [], []
    total = 0
    for row in cells:
        total += row["n"]
        if row["n"] == 1:
            singles.append(row["first"])
        else:
            features.append(_feature(row["lon"], row["lat"], {"cluster": True, "count": row["n"]}))
    for start in range(0, len(singles), 2000):
        for incident in Incident.objects.filter(pk__in=singles[start:start + 2000]).values(*POINT_FIELDS):
            features.append(_feature(incident["longitude"], incident["latitude"], _point_properties(incident)))
    return {"type": "FeatureCollection", "features": features, "total": total, "zoom": zoom,
            "cell_degrees": float(cell)}


