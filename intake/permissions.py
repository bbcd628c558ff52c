"""Who may triage public reports: users holding the site permission ``cases.triage_intake`` (superusers hold
every permission). Everyone else gets 404 for the queue and for every report in it, as for a missing report."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cases import permissions as cp
from intake.models import Report

TRIAGE_PERMISSION = "cases.triage_intake"


def can_triage(user) -> bool:
    """One query (not the two of ``has_perm``'s user and group permission sets): the permission held directly or
    through a group; superusers hold it."""
    if user is None or not cp.is_active_user(user):
        return False
    if user.is_superuser:
        return True
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    app_label, codename = TRIAGE_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).filter(
        Q(user=user) | Q(group__user=user)).exists()


def reports_for(user) -> QuerySet:
    return Report.objects.all() if can_triage(user) else Report.objects.none()


def report_require(user, pk) -> Report:
    """The report, for a triager; Http404 for anyone else, and for a missing report."""
    pk = cp.parse_id(pk)
    report = reports_for(user).filter(pk=pk).first() if pk is not None else None
    if report is None:
        raise Http404("No such report.")
    return report
