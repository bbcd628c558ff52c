"""Organisation templates (.docx with placeholders) and the record of every document produced.

A template's bytes live in the ``templates`` storage (``DOCUMENT_TEMPLATES_DIR``, or a bucket) named by their
SHA-256 (write-once, like evidence); the row keeps the name, who uploaded it and the placeholders it uses. ``DocumentExport`` is the audit
trail of generated documents and bundles, written in the same transaction as the custody events of a bundle.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case


class DocumentTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return self.name


class DocumentExport(models.Model):
    class Kind(models.TextChoices):
        EXHIBIT_LIST = "exhibit_list", _("Exhibit list")
        CHRONOLOGY = "chronology", _("Chronology")
        INCIDENT_DOSSIER = "incident_dossier", _("Incident dossier")
        CUSTODY_REPORT = "custody_report", _("Custody report")
        BUNDLE = "bundle", _("Court bundle")
        TEMPLATE = "template", _("Filled template")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="document_exports", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    sha256 = models.CharField(_("SHA-256 of the document"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document export")
        verbose_name_plural = _("document exports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.case_id} — {self.created_at:%Y-%m-%d %H:%M}"
