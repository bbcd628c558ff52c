"""Evidence: items, their exhibit numbers in cases, and the append-only chain-of-custody log.

An ``EvidenceItem`` points at a content-addressed blob (``evidence.storage``) by its SHA-256; the bytes are never
modified. Two items may share one blob (the same bytes uploaded twice): each keeps its own title, links and
custody log. ``CustodyEvent`` rows form a hash chain per item (``prev_hash`` → ``entry_hash``) and are sealed
with an HMAC keyed by the server's secret, so editing, inserting or deleting an entry is detected by
``evidence.services.evidence_verify`` and ``manage.py verify_evidence``.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Incident, TrashQuerySet
from config.inputs import validate_date_range


class EvidenceItem(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")
        DOCUMENT = "document", _("Document")
        WEB_CAPTURE = "web_capture", _("Web capture")
        TESTIMONY = "testimony", _("Testimony")
        OTHER = "other", _("Other")

    class Extraction(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(_("source"), max_length=500, blank=True,
                              help_text=_("Where the item comes from: a person, a URL, an archive."))
    obtained_at = models.DateTimeField(_("obtained at"), null=True, blank=True, validators=[validate_date_range])
    obtained_by = models.CharField(_("obtained by"), max_length=300, blank=True)
    restricted = models.BooleanField(
        _("restricted"), default=False, help_text=_("Observers may see the record but not download the file.")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, editable=False)
    size = models.BigIntegerField(_("size in bytes"), editable=False)
    media_type = models.CharField(_("media type"), max_length=100, editable=False)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True, editable=False)
    extraction_state = models.CharField(
        _("extraction"), max_length=8, choices=Extraction.choices, default=Extraction.PENDING, editable=False
    )
    extraction_error = models.TextField(_("extraction error"), blank=True, editable=False)
    extracted_at = models.DateTimeField(_("extracted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("uploaded by"),
    )
    deleted_at = models.DateTimeField(_("moved to trash at"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("moved to trash by"),
    )
    cases = models.ManyToManyField(
        Case, through="CaseExhibit", related_name="evidence", blank=True, verbose_name=_("cases")
    )
    incidents = models.ManyToManyField(Incident, related_name="evidence", blank=True, verbose_name=_("incidents"))

    objects = TrashQuerySet.as_manager()
    # The extracted text is derived data (re-extractable from the blob): kept out of the history tables.
    history = HistoricalRecords(excluded_fields=["extracted_text"], m2m_fields=[incidents])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return self.title or self.original_filename or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("evidence-detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return str(self)

    @property
    def is_trashed(self) -> bool:
        return self.deleted_at is not None


class CaseExhibit(models.Model):
    """An item's exhibit number in a case. Numbers run 1, 2, 3… per case and are never reused: removing an
    exhibit only marks the row (``removed_at``); linking the item again restores the same number."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exhibits", verbose_name=_("case"))
    item = models.ForeignKey(
        EvidenceItem, on_delete=models.CASCADE, related_name="exhibits", verbose_name=_("evidence item")
    )
    number = models.PositiveIntegerField(_("exhibit number"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("added by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_exhibit_number"),
            models.UniqueConstraint(fields=["case", "item"], name="unique_exhibit_item"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.number}"


class AppendOnlyError(Exception):
    """Custody entries are never changed or deleted through the application."""


class CustodyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401
        raise AppendOnlyError("custody events are append-only")

    def delete(self):
        raise AppendOnlyError("custody events are append-only")


class CustodyEvent(models.Model):
    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        DOWNLOADED = "downloaded", _("Downloaded")
        PREVIEWED = "previewed", _("Previewed")
        VIEWED = "viewed", _("Text or metadata viewed")
        EXPORTED = "exported", _("Exported")
        VERIFIED = "verified", _("Verified")
        LINKED = "linked", _("Linked")
        UNLINKED = "unlinked", _("Unlinked")
        RESTRICTED = "restricted", _("Restriction changed")
        EDITED = "edited", _("Description edited")
        TRASHED = "trashed", _("Moved to trash")
        RESTORED = "restored", _("Restored from trash")
        INTEGRITY_FAILED = "integrity_failed", _("Integrity check failed")
        INTAKE = "intake", _("Received through public intake")
        ACCEPTED = "accepted", _("Accepted from intake")

    item = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, related_name="custody_events", verbose_name=_("evidence item")
    )
    seq = models.PositiveIntegerField(_("sequence"))
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous entry hash"), max_length=64)
    entry_hash = models.CharField(_("entry hash"), max_length=64)
    seal = models.CharField(_("seal"), max_length=64)

    objects = CustodyQuerySet.as_manager()

    class Meta:
        ordering = ["item", "seq"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="unique_custody_seq")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("custody events are append-only")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("custody events are append-only")


class CustodyHead(models.Model):
    """The latest entry of an item's custody chain, so that removing the last entries is detected too."""

    item = models.OneToOneField(EvidenceItem, on_delete=models.PROTECT, primary_key=True, related_name="custody_head")
    seq = models.PositiveIntegerField()
    entry_hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("custody chain head")
        verbose_name_plural = _("custody chain heads")
