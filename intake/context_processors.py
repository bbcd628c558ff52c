"""``nav_can_triage`` for the navigation: whether to show the link to the queue of public reports.

Only the link: the queue and every report in it ask ``intake.permissions`` on every request. The answer is kept in
the cache for a minute per user, so a page of lists does not spend a query on its navigation; asked only when a
page shows the navigation, and under its own name (a page's own ``perms`` variable cannot hide it)."""
from __future__ import annotations

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

NAV_SECONDS = 60


def _nav_can_triage(user) -> bool:
    from intake.permissions import can_triage

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    key = f"docket:nav-triage:{user.pk}"
    cached = cache.get(key)
    if cached is None:
        cached = can_triage(user)
        cache.set(key, cached, NAV_SECONDS)
    return bool(cached)


def intake_nav(request) -> dict:
    return {"nav_can_triage": SimpleLazyObject(lambda: _nav_can_triage(getattr(request, "user", None)))}
