"""Cases and everything a case is made of: proceedings, parties, persons, incidents and membership.

Every model keeps its history (django-simple-history). Cases and incidents go to a trash (``deleted_at``) before
they can be purged. Object permissions are django-guardian rows on the direct foreign-key models at the bottom;
the only code that reads or writes them is ``cases.permissions``.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.countries import JURISDICTIONS
from config.inputs import validate_date_range
from privacy.fields import EncryptedCharField, EncryptedTextField


def validate_jurisdiction(value: str) -> None:
    if value and value not in JURISDICTIONS:
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code or ECHR."), params={"value": value}
        )


class TrashQuerySet(models.QuerySet):
    def alive(self) -> "TrashQuerySet":
        return self.filter(deleted_at__isnull=True)

    def trashed(self) -> "TrashQuerySet":
        return self.filter(deleted_at__isnull=False)


class IncidentQuerySet(TrashQuerySet):
    """An incident is *linked* when it has any case link, live or in the trash (a trashed case grants nothing and
    hands nothing back); it is reachable through a case only while that case is live."""

    @staticmethod
    def link_exists(*, live_only: bool = False, outer: str = "pk") -> models.Exists:
        links = Incident.cases.through.objects.filter(incident=models.OuterRef(outer))
        if live_only:
            links = links.filter(case__deleted_at__isnull=True)
        return models.Exists(links)

    def linked(self) -> "IncidentQuerySet":
        return self.filter(self.link_exists())

    def unlinked(self) -> "IncidentQuerySet":
        return self.exclude(self.link_exists())

    def with_live_case(self) -> "IncidentQuerySet":
        return self.filter(self.link_exists(live_only=True))


class Case(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        FILED = "filed", _("Filed")
        PENDING = "pending", _("Pending")
        DECIDED = "decided", _("Decided")
        APPEAL = "appeal", _("Appeal")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    court = models.CharField(_("court"), max_length=300, blank=True)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=4, blank=True, validators=[validate_jurisdiction],
        help_text=_("ISO 3166-1 alpha-2 country code, or ECHR."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREPARING)
    summary = models.TextField(_("summary"), blank=True, max_length=20000)
    privileged_notes = models.TextField(
        _("privileged notes"), blank=True, max_length=50000,
        help_text=_("Lawyer-client privileged. Shown only to leads and lawyers."),
    )
    legal_hold = models.BooleanField(
        _("legal hold"), default=False,
        help_text=_("While on, no person in this case may be erased (GDPR Art. 17(3)(e); 152-FZ art. 21): the "
                    "records may be needed to establish, exercise or defend legal claims. Leads set it."),
    )
    two_factor_required = models.BooleanField(
        _("members must use two factors"), default=False,
        help_text=_("Members who have not signed in with a second factor (an authenticator code) cannot open this "
                    "case or anything in it. Leads set it."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    deleted_at = models.DateTimeField(_("moved to trash at"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("moved to trash by"),
    )

    objects = TrashQuerySet.as_manager()
    # ``version`` only counts saves (concurrent-edit checks); it says nothing a reader of the history needs.
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The case list: live cases, newest activity first, read in index order until a page is full (and
            # counted from the index alone). See cases.permissions.cases_for.
            models.Index(fields=["deleted_at", "updated_at", "id", "two_factor_required"], name="case_alive_recent"),
        ]
        permissions = [
            ("manage_members", "Can manage the members of the case"),
            ("move_out", "Can move records out of the case into another case or incident"),
            ("view_privileged", "Can see privileged notes"),
            ("view_identities", "Can see the identities of persons"),
            ("edit_incidents", "Can add and edit incidents, persons and parties"),
            ("edit_evidence", "Can add and edit evidence"),
            ("download_restricted", "Can download restricted evidence"),
            ("generate_documents", "Can generate documents and bundles"),
            ("edit_deadlines", "Can add and edit deadlines"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip() if self.reference else self.title

    def get_absolute_url(self) -> str:
        return reverse("case-detail", args=[self.pk])

    @property
    def is_trashed(self) -> bool:
        return self.deleted_at is not None


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    LAWYER = "lawyer", _("Lawyer")
    RESEARCHER = "researcher", _("Researcher")
    COORDINATOR = "coordinator", _("Coordinator")
    OBSERVER = "observer", _("Observer")


class CaseMembership(models.Model):
    """A user's role on a case. The role's object permissions are derived from it by cases.permissions."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("case"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("added by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "user__username"]
        verbose_name = _("case membership")
        verbose_name_plural = _("case memberships")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="unique_case_member")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.case}"


class Proceeding(models.Model):
    class Stage(models.TextChoices):
        FIRST_INSTANCE = "first_instance", _("First instance")
        APPEAL = "appeal", _("Appeal")
        CASSATION = "cassation", _("Cassation")
        SUPREME_COURT = "supreme_court", _("Supreme Court")
        CONSTITUTIONAL_COURT = "constitutional_court", _("Constitutional Court")
        ECHR = "echr", _("European Court of Human Rights")
        DPA = "dpa", _("Data-protection authority")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proceedings", verbose_name=_("case"))
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices)
    court = models.CharField(_("court or authority"), max_length=300, blank=True)
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    judge = models.CharField(_("judge"), max_length=200, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True, validators=[validate_date_range])
    hearing_on = models.DateField(_("next hearing"), null=True, blank=True, validators=[validate_date_range])
    decided_on = models.DateField(_("decided on"), null=True, blank=True, validators=[validate_date_range])
    outcome = models.TextField(_("outcome"), blank=True, max_length=20000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "filed_on", "id"]
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.case_number}".strip()

    def clean(self) -> None:
        if self.filed_on and self.decided_on and self.decided_on < self.filed_on:
            raise ValidationError({"decided_on": _("A decision cannot come before the filing.")})


