"""The search results page (``/search/``). Thin: validate, call the service, render."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Incident
from search import service


@login_required
def search_page(request):
    error = ""
    page = None
    q = request.GET.get("q", "")
    if q.strip() or any(request.GET.get(k) for k in ("type", "case", "category", "status")):
        try:
            params = service.search_params(request.GET)
        except service.SearchError as exc:
            error = str(exc)
        else:
            page = service.search(request.user, params)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "q": q,
        "page": page,
        "error": error,
        "querystring": query.urlencode(),
        "selected": {k: request.GET.get(k, "") for k in ("type", "case", "category", "status", "date_from",
                                                          "date_to")},
        "type_choices": list(service.TYPE_PLURALS.items()),
        "category_choices": Incident.Category.choices,
        "status_choices": Case.Status.choices,
    }
    return render(request, "search/results.html", context, status=400 if error else 200)
