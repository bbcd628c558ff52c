"""Error pages (JSON under /api/, HTML elsewhere) and a health check."""
from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _error(request: HttpRequest, status: int, message: str, *, extra: dict | None = None,
           two_factor: bool = False) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, **(extra or {})}, status=status)
    return render(request, "error.html", {"status": status, "message": message, "two_factor": two_factor},
                  status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    extra = getattr(exception, "api_extra", None)
    if extra is not None:  # a refusal that says what to do about it: sign in with two factors
        return _error(request, 403, str(exception), extra=extra, two_factor=True)
    return _error(request, 403, _("You do not have permission to do this."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Something went wrong on our side. The error has been logged."))


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
