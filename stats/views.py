"""Pages: statistics (charts as server-rendered SVG, each with its table and a CSV download) and the map of
incidents (Leaflet and a Natural Earth basemap served from static/, clusters computed by the server). Both take
the incident list's filters (the same form)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases.filters import IncidentFilter
from cases.models import Incident
from config.middleware import POLICY
from stats import charts, selectors


def _filters(request: HttpRequest):
    """The incident list's filter form (cases.filters.IncidentFilter) and the filters it accepted, as the list reads
    them (refused ones are shown on the form and ignored)."""
    filterset = IncidentFilter(request.GET or None, user=request.user)
    form = filterset.form
    if not filterset.is_bound:
        return form, {}
    form.is_valid()
    accepted = {name: request.GET.get(name) for name in filterset.filters
                if name != "sort" and name not in form.errors and request.GET.get(name) not in (None, "")}
    return form, accepted


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    for name in ("by", "page"):
        params.pop(name, None)
    return params.urlencode()


def _label_for(by: str):
    categories = dict(Incident.Category.choices)
    unknown = _("(not given)")

    def month(key: str) -> str:
        return formats.date_format(dt.date.fromisoformat(key + "-01"), "YEAR_MONTH_FORMAT")

    if by == "month":
        return month
    if by == "category":
        return lambda key: str(categories.get(key, key)) or unknown
    return lambda key: key or unknown


TITLES = {"month": gettext_lazy("By month"), "category": gettext_lazy("By category"),
          "agency": gettext_lazy("By agency"), "system": gettext_lazy("By system"), "city": gettext_lazy("By city")}


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    sections = []
    total = None
    for by in selectors.DIMENSIONS:
        buckets = selectors.incident_buckets(user=request.user, by=by, filters=filters)
        label = _label_for(by)
        if by == "month":
            total = sum(b["count"] for b in buckets)
            chart = charts.columns(buckets, month_label=label)
        else:
            chart = charts.bars(buckets, label=label, other=_("Other"))
        sections.append({"by": by, "title": str(TITLES[by]), "chart": chart,
                         "rows": [{"key": b["key"], "label": label(b["key"]), "count": b["count"]} for b in buckets]})
    return render(request, "stats/stats.html", {"form": form, "sections": sections, "total": total or 0,
                                                "query": _query(request), "filtered": bool(filters)})


@login_required
@require_GET
def stats_csv(request: HttpRequest) -> HttpResponse:
    """One statistic as CSV (UTF-8 with a byte-order mark): key, label, count."""
    _form, filters = _filters(request)
    by = request.GET.get("by", "month")
    try:
        buckets = selectors.incident_buckets(user=request.user, by=by, filters=filters)
    except ValidationError:
        by = "month"
        buckets = selectors.incident_buckets(user=request.user, by=by, filters=filters)
    label = _label_for(by)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([by, "label", "count"])
    for bucket in buckets:
        writer.writerow([bucket["key"], label(bucket["key"]), bucket["count"]])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="docket-incidents-by-{by}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def tile_origin() -> str:
    url = settings.DOCKET_MAP_TILE_URL
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    with_coordinates = selectors.visible_incidents(user=request.user, filters=filters).filter(
        latitude__isnull=False, longitude__isnull=False)
    response = render(request, "stats/map.html", {
        "form": form, "query": _query(request), "filtered": bool(filters),
        "count": with_coordinates.count(), "sample": with_coordinates.order_by("-occurred_at", "-pk")[:50],
        "tile_url": settings.DOCKET_MAP_TILE_URL if tile_origin() else "",
    })
    origin = tile_origin()
    if origin:  # the one outside server the map may load from, and only when the site chose one
        response["Content-Security-Policy"] = POLICY.replace("img-src 'self' data: blob:",
                                                             f"img-src 'self' data: blob: {origin}")
    return response
