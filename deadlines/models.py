"""Deadlines, the procedural rules they are computed from, reminders and the private calendar feed.

Every model keeps its history (django-simple-history). Who may see or change a deadline is decided by its case,
through ``deadlines.permissions`` (which calls ``cases.permissions``).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Proceeding, validate_jurisdiction
from config.inputs import validate_date_range
from deadlines import engine

DEFAULT_LEAD_DAYS = [14, 7, 3, 1]
MISSED_LEAD = -1  # the lead time recorded for the one "missed" notice


class DeadlineRule(models.Model):
    """A procedural time-limit as data. Superusers add and edit rules in the admin; the engine reads ``as_spec()``."""

    class Unit(models.TextChoices):
        YEARS = engine.Unit.YEARS.value, _("years")
        MONTHS = engine.Unit.MONTHS.value, _("months")
        DAYS = engine.Unit.DAYS.value, _("calendar days")
        WORKING_DAYS = engine.Unit.WORKING_DAYS.value, _("working days")

    class Start(models.TextChoices):
        NEXT_DAY = engine.Start.NEXT_DAY.value, _("the day after the trigger")
        SAME_DAY = engine.Start.SAME_DAY.value, _("the trigger day itself")

    code = models.CharField(
        _("code"), max_length=64, unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9.-]*$", _("Lower-case letters, digits, dots and hyphens."))],
    )
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=4, help_text=_("ISO 3166-1 alpha-2 code whose calendar applies, or ECHR.")
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    amount = models.PositiveSmallIntegerField(_("amount"), validators=[MinValueValidator(1), MaxValueValidator(3660)])
    start = models.CharField(_("counting starts"), max_length=16, choices=Start.choices, default=Start.NEXT_DAY)
    roll_forward = models.BooleanField(
        _("moves to the next working day"), default=True,
        help_text=_("Whether a time-limit ending on a non-working day ends on the next working day instead."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    counting_basis = models.CharField(_("counting rules"), max_length=500, blank=True)
    trigger_label = models.CharField(_("counted from"), max_length=200, blank=True)
    valid_from = models.DateField(_("applies to triggers from"), null=True, blank=True, validators=[validate_date_range])
    earlier_amount = models.PositiveSmallIntegerField(
        _("amount for earlier triggers"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("The time-limit (same unit) that applied to triggers before the date above, if it differed: "
                    "e.g. six months for final decisions before 1 February 2022 at the ECHR."),
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction", "code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def clean(self) -> None:
        self.jurisdiction = (self.jurisdiction or "").upper()
        try:
            validate_jurisdiction(self.jurisdiction)
        except ValidationError as exc:
            raise ValidationError({"jurisdiction": exc.messages}) from None
        if self.unit and self.amount:
            try:
                engine.validate_rule(self.as_spec())
            except engine.EngineError as exc:
                raise ValidationError({"amount": str(exc)}) from None

    def as_spec(self) -> engine.RuleSpec:
        return engine.RuleSpec(
            code=self.code, name=self.name, jurisdiction=self.jurisdiction, unit=self.unit, amount=self.amount,
            start=self.start, roll_forward=self.roll_forward, legal_basis=self.legal_basis,
            counting_basis=self.counting_basis, trigger_label=self.trigger_label, valid_from=self.valid_from,
            earlier_amount=self.earlier_amount,
        )


class DeadlineQuerySet(models.QuerySet):
    def open(self) -> "DeadlineQuerySet":
        return self.filter(status=Deadline.Status.OPEN)

    def with_related(self) -> "DeadlineQuerySet":
        return self.select_related("case", "rule", "responsible", "proceeding", "completed_by")


class Deadline(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    class Kind(models.TextChoices):
        FILING = "filing", _("Filing")
        APPEAL = "appeal", _("Appeal")
        CASSATION = "cassation", _("Cassation")
        HEARING = "hearing", _("Hearing")
        RESPONSE = "response", _("Response")
        LIMITATION = "limitation", _("Limitation period")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case"))
    proceeding = models.ForeignKey(
        Proceeding, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines",
        verbose_name=_("proceeding"),
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    due_date = models.DateField(_("due date"), db_index=True, validators=[validate_date_range])
    due_time = models.TimeField(_("time"), null=True, blank=True)
    rule = models.ForeignKey(
        DeadlineRule, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("rule")
    )
    trigger_date = models.DateField(_("counted from"), null=True, blank=True, validators=[validate_date_range])
    explanation = models.JSONField(_("how the date was computed"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("responsible"),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("completed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = DeadlineQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["due_date", "due_time", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [models.Index(fields=["case", "due_date"]), models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.due_date} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("deadline-detail", args=[self.pk])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.status != self.Status.DONE and self.due_date < today

    @property
    def computed(self) -> bool:
        return self.rule_id is not None and self.trigger_date is not None


class ReminderPreference(models.Model):
    """A user's reminder lead times in days before the due date (default 14, 7, 3 and 1)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_reminders", verbose_name=_("user")
    )
    lead_days = models.JSONField(_("lead times (days)"), default=list, blank=True)
    email_enabled = models.BooleanField(_("send e-mail reminders"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.lead_days}"

    def clean(self) -> None:
        days = self.lead_days
        if not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 365 for d in days):
            raise ValidationError({"lead_days": _("Give whole numbers of days between 0 and 365.")})
        if len(days) > 10:
            raise ValidationError({"lead_days": _("At most ten lead times.")})
        self.lead_days = sorted(set(days), reverse=True)


class ReminderSent(models.Model):
    """One reminder to one recipient for one deadline and lead time: the unique row that makes sending idempotent."""

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("deadline")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    lead_days = models.SmallIntegerField(_("lead time (days)"), help_text=_("-1: the notice that it was missed."))
    due_date = models.DateField(_("due date when sent"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "user", "lead_days", "due_date"], name="unique_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} → {self.user_id} ({self.lead_days})"


class CalendarFeed(models.Model):
    """A user's private calendar URL. Only a random public id is stored; the URL's secret is an HMAC of it under
    SECRET_KEY, compared in constant time. Revoking replaces the id, so the old URL answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_feed", verbose_name=_("user")
    )
    public_id = models.CharField(_("public id"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
