"""Reports sent by members of the public through ``/report/`` or ``POST /api/v1/intake/``.

A report holds only what the reporter typed (and the file they chose): no address, no user agent, no header. Its
time of arrival is kept to the hour (``received_at``), so the row cannot be matched to a connection; the history
row of its creation carries the same coarse time. The receipt given to the reporter is kept only as its SHA-256.
A file waits in the intake store (``intake.storage``) until the report is accepted (then it becomes an evidence
item) or rejected (then it is removed).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Incident


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    receipt_digest = models.CharField(_("receipt digest"), max_length=64, unique=True, editable=False)
    received_at = models.DateTimeField(_("received (to the hour)"), editable=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("location"), max_length=300)
    description = models.TextField(_("what happened"), max_length=20000)
    category = models.CharField(_("category"), max_length=24, choices=Incident.Category.choices,
                                default=Incident.Category.WRONGFUL_STOP)
    contact = models.TextField(_("contact"), blank=True, max_length=1000)
    consent = models.BooleanField(_("consent given"), default=False)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, editable=False)
    file_size = models.BigIntegerField(_("file size"), null=True, blank=True, editable=False)
    file_media_type = models.CharField(_("file media type"), max_length=100, blank=True, editable=False)
    file_name = models.CharField(_("file name"), max_length=255, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason for rejection"), blank=True, max_length=5000)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("incident")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.location}"[:120]

    @property
    def has_file(self) -> bool:
        return bool(self.file_sha256)
