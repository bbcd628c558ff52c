"""Organisation templates (.docx with placeholders), the record of every document produced, and the signature
details a user's documents carry.

A template's bytes live in the ``templates`` storage (``DOCUMENT_TEMPLATES_DIR``, or a bucket) named by their SHA-256 (write-once, like
evidence); the row keeps the name, who uploaded it, the placeholders it uses and whom it belongs to: a case (its
members who may generate documents see and use it), the site (staff upload and manage it, everyone who may generate
documents uses it), or — for templates uploaded before templates had an owner — only the person who uploaded it,
until they attach it to one of their cases. ``DocumentExport`` is the audit trail of generated documents and
bundles, written in the same transaction as the custody events of a bundle. ``UserProfile`` holds the full name,
position, power of attorney and place printed in the signature block of the user's documents.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case


class DocumentTemplate(models.Model):
    class Scope(models.TextChoices):
        CASE = "case", _("One case")
        SITE = "site", _("The whole site")
        PERSONAL = "personal", _("Only the person who uploaded it")

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
    scope = models.CharField(_("belongs to"), max_length=8, choices=Scope.choices, default=Scope.CASE)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="document_templates",
        verbose_name=_("case"), help_text=_("The case whose members may use the template (scope: one case)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(scope="case", case__isnull=False) | (~models.Q(scope="case")
                                                                         & models.Q(case__isnull=True))),
                name="template_case_iff_case_scope",
            ),
        ]
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


class UserProfile(models.Model):
    """What a user's documents print in their signature block. Edited by the user (Documents → Signature) and by
    administrators in the admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_profile", verbose_name=_("user")
    )
    full_name = models.CharField(
        _("full name"), max_length=300, blank=True,
        help_text=_("As it must appear under your signature, e.g. “Voronova Anna Sergeyevna”."),
    )
    position = models.CharField(
        _("position"), max_length=300, blank=True,
        help_text=_("E.g. “Advocate, representative of the administrative claimant”."),
    )
    power_of_attorney = models.CharField(
        _("power of attorney"), max_length=300, blank=True,
        help_text=_("The authority you sign under, e.g. “power of attorney No. 77 AA 1234567 of 10 January 2025”."),
    )
    place = models.CharField(_("place of signing"), max_length=200, blank=True, help_text=_("E.g. “Moscow”."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("signature details")
        verbose_name_plural = _("signature details")

    def __str__(self) -> str:
        return self.full_name or str(self.user)
