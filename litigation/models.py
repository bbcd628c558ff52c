"""The lawyers' workflow: claims and the authorities they cite, requests to authorities and data controllers with
their statutory reply deadlines, and tasks.

Every row belongs to a case (an authority may instead be in the shared library) and keeps its history
(django-simple-history). Who may see or change what is decided by the case, through ``litigation.permissions``
(built on ``cases.permissions``); the rules are in docs/access-model.md, "Claims, authorities, requests, tasks".
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Party, Proceeding, validate_jurisdiction


def _today() -> dt.date:
    return timezone.localdate()


# --- Claims ---------------------------------------------------------------------------------------------------
class Claim(models.Model):
    """A claim made in a case (and, optionally, in one of its proceedings): the right or provision invoked, the
    factual and legal basis, the relief sought and the outcome at that instance."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claims", verbose_name=_("case"))
    proceeding = models.ForeignKey(
        Proceeding, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims",
        verbose_name=_("proceeding"),
    )
    right = models.CharField(
        _("right or provision invoked"), max_length=500,
        help_text=_("E.g. Article 8 of the Convention (private life); 152-FZ art. 11 (biometric data)."),
    )
    basis = models.TextField(_("basis"), blank=True, max_length=20000,
                             help_text=_("The facts and the law the claim rests on."))
    relief = models.TextField(_("relief sought"), blank=True, max_length=10000)
    outcome = models.TextField(_("outcome"), blank=True, max_length=10000,
                               help_text=_("What the court or authority decided on this claim."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return self.right

    def get_absolute_url(self) -> str:
        return reverse("claim-detail", args=[self.pk])


# --- Authorities ----------------------------------------------------------------------------------------------
def validate_web_url(value: str) -> None:
    """Only http(s) links: a javascript: or file: URL is never stored, so it is never rendered as a link."""
    URLValidator(schemes=["http", "https"])(value)


class Authority(models.Model):
    """A legal authority: a judgment, a decision, a statute. In the shared library when ``case`` is empty;
    private to one case otherwise (e.g. a decision given in that very case, which names the client)."""

    class Kind(models.TextChoices):
        JUDGMENT = "judgment", _("Judgment")
        DECISION = "decision", _("Decision")
        STATUTE = "statute", _("Statute")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.JUDGMENT)
    title = models.CharField(_("title"), max_length=500)
    citation = models.CharField(_("citation"), max_length=500, blank=True,
                                help_text=_("As cited in court, e.g. Glukhin v. Russia, no. 11519/20, 4 July 2023."))
    court = models.CharField(_("court or issuing body"), max_length=300, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    identifier = models.CharField(_("identifier"), max_length=200, blank=True,
                                  help_text=_("An application number, ECLI or case number."))
    url = models.CharField(_("link"), max_length=1000, blank=True, validators=[validate_web_url])
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="private_authorities",
        verbose_name=_("private to case"),
        help_text=_("Empty: in the shared library. Set: seen only through this case."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["kind", "date", "title", "id"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        indexes = [models.Index(fields=["identifier"])]

    def __str__(self) -> str:
        return self.citation or self.title

    def get_absolute_url(self) -> str:
        return reverse("authority-detail", args=[self.pk])

    @property
    def shared(self) -> bool:
        return self.case_id is None


class Citation(models.Model):
    """A claim citing an authority, at a pinpoint (a paragraph, an article)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations", verbose_name=_("claim"))
    # RESTRICT, not PROTECT: a cited authority cannot be deleted on its own, but a case purged with its claims
    # takes its private authorities along with the citations of them.
    authority = models.ForeignKey(Authority, on_delete=models.RESTRICT, related_name="citations",
                                  verbose_name=_("authority"))
    pinpoint = models.CharField(_("pinpoint"), max_length=200, blank=True,
                                help_text=_("E.g. §§ 82-90; art. 20(1)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(fields=["claim", "authority", "pinpoint"], name="unique_citation"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.pinpoint}".strip()


# --- Requests to authorities and data controllers -------------------------------------------------------------
class AuthorityRequestQuerySet(models.QuerySet):
    def open(self) -> "AuthorityRequestQuerySet":
        """Sent and not answered: the addressee still owes a reply."""
        return self.filter(status__in=AuthorityRequest.OPEN_STATUSES, replied_on__isnull=True)

    def with_related(self) -> "AuthorityRequestQuerySet":
        return self.select_related("case", "rule", "requester", "requester__person", "reply_evidence",
                                   "created_by")


class AuthorityRequest(models.Model):
    """A request to a public authority or a data controller: a data-subject access request, an appeal, an
    information request, a complaint. Its reply deadline is computed by the deadline rules engine."""

    class Kind(models.TextChoices):
        RU_152FZ_ACCESS = "ru-152fz-access", _("Access request under 152-FZ (personal data)")
        RU_59FZ_APPEAL = "ru-59fz-appeal", _("Appeal under 59-FZ (citizens' appeals)")
        RU_8FZ_INFORMATION = "ru-8fz-information", _("Information request under 8-FZ")
        GDPR_ACCESS = "gdpr-access", _("Access request under the GDPR")
        DPA_COMPLAINT = "dpa-complaint", _("Complaint to a data-protection authority")
        OTHER = "other", _("Other request")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        OVERDUE = "overdue", _("Overdue")
        REFUSED = "refused", _("Refused")

    OPEN_STATUSES = (Status.SENT, Status.OVERDUE)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="authority_requests",
                             verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.OTHER)
    addressee = models.CharField(_("addressee"), max_length=300,
                                 help_text=_("The authority or data controller, e.g. Moscow Metro."))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text of the request"), blank=True, max_length=20000)
    requester = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="authority_requests",
        verbose_name=_("on behalf of"), help_text=_("The party of the case in whose name the request is made."),
    )
    reply_to = models.CharField(_("address for the reply"), max_length=500, blank=True)
    reference = models.CharField(_("reference or registration number"), max_length=100, blank=True)
    jurisdiction = models.CharField(
        _("calendar"), max_length=4, blank=True, validators=[validate_jurisdiction],
        help_text=_("Whose non-working days count (ISO country code). Empty: the rule's own."),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    received_on = models.DateField(_("received or registered on"), null=True, blank=True,
                                   help_text=_("When the addressee received or registered the request."))
    rule = models.ForeignKey(
        "deadlines.DeadlineRule", null=True, blank=True, on_delete=models.PROTECT, related_name="authority_requests",
        verbose_name=_("rule"),
    )
    extended = models.BooleanField(
        _("extended by the addressee"), default=False,
        help_text=_("The addressee gave notice extending the time to reply, as the law allows."),
    )
    reply_due = models.DateField(_("reply due"), null=True, blank=True, db_index=True)
    explanation = models.JSONField(_("how the date was computed"), default=list, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    reply_evidence = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reply (evidence)"),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    objects = AuthorityRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["reply_due", "id"]
        verbose_name = _("request to an authority")
        verbose_name_plural = _("requests to authorities")
        indexes = [models.Index(fields=["status", "reply_due"]), models.Index(fields=["case", "reply_due"])]

    def __str__(self) -> str:
        return self.subject or f"{self.get_kind_display()} — {self.addressee}"

    def get_absolute_url(self) -> str:
        return reverse("request-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.sent_on and self.received_on and self.received_on < self.sent_on:
            errors["received_on"] = _("The addressee cannot receive the request before it was sent.")
        if self.replied_on and self.sent_on and self.replied_on < self.sent_on:
            errors["replied_on"] = _("The reply cannot come before the request was sent.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.replied_on is None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or _today()
        return self.is_open and self.reply_due is not None and self.reply_due < today


# --- Tasks ----------------------------------------------------------------------------------------------------
class TaskQuerySet(models.QuerySet):
    def with_related(self) -> "TaskQuerySet":
        return self.select_related("case", "assignee", "done_by", "created_by")


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case"))
    title = models.CharField(_("title"), max_length=300)
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="litigation_tasks",
        verbose_name=_("assignee"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    done = models.BooleanField(_("done"), default=False, db_index=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("done by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["done", models.F("due_date").asc(nulls_last=True), "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assignee", "done"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("task-detail", args=[self.pk])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or _today()
        return not self.done and self.due_date is not None and self.due_date < today


class RequestReminderSent(models.Model):
    """One reminder to one recipient for one request and lead time: the row that makes the daily run idempotent."""

    request = models.ForeignKey(AuthorityRequest, on_delete=models.CASCADE, related_name="reminders",
                                verbose_name=_("request"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    lead_days = models.SmallIntegerField(_("lead time (days)"), help_text=_("-1: the notice that it is overdue."))
    due_date = models.DateField(_("reply due when sent"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("request reminder sent")
        verbose_name_plural = _("request reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["request", "user", "lead_days", "due_date"],
                                    name="unique_request_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.user_id} ({self.lead_days})"
