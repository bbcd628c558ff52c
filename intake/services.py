"""Receiving a public report, and the triage that turns it into an incident or rejects it.

``report_submit`` is the one way in for a member of the public (the page and the API call it): it keeps what the
reporter typed and the file they chose, and nothing else (no address, user agent or header; the time of arrival
to the hour). ``report_accept`` and ``report_reject`` are for triagers (``cases.triage_intake``); each checks,
then writes the report's history with its author in the same transaction.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases import services as case_services
from cases.models import Incident, IncidentPerson
from evidence import services as evidence_services
from evidence import storage as evidence_storage
from evidence.uploads import sanitize_filename, sniff_media_type
from intake import storage
from intake.models import Report
from intake.permissions import report_require

# What a member of the public may send: pictures, recordings, PDFs, plain text and office documents. Anything
# else (programs, archives, scripts) is refused before it is kept.
ACCEPTED_MEDIA_PREFIXES = ("image/", "video/", "audio/")
ACCEPTED_MEDIA_TYPES = {
    "application/pdf", "text/plain", "application/rtf", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}
REPORT_FIELDS = ("occurred_at", "location", "description", "category", "contact", "consent")
CONSENT_SCOPE = ("Consent given through the public report form: the report may be used to document and challenge "
                 "the use of biometric surveillance; the contact is seen only by those who may see identities.")


class FileRefused(ValidationError):
    """The file is not of a kind the public intake accepts (415)."""


def _receipt() -> str:
    """A receipt the reporter can keep: 120 random bits as six groups of four letters and digits."""
    text = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def receipt_digest(receipt: str) -> str:
    normalised = "".join(ch for ch in str(receipt).upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def accepted_media_type(media_type: str) -> bool:
    if media_type.startswith(ACCEPTED_MEDIA_PREFIXES):
        return "svg" not in media_type  # an SVG is a document that can carry scripts
    return media_type in ACCEPTED_MEDIA_TYPES


def report_submit(*, data: dict[str, Any], spooled: evidence_storage.Spooled | None = None,
                  filename: str = "") -> str:
    """Keep a report; return its receipt. ``data`` has been parsed (``intake.forms.ReportForm``); the file, if any,
    has been received and hashed (``spooled``) and is consumed here, kept or not."""
    try:
        unknown = set(data) - set(REPORT_FIELDS)
        if unknown:
            raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
        if data.get("consent") is not True:
            raise ValidationError({"consent": _("We can only keep your report with your consent.")})
        report = Report(**data)
        if spooled is not None:
            if spooled.size == 0:
                raise ValidationError({"file": _("The file is empty.")})
            media_type = sniff_media_type(spooled.path)
            if not accepted_media_type(media_type):
                raise FileRefused({"file": _("This kind of file cannot be sent here. Send a photo, a video, a "
                                             "recording, a PDF or a text document.")})
            report.file_sha256, report.file_size = spooled.sha256, spooled.size
            report.file_media_type, report.file_name = media_type, sanitize_filename(filename)
        receipt = _receipt()
        report.receipt_digest = receipt_digest(receipt)
        report.received_at = _hour(timezone.now())
        report.full_clean(exclude=["receipt_digest", "received_at", "file_sha256", "file_size", "file_media_type",
                                   "file_name"])
        report._history_date = report.received_at  # the history row knows no more than the report
        with transaction.atomic():
            report.save()
            if spooled is not None:
                storage.place(spooled)
                spooled = None
    finally:
        if spooled is not None:
            spooled.discard()
    return receipt


def report_status(receipt: str) -> Report | None:
    """The report a receipt names (for the reporter's own status page), or None."""
    return Report.objects.filter(receipt_digest=receipt_digest(receipt)).only("status", "received_at").first()


def _decide(report: Report, *, user, status: str, **fields: Any) -> None:
    report.status = status
    report.decided_by = user
    report.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(report, name, value)
    report._history_user = user
    report.save()


def _remove_file_on_commit(sha256: str) -> None:
    """Remove the intake copy of a file once no report still waiting for triage needs it."""
    def remove() -> None:
        if not Report.objects.filter(file_sha256=sha256, status=Report.Status.NEW).exists():
            storage.remove(sha256)

    if sha256:
        transaction.on_commit(remove)


def _locked(user, pk) -> Report:
    report = report_require(user, pk)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.NEW:
        raise ValidationError({"detail": _("This report has already been %(status)s.") % {
            "status": report.get_status_display().lower()}})
    return report


def default_title(report: Report) -> str:
    return (_("Report: %(category)s, %(location)s") % {
        "category": report.get_category_display(), "location": report.location})[:300]


@transaction.atomic
def report_accept(*, user, report: Report | int, case=None, title: str = "", request=None) -> Incident:
    """Turn a report into an incident owned by ``user`` (linked to ``case`` if given: one they may add incidents
    to), with the reporter as a pseudonymised person (the contact is their identity) and the file as a restricted
    evidence item whose custody starts with the intake entry, then the acceptance."""
    report = _locked(user, getattr(report, "pk", report))
    incident = case_services.incident_create(
        user=user, title=(title or default_title(report))[:300], occurred_at=report.occurred_at,
        location=report.location, category=report.category, description=report.description,
        cases=[case] if case is not None else [],
    )
    person = case_services.person_create(
        user=user, pseudonym=_("Reporter %(n)s") % {"n": report.pk}, contacts=report.contact,
        consent_given=report.consent, consent_date=report.received_at.date() if report.consent else None,
        consent_scope=CONSENT_SCOPE if report.consent else "",
    )
    case_services.incident_person_add(user=user, incident=incident, person=person,
                                      part=IncidentPerson.Part.AFFECTED)
    if report.has_file:
        try:
            fh = storage.open_file(report.file_sha256)
        except FileNotFoundError:
            raise ValidationError({"file": _("The report's file is missing from the intake store.")}) from None
        with fh:
            item = evidence_services.evidence_upload(
                user=user, uploaded_file=File(fh, name=report.file_name or "report-file"), title=_("File sent with public report %(n)s") % {"n": report.pk},
                incident=incident, request=request, restricted=True, source=_("Public intake"),
                intake={"report": report.pk, "received": report.received_at.isoformat(),
                        "size": report.file_size, "media_type": report.file_media_type,
                        "filename": report.file_name},
            )
        if item.sha256 != report.file_sha256:
            raise ValidationError({"file": _("The report's file changed while it waited for triage.")})
        _remove_file_on_commit(report.file_sha256)
    _decide(report, user=user, status=Report.Status.ACCEPTED, incident=incident)
    return incident


@transaction.atomic
def report_reject(*, user, report: Report | int, reason: str) -> Report:
    """Reject a report with a reason; its file is removed from the intake store."""
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting the report.")})
    if len(reason) > 5000:
        raise ValidationError({"reason": _("At most 5000 characters.")})
    report = _locked(user, getattr(report, "pk", report))
    _decide(report, user=user, status=Report.Status.REJECTED, reason=reason)
    _remove_file_on_commit(report.file_sha256)
    return report


def accept_case(user, case_id) -> Any:
    """The case a triager links an accepted report to: one they may add incidents to (same answer for hidden
    and missing)."""
    if case_id in (None, ""):
        return None
    pk = cp.parse_id(case_id)
    case = cp.cases_for(user, cp.EDIT_INCIDENTS).filter(pk=pk).first() if pk else None
    if case is None:
        raise ValidationError({"case": _("No case you may add incidents to has id %(id)s.") % {"id": case_id}})
    return case

