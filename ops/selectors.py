"""Reads for the operations records. What a user sees of a verification run follows the access model: a lead sees
the counts and failures of the items in the cases they lead (and may view), nothing of any other case."""
from __future__ import annotations

from typing import Any

from django.db.models import Q

from cases import permissions as cp
from evidence.models import EvidenceItem
from evidence.permissions import VIEW, evidence_for
from ops.models import VerificationFailure, VerificationRun

MAX_FAILURES_SHOWN = 10


def lead_evidence(user):
    """Live evidence items in the live cases ``user`` leads (as an exhibit, or through an incident of the case),
    limited to what they may view."""
    led = cp.case_ids_for(user, cp.MANAGE_MEMBERS)
    in_led = EvidenceItem.objects.filter(
        Q(exhibits__case__in=led, exhibits__removed_at__isnull=True) | Q(incidents__cases__in=led)
    ).values("pk")
    return evidence_for(user, VIEW).filter(pk__in=in_led)


def verification_summary_for(*, user) -> dict[str, Any] | None:
    """The last verification, as a lead of some case may see it; None for anyone who leads no case."""
    if not cp.cases_for(user, cp.MANAGE_MEMBERS).exists():
        return None
    run = VerificationRun.objects.exclude(status=VerificationRun.Status.RUNNING).first()
    running = VerificationRun.objects.filter(status=VerificationRun.Status.RUNNING).exists()
    if run is None:
        return {"run": None, "running": running}
    items = lead_evidence(user)
    failures = (
        VerificationFailure.objects.filter(run=run, item__in=items.values("pk"))
        .select_related("item").order_by("item_id")
    )
    return {
        "run": run, "running": running,
        "checked": items.filter(created_at__lte=run.started_at).count(),
        "failed": failures.count(),
        "failures": list(failures[:MAX_FAILURES_SHOWN]),
        "complete": run.status == VerificationRun.Status.DONE,
    }
