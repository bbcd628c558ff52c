"""The weekly verification of all evidence: every item's stored file re-hashed and custody chain checked
(``evidence.services.evidence_check``), a custody ``verified`` entry written for each item in the same transaction
as its failure record, and one ``VerificationRun`` row summing it up. Run by the scheduler (``ops.scheduler``) or
by hand with ``manage.py run_scheduled --now verification``."""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from evidence.models import CustodyEvent, EvidenceItem
from evidence.services import custody_record, evidence_check
from ops.models import VerificationFailure, VerificationRun

logger = logging.getLogger("docket")


def evidence_verify_all(*, trigger: str = "scheduled", on_item: Callable[[int, int], None] | None = None
                        ) -> VerificationRun:
    """Verify every evidence item (trashed ones too: their files and chains are kept). The run row is created
    first, so a crash leaves a visible ``running`` run that the next one marks ``crashed``."""
    VerificationRun.objects.filter(status=VerificationRun.Status.RUNNING).update(
        status=VerificationRun.Status.CRASHED, finished_at=timezone.now())
    run = VerificationRun.objects.create(trigger=trigger[:20])
    total = EvidenceItem.objects.count()
    try:
        for item in EvidenceItem.objects.order_by("pk").iterator(chunk_size=200):
            result = evidence_check(item)
            with transaction.atomic():
                custody_record(
                    item=item, user=None, action=CustodyEvent.Action.VERIFIED, sha256=result["actual_sha256"] or "",
                    detail={"ok": result["ok"], "problems": result["problems"][:20], "run": run.pk,
                            "trigger": run.trigger},
                )
                if not result["ok"]:
                    VerificationFailure.objects.create(run=run, item=item, problems=result["problems"][:50])
                    run.items_failed += 1
            run.items_checked += 1
            if on_item:
                on_item(run.items_checked, total)
    except Exception as exc:
        logger.exception("the verification of all evidence stopped")
        run.status, run.error, run.finished_at = VerificationRun.Status.CRASHED, repr(exc)[:2000], timezone.now()
        run.save()
        raise
    run.status, run.finished_at = VerificationRun.Status.DONE, timezone.now()
    run.save()
    if run.items_failed:
        logger.error("evidence verification run %s: %s of %s items failed", run.pk, run.items_failed,
                     run.items_checked)
    return run
