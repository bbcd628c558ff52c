"""``nav_can_triage`` for the navigation: whether to show the link to the queue of public reports.

Only the link: the queue and every report in it ask ``intake.permissions`` on every request. The answer is taken
when the user signs in (``intake.apps``: ``user_logged_in``) and kept in their session, so no page spends a query
on its navigation; it is named on its own (a page's own ``perms`` variable cannot hide it)."""
from __future__ import annotations

SESSION_KEY = "docket_nav_can_triage"


def remember_triage_right(sender, request, user, **kwargs) -> None:
    """On sign-in: whether the navigation offers the queue of public reports."""
    from intake.permissions import can_triage

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = bool(can_triage(user))


def intake_nav(request) -> dict:
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return {"nav_can_triage": False}
    return {"nav_can_triage": bool(session.get(SESSION_KEY, False))}
