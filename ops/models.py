"""Records of the operations Docket runs by itself: each scheduled job's runs, and each verification of all evidence
with the items that failed it. Written by the system only (never edited), so they keep no separate history."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationRun(models.Model):
    """One pass of ``ops.verification.evidence_verify_all`` over every evidence item."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CRASHED = "crashed", _("Stopped before the end")

    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    trigger = models.CharField(_("started by"), max_length=20, default="scheduled")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    items_checked = models.PositiveIntegerField(_("items checked"), default=0)
    items_failed = models.PositiveIntegerField(_("items that failed"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("evidence verification run")
        verbose_name_plural = _("evidence verification runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status} {self.items_failed}/{self.items_checked}"


class VerificationFailure(models.Model):
    """An evidence item that failed a verification run, with what was wrong."""

    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="failures",
                            verbose_name=_("verification run"))
    item = models.ForeignKey("evidence.EvidenceItem", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("evidence item"))
    problems = models.JSONField(_("problems"), default=list)

    class Meta:
        ordering = ["run", "item"]
        verbose_name = _("verification failure")
        verbose_name_plural = _("verification failures")
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="unique_failure_per_run")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.item_id}"


class ScheduledJobRun(models.Model):
    """One run of a scheduled job by ``manage.py run_scheduled`` (what it did, or the error that stopped it)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ENQUEUED = "enqueued", _("Queued for a worker")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=40, db_index=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