class Person(models.Model):
    """A person in the records. The pseudonym is what everyone sees; the rest only roles that may see identities.

    The real name, contacts and consent notes are stored sealed (``privacy.fields``), here and in the history rows;
    an erasure (``privacy.services.person_erase``) blanks the identity here and in every history row."""

    IDENTITY_FIELDS = ("real_name", "contacts", "consent_given", "consent_date", "consent_scope")
    SEALED_FIELDS = ("real_name", "contacts", "consent_scope")

    pseudonym = models.CharField(_("pseudonym"), max_length=200)
    real_name = EncryptedCharField(_("real name"), max_length=300, blank=True)
    contacts = EncryptedTextField(_("contacts"), blank=True, max_length=5000)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True, validators=[validate_date_range])
    consent_scope = EncryptedTextField(_("consent scope"), blank=True, max_length=5000)
    erased_at = models.DateTimeField(_("identity erased at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["pseudonym", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.pseudonym

    def get_absolute_url(self) -> str:
        return reverse("person-detail", args=[self.pk])

    def clean(self) -> None:
        if self.consent_date and not self.consent_given:
            raise ValidationError({"consent_date": _("A consent date needs consent to be given.")})


class Party(models.Model):
    class Role(models.TextChoices):
        CLAIMANT = "claimant", _("Claimant")
        RESPONDENT = "respondent", _("Respondent")
        THIRD_PARTY = "third_party", _("Third party")
        INTERVENER = "intervener", _("Intervener")
        REPRESENTATIVE = "representative", _("Representative")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    name = models.CharField(
        _("name"), max_length=300, blank=True,
        help_text=_("An organisation or authority. For a natural person, choose a person instead."),
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="parties", verbose_name=_("person")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "role", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.person.pseudonym if self.person_id else self.name

    def clean(self) -> None:
        if not self.name and not self.person_id:
            raise ValidationError(_("A party needs a name or a person."))


class Incident(models.Model):
    class Category(models.TextChoices):
        WRONGFUL_STOP = "wrongful_stop", _("Wrongful stop")
        DETENTION = "detention", _("Detention")
        CAMERA_DEPLOYMENT = "camera_deployment", _("Camera deployment")
        DATA_LEAK = "data_leak", _("Data leak")
        ACCESS_ABUSE = "access_abuse", _("Access abuse")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=300)
    occurred_at = models.DateTimeField(_("occurred at"), validators=[validate_date_range])
    location = models.CharField(_("location"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("description"), blank=True, max_length=50000)
    agency = models.CharField(_("agency"), max_length=300, blank=True)
    system_involved = models.CharField(_("system involved"), max_length=300, blank=True)
    source_links = models.JSONField(_("source links"), default=list, blank=True)
    external_id = models.CharField(
        _("external id"), max_length=200, blank=True, db_index=True,
        help_text=_("The row's id in a partner's spreadsheet: importing the same id again updates this incident."),
    )
    cases = models.ManyToManyField(Case, blank=True, related_name="incidents", verbose_name=_("cases"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("logged by"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("owner"),
        help_text=_("Who holds the incident while it is linked to no case: whoever logged it, or whoever took it "
                    "off its last case."),
    )
    deleted_at = models.DateTimeField(_("moved to trash at"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("moved to trash by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = IncidentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"], m2m_fields=[cases])

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            # One importer's spreadsheet ids name one incident each (see exchange/README.md).
            models.UniqueConstraint(fields=["created_by", "external_id"], condition=~models.Q(external_id=""),
                                    name="unique_incident_external_id_per_importer"),
        ]
        permissions = [
            ("view_incident_identities", "Can see the identities of persons in an unlinked incident"),
            ("move_incident", "Can link the incident to cases, share it, or move it out of its cases"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incident-detail", args=[self.pk])

    @property
    def is_trashed(self) -> bool:
        return self.deleted_at is not None


class IncidentShare(models.Model):
    """An unlinked incident shared by its owner with another user (view, or view and edit its fields).

    The guardian rows that grant the access are derived from the owner and these rows by
    ``cases.permissions.incident_access_sync``; a share only takes effect while the incident is linked to no case,
    and is dropped when the incident changes hands."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shares", verbose_name=_("incident"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_shares", verbose_name=_("user")
    )
    can_edit = models.BooleanField(_("may edit"), default=False)
    created_at = models.DateTimeField(_("shared at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("shared by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "user__username"]
        verbose_name = _("incident share")
        verbose_name_plural = _("incident shares")
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="unique_incident_share")]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.user}"


class IncidentPerson(models.Model):
    class Part(models.TextChoices):
        AFFECTED = "affected", _("Affected")
        WITNESS = "witness", _("Witness")
        OFFICER = "officer", _("Officer")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="involvements", verbose_name=_("incident")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="involvements", verbose_name=_("person")
    )
    part = models.CharField(_("part"), max_length=16, choices=Part.choices)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "part", "id"]
        verbose_name = _("person involved")
        verbose_name_plural = _("persons involved")
        constraints = [
            models.UniqueConstraint(fields=["incident", "person", "part"], name="unique_incident_person_part")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_part_display()})"


# django-guardian direct foreign-key permission models: one indexed join instead of a generic object_pk lookup.
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("case permission")
        verbose_name_plural = _("case permissions")


class IncidentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("incident permission")
        verbose_name_plural = _("incident permissions")
