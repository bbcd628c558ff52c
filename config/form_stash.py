"""Keep what someone typed when their session ended before they pressed "Save".

A form posted after the session expired gets Django's redirect to the sign-in page. This middleware then keeps the
posted fields in the (new, anonymous) session under a one-time key, adds the key to the ``next`` address, and, when
the same user has signed in again and lands on that address, shows the form page with the fields filled in — as
a bound form that has not been submitted: nothing is saved until they press the button again.

- **CSRF.** Only a POST that passed Django's CSRF check reaches the login redirect, so nothing forged is kept. The
  CSRF token itself is not kept, and the restored page is a plain GET: the form carries a fresh token and the user
  submits it themselves. Nothing is ever replayed.
- **Only for the same person.** A signed, HTTP-only cookie names the last account signed in on this browser (it
  outlives the session). Without it nothing is kept; the fields come back only to that account, only on the page
  they were typed on, and only once.
- **Not longer than needed.** At most ``STASH_SECONDS`` (the anonymous session that holds the fields expires then
  too), at most ``MAX_BYTES``; never passwords, never files (a body larger than that is not even read); dropped when
  used, when another account signs in, or when too old. The signed-in session gets its normal length back.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

STASH_KEY = "docket_form_stash"
EXPIRY_MARK = "docket_form_stash_expiry"
RESTORE_PARAM = "restore"
STASH_SECONDS = 30 * 60
MAX_BYTES = 256 * 1024
HINT_COOKIE = "docket_last_user"
HINT_SALT = "docket.form_stash.last_user"
NEVER_KEPT = ("csrfmiddlewaretoken",)


def _hint_age() -> int:
    return int(settings.SESSION_COOKIE_AGE) + 7 * 24 * 3600


def _last_user(request: HttpRequest) -> int | None:
    raw = request.COOKIES.get(HINT_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=HINT_SALT, max_age=_hint_age())
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _login_redirect_next(request: HttpRequest, response: HttpResponse) -> tuple[list, str] | None:
    """The query of a redirect to the sign-in page that comes back to this very page (Django's login_required),
    and the ``next`` it names; None for any other response."""
    if response.status_code not in (301, 302, 303) or "Location" not in response:
        return None
    location = urlsplit(response["Location"])
    if location.netloc or location.path != resolve_url(settings.LOGIN_URL):
        return None
    query = parse_qsl(location.query, keep_blank_values=True)
    next_url = dict(query).get("next", "")
    if urlsplit(next_url).path != request.path:
        return None
    return query, next_url


class FormStashMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and STASH_KEY in request.session:
            self._restore(request)
        response = self.get_response(request)
        if request.method == "POST" and not request.user.is_authenticated:
            self._stash(request, response)
        if request.user.is_authenticated:
            if request.session.get(EXPIRY_MARK):  # signed in again: the session gets its normal length back
                request.session.pop(EXPIRY_MARK)
                request.session.set_expiry(None)
            if _last_user(request) != request.user.pk:
                response.set_cookie(
                    HINT_COOKIE, signing.dumps(request.user.pk, salt=HINT_SALT), max_age=_hint_age(),
                    httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    # --- keeping ---------------------------------------------------------------------------------------------
    def _stash(self, request: HttpRequest, response: HttpResponse) -> None:
        if request.path.startswith("/api/"):
            return
        redirect = _login_redirect_next(request, response)
        owner = _last_user(request)
        if redirect is None or owner is None:
            return
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES:
                return  # a big body (an upload) is not read here at all
        except ValueError:
            return
        if request.FILES:
            return  # files are never kept; a form with one is redone with the file
        fields = [[name, value] for name, values in request.POST.lists() for value in values
                  if name not in NEVER_KEPT and "password" not in name.lower()]
        if not fields:
            return
        key = secrets.token_urlsafe(16)
        request.session[STASH_KEY] = {"key": key, "path": request.path, "owner": owner, "at": time.time(),
                                      "fields": fields}
        request.session[EXPIRY_MARK] = True
        request.session.set_expiry(STASH_SECONDS)  # the anonymous session holding the fields does not outlive them
        query, next_url = redirect
        parts = urlsplit(next_url)
        next_query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != RESTORE_PARAM]
        next_query.append((RESTORE_PARAM, key))
        next_url = urlunsplit(("", "", parts.path, urlencode(next_query), ""))
        location = urlsplit(response["Location"])
        query = [(k, next_url if k == "next" else v) for k, v in query]
        response["Location"] = urlunsplit(("", "", location.path, urlencode(query, safe="/"), ""))
        messages.info(request, _("Your session had ended. Sign in again: what you typed is kept and will be back "
                                 "in the form, ready to save."))

    # --- giving back -----------------------------------------------------------------------------------------
    def _restore(self, request: HttpRequest) -> None:
        stash = request.session.get(STASH_KEY) or {}
        fresh = time.time() - float(stash.get("at") or 0) <= STASH_SECONDS
        if not fresh or stash.get("owner") != request.user.pk:
            request.session.pop(STASH_KEY, None)  # too old, or typed by someone else: never shown
            return
        given = request.GET.get(RESTORE_PARAM, "") if request.method == "GET" else ""
        if not given or not secrets.compare_digest(given, str(stash.get("key", ""))) \
                or stash.get("path") != request.path:
            return
        request.session.pop(STASH_KEY, None)
        data = QueryDict(mutable=True)
        for name, value in stash.get("fields") or []:
            data.appendlist(name, value)
        data._mutable = False
        # A GET whose form is bound to what was typed: the views render ``Form(request.POST or None)`` with these
        # values and validate them, and save only on a real POST.
        request._post, request._files = data, MultiValueDict()
        request.form_restored = True
        messages.info(request, _("What you typed before your session ended is back in the form. Check it and "
                                 "save again."))
