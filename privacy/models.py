"""The record of every erasure of a person's identity, and of every refusal (GDPR Art. 17, 152-FZ art. 21).

A row is written in the same transaction as the erasure (or, for a refusal, on its own), and is never changed
afterwards. It names the person by id and pseudonym only: the identity it is about is what was erased.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ErasureRecord(models.Model):
    class Outcome(models.TextChoices):
        ERASED = "erased", _("Erased")
        REFUSED = "refused", _("Refused: legal hold")

    class Ground(models.TextChoices):
        REQUEST = "request", _("Request of the person (GDPR Art. 17(1); 152-FZ art. 21)")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed for the purpose")
        UNLAWFUL = "unlawful", _("Processed unlawfully")
        OTHER = "other", _("Other (see the note)")

    person = models.ForeignKey(
        "cases.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="erasures",
        verbose_name=_("person"),
    )
    person_pseudonym = models.CharField(_("pseudonym"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    ground = models.CharField(_("ground"), max_length=32, choices=Ground.choices, default=Ground.REQUEST)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    blocking_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("case under legal hold"),
    )
    blocking_case_label = models.CharField(_("case under legal hold"), max_length=420, blank=True)
    history_rows = models.PositiveIntegerField(_("history rows rewritten"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("requested by"),
    )
    requested_by_username = models.CharField(_("requested by"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.person_pseudonym} ({self.at:%Y-%m-%d})"
