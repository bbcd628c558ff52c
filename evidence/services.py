"""Writes on evidence. Every change is checked against ``evidence.permissions`` (or ``cases.permissions`` for the
case or incident it goes into), recorded in history with its actor, and — when it touches an item — written to
the item's custody log in the same transaction. Indexing and extraction run after the commit.

Duplicates: uploading bytes that are already stored creates a new item (its own title, links, exhibit number and
custody log) sharing the one stored blob; ``item.duplicate_of`` then names the earliest other live item with the
same digest *that the uploader may see* (never one they may not — that would reveal its existence).
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases.models import Case, Incident
from evidence import custody, storage
from evidence.models import CaseExhibit, CustodyEvent, CustodyHead, EvidenceItem
from evidence.permissions import (
    EDIT,
    VIEW,
    adds_audience,
    can_read_derived,
    evidence_for,
    evidence_get,
    evidence_movable,
    evidence_require,
)
from evidence.uploads import UploadTooLarge, max_upload_bytes, sanitize_filename, sniff_media_type
from search.indexing import index_on_commit, remove_on_commit

logger = logging.getLogger("docket")

EDITABLE_FIELDS = ("title", "description", "kind", "source", "obtained_at", "obtained_by")
UPLOAD_FIELDS = EDITABLE_FIELDS + ("restricted",)


# --- Custody ---------------------------------------------------------------------------------------------------
def client_address(request) -> tuple[str | None, str]:
    """The client's address (REMOTE_ADDR: forwarded headers are not trusted) and user agent."""
    if request is None:
        return None, ""
    meta = getattr(request, "META", {})
    ip = (meta.get("REMOTE_ADDR") or "").strip() or None
    if ip:
        from django.core.validators import validate_ipv46_address

        try:
            validate_ipv46_address(ip)
        except ValidationError:
            ip = None
    return ip, str(meta.get("HTTP_USER_AGENT", ""))[:400]


def _username(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_username()


def custody_record(*, item: EvidenceItem, user, action: str, request=None, detail: dict | None = None,
                   sha256: str | None = None) -> CustodyEvent:
    """Append an entry to the item's custody chain. Call it inside the transaction of the change it records."""
    if action not in CustodyEvent.Action.values:
        raise ValueError(f"unknown custody action {action!r}")
    ip, agent = client_address(request)
    with transaction.atomic():
        head = CustodyHead.objects.select_for_update().filter(item_id=item.pk).first()
        seq = head.seq + 1 if head else 1
        prev = head.entry_hash if head else custody.GENESIS
        detail = dict(detail or {})
        if head is not None and not custody.head_ok(item_id=item.pk, head=head):
            # Sealing a new head over a forged one would hide the forgery: the new entry says so, under its seal.
            detail[custody.BROKEN_HEAD_MARK] = True
        at = timezone.now()
        event = CustodyEvent(
            item=item, seq=seq, at=at, user=user if _username(user) else None, username=_username(user),
            action=action, sha256=item.sha256 if sha256 is None else sha256, client_ip=ip, user_agent=agent,
            detail=detail, prev_hash=prev,
        )
        event.entry_hash = custody.entry_hash(custody.event_fields(event))
        event.seal = custody.seal_entry(item_id=item.pk, seq=seq, digest=event.entry_hash)
        event.save()
        if head is None:
            head = CustodyHead(item=item)
        head.seq, head.entry_hash = seq, event.entry_hash
        head.seal = custody.seal_head(item_id=item.pk, seq=seq, digest=event.entry_hash)
        head.save()
    return event


# --- Upload ----------------------------------------------------------------------------------------------------
def _kind_for(media_type: str) -> str:
    major = media_type.split("/", 1)[0]
    if major == "image":
        return EvidenceItem.Kind.PHOTO
    if major == "video":
        return EvidenceItem.Kind.VIDEO
    if major == "audio":
        return EvidenceItem.Kind.AUDIO
    if media_type in ("application/pdf", "text/plain", "application/msword", "application/rtf") or (
        "officedocument" in media_type or "opendocument" in media_type
    ):
        return EvidenceItem.Kind.DOCUMENT
    return EvidenceItem.Kind.OTHER


def _spool(uploaded_file) -> storage.Spooled:
    if hasattr(uploaded_file, "spooled"):  # evidence.uploads.HashedUploadedFile: already on disk and hashed
        return uploaded_file.spooled()
    if hasattr(uploaded_file, "seek"):
        try:
            uploaded_file.seek(0)
        except (OSError, ValueError):
            pass
    try:
        return storage.spool(uploaded_file, limit=max_upload_bytes())
    except storage.TooLarge:
        raise UploadTooLarge() from None


def _clean_fields(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    if "kind" in fields and fields["kind"] not in EvidenceItem.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of evidence.")})
    return fields


def _assign_exhibit(*, case: Case, item: EvidenceItem, user) -> CaseExhibit:
    """The item's exhibit row in ``case``: the next number (under a lock on the case row), or its old number
    back if it was an exhibit there before."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    exhibit = CaseExhibit.objects.filter(case=case, item=item).first()
    if exhibit is not None:
        if exhibit.removed_at is not None:
            exhibit.removed_at = None
            exhibit._history_user = user
            exhibit.save()
        return exhibit
    last = CaseExhibit.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
    exhibit = CaseExhibit(case=case, item=item, number=last + 1, added_by=user)
    exhibit._history_user = user
    exhibit.save()
    return exhibit


def _enqueue_extraction(item_id: int) -> None:
    from evidence.tasks import extract_evidence

    try:
        extract_evidence.enqueue(item_id)
    except Exception:  # the upload stands; `manage.py extract_evidence --pending` picks it up later
        logger.exception("could not enqueue extraction of evidence %s", item_id)


def evidence_upload(*, user, uploaded_file, title: str = "", description: str = "", case: Case | int | None = None,
                    incident: Incident | int | None = None, request=None, intake: dict | None = None,
                    **fields: Any) -> EvidenceItem:
    """Store an uploaded file and create its item, linked to ``case`` (an exhibit with the next number) and/or
    ``incident``. The blob and the row are stored together or not at all. Http404 for a case or incident the
    user may not add evidence to; ValidationError for an empty file or bad fields; UploadTooLarge past the limit.
    The returned item carries ``duplicate_of`` (an id or None) and ``exhibit`` (the CaseExhibit or None).

    ``intake`` (the public report's details) makes the custody chain start with an ``intake`` entry (nobody, no
    address) followed by ``accepted`` (the user, instead of ``uploaded``)."""
    fields = _clean_fields(dict(fields), UPLOAD_FIELDS)
    try:
        if case is None and incident is None:
            raise ValidationError({"case": _("Give the case or the incident the evidence belongs to.")})
        if case is not None:
            case = cp.case_get(user, getattr(case, "pk", case), cp.EDIT_EVIDENCE)
        if incident is not None:
            incident = cp.incident_get(user, getattr(incident, "pk", incident), cp.CHANGE_INCIDENT)
    except BaseException:
        _discard(uploaded_file)
        raise
    spooled = _spool(uploaded_file)
    try:
        if spooled.size == 0:
            raise ValidationError({"file": _("The file is empty.")})
        if spooled.size > max_upload_bytes():
            raise UploadTooLarge()
        media_type = sniff_media_type(spooled.path)
        filename = sanitize_filename(getattr(uploaded_file, "name", ""))
        sha = spooled.sha256
        with storage.blob_lock(sha):
            duplicate = evidence_for(user).filter(sha256=sha).order_by("pk").values_list("pk", flat=True).first()
            created = storage.place(spooled)
            try:
                with transaction.atomic():
                    item = EvidenceItem(
                        title=(title or filename)[:300], description=description or "",
                        kind=fields.pop("kind", None) or _kind_for(media_type), sha256=sha, size=spooled.size,
                        media_type=media_type, original_filename=filename, created_by=user, **fields,
                    )
                    item.full_clean(exclude=["sha256", "size", "media_type", "original_filename"])
                    item._history_user = user
                    item.save()
                    exhibit = None
                    if case is not None:
                        exhibit = _assign_exhibit(case=case, item=item, user=user)
                    if incident is not None:
                        item.incidents.add(incident)
                    if intake is not None:
                        # Received from a member of the public: no user, no address, no user agent.
                        custody_record(item=item, user=None, action=CustodyEvent.Action.INTAKE, request=None,
                                       detail=dict(intake))
                    custody_record(
                        item=item, user=user,
                        action=CustodyEvent.Action.UPLOADED if intake is None else CustodyEvent.Action.ACCEPTED,
                        request=request,
                        detail={
                            "size": spooled.size, "media_type": media_type, "filename": filename,
                            "case": case.pk if case is not None else None,
                            "exhibit_number": exhibit.number if exhibit else None,
                            "incident": incident.pk if incident is not None else None,
                            "duplicate_of": duplicate, "stored_new_blob": created,
                        },
                    )
                    index_on_commit(item)
                    transaction.on_commit(partial(_enqueue_extraction, item.pk))
            except BaseException:
                if created and not EvidenceItem.objects.filter(sha256=sha).exists():
                    storage.remove_blob(sha)
                raise
    finally:
        spooled.discard()
        _discard(uploaded_file)
    item.duplicate_of = duplicate
    item.exhibit = exhibit
    return item


def _discard(uploaded_file) -> None:
    close = getattr(uploaded_file, "close", None)
    if close is not None and hasattr(uploaded_file, "spooled"):
        close()


# --- Reading the bytes -----------------------------------------------------------------------------------------
def _already_recorded(item: EvidenceItem, *, action: str, view: str) -> bool:
    return CustodyEvent.objects.filter(item_id=item.pk, action=action, detail__view=view).exists()


def custody_record_mismatch(mismatch: storage.IntegrityMismatch, delivered: int, *, item: EvidenceItem, user, request,
                     during: str) -> None:
    """A custody entry for bytes that no longer match their digest, found while serving them (a download, a preview,
    a bundle). Written in its own transaction: the transfer is cut whatever happens to the request's."""
    logger.error("evidence %s: stored file does not match its record during %s (%s); transfer cut after %d bytes",
                 item.pk, during, mismatch.reason, delivered)
    try:
        with transaction.atomic():
            custody_record(
                item=item, user=user, action=CustodyEvent.Action.INTEGRITY_FAILED, request=request,
                sha256=mismatch.actual_sha256 or "",
                detail={"during": during, "ok": False, "reason": mismatch.reason,
                        "expected_sha256": mismatch.expected_sha256, "actual_sha256": mismatch.actual_sha256,
                        "expected_size": mismatch.expected_size, "actual_size": mismatch.actual_size,
                        "delivered_bytes": delivered},
            )
    except Exception:  # the transfer is cut whatever happens here; the log line above stays
        logger.exception("evidence %s: could not record the integrity failure", item.pk)


def evidence_open_for_download(*, user, item: EvidenceItem, request=None, action: str = "downloaded",
                               detail: dict | None = None, whole: bool = False,
                               view: str = "") -> storage.VerifiedBlob:
    """Open the stored bytes for a user allowed to download them and record the read in the custody log.

    The bytes are re-hashed as they are served (``storage.VerifiedBlob``): a wrong size on disk, or a wrong file
    that fits one block, raises ``storage.IntegrityMismatch`` here, before the first byte; a mismatch found later
    cuts the transfer. Either way an ``integrity_failed`` custody entry records it. With ``whole`` the file is
    hashed entirely first and ``blob.file`` is the rewound, verified file (for image decoders, which seek).
    ``view`` names one page view (see ``evidence.views``): the thumbnails a page loads are one custody event per
    page view, however often the browser fetches them.
    Http404 when the user may not download (same as missing); FileNotFoundError when the stored file is gone."""
    from evidence.permissions import can_download

    if not can_download(user, item):
        from django.http import Http404

        raise Http404("No such evidence item.")
    during = {"downloaded": "download", "previewed": "preview"}.get(action, action)
    blob = storage.VerifiedBlob(item.sha256, item.size,
                                on_mismatch=partial(custody_record_mismatch, item=item, user=user, request=request,
                                                    during=during))
    try:
        if whole:
            blob.verified_file()
        else:
            blob.prime()
        with transaction.atomic():
            if not (view and _already_recorded(item, action=action, view=view)):
                custody_record(item=item, user=user, action=action, request=request,
                               detail={**(detail or {}), **({"view": view} if view else {})})
    except BaseException:
        blob.close()
        raise
    return blob


def evidence_derived_read(*, user, item: EvidenceItem, what: list[str], request=None, view: str = "",
                          via: str = "") -> bool:
    """Record that ``user`` was shown derived content (extracted text, OCR, metadata, a snippet) of the item.

    Derived data follow the bytes: PermissionDenied unless the user may download the item. For a restricted item
    the read is a custody event (once per page view when ``view`` is given); for an open item nothing is written.
    Returns whether an event was written."""
    if not can_read_derived(user, item):
        raise PermissionDenied(_("Only those who may download this evidence may read its text and metadata."))
    if not item.restricted:
        return False
    with transaction.atomic():
        if view and _already_recorded(item, action=CustodyEvent.Action.VIEWED, view=view):
            return False
        detail: dict[str, Any] = {"what": sorted(what)}
        if view:
            detail["view"] = view
        if via:
            detail["via"] = via
        custody_record(item=item, user=user, action=CustodyEvent.Action.VIEWED, request=request, detail=detail)
    return True


# --- Verification ----------------------------------------------------------------------------------------------
def evidence_check(item: EvidenceItem) -> dict[str, Any]:
    """Re-hash the stored file and check the custody chain, writing nothing."""
    problems: list[str] = []
    actual = storage.blob_hash(item.sha256)
    if actual is None:
        problems.append("the stored file is missing")
    elif actual != item.sha256:
        problems.append("the stored file does not match its digest")
    else:
        size = storage.blob_size(item.sha256)
        if size != item.size:
            problems.append(f"the stored size {size} differs from the recorded {item.size}")
    file_ok = not problems
    events = list(CustodyEvent.objects.filter(item_id=item.pk).order_by("seq"))
    head = CustodyHead.objects.filter(item_id=item.pk).first()
    chain = custody.check_chain(item, events, head)
    problems.extend(chain)
    return {
        "ok": not problems, "expected_sha256": item.sha256, "actual_sha256": actual, "file_ok": file_ok,
        "custody_ok": not chain, "custody_entries": len(events), "problems": problems,
    }


def evidence_verify(*, item: EvidenceItem, user, request=None) -> dict[str, Any]:
    """Verify an item (any user who may view it) and record the verification in its custody log."""
    result = evidence_check(item)
    with transaction.atomic():
        event = custody_record(
            item=item, user=user, action=CustodyEvent.Action.VERIFIED, request=request,
            sha256=result["actual_sha256"] or "",
            detail={"ok": result["ok"], "problems": result["problems"][:20]},
        )
    result["checked_at"] = event.at
    return result


# --- Changes ---------------------------------------------------------------------------------------------------
def _editable(user, item: EvidenceItem) -> EvidenceItem:
    return evidence_get(user, item.pk, EDIT, include_trashed=True)


def evidence_update(*, user, item: EvidenceItem, data: dict[str, Any], request=None) -> EvidenceItem:
    """Change the descriptive fields (title, description, kind, source, obtained at/by) and, if given,
    ``restricted`` (through ``evidence_set_restricted``)."""
    data = dict(data)
    restricted = data.pop("restricted", None)
    _clean_fields(data, EDITABLE_FIELDS)
    item = _editable(user, item)
    with transaction.atomic():
        changed = [name for name, value in data.items() if getattr(item, name) != value]
        for name in changed:
            setattr(item, name, data[name])
        if changed:
            item.full_clean(exclude=["sha256", "size", "media_type", "original_filename"])
            item._history_user = user
            item.save()
            custody_record(item=item, user=user, action=CustodyEvent.Action.EDITED, request=request,
                           detail={"fields": sorted(changed)})
            index_on_commit(item)
        if restricted is not None:
            item = evidence_set_restricted(user=user, item=item, restricted=bool(restricted), request=request)
    return item


def evidence_set_restricted(*, user, item: EvidenceItem, restricted: bool, request=None) -> EvidenceItem:
    item = _editable(user, item)
    if item.restricted == restricted:
        return item
    with transaction.atomic():
        item.restricted = restricted
        item._history_user = user
        item.save()
        custody_record(item=item, user=user, action=CustodyEvent.Action.RESTRICTED, request=request,
                       detail={"restricted": restricted})
        index_on_commit(item)
    return item


def _live_links(item: EvidenceItem) -> int:
    return CaseExhibit.objects.filter(item=item, removed_at__isnull=True).count() + item.incidents.count()


def _move_check(user, item: EvidenceItem, *, case: Case | None = None, incident: Incident | None = None) -> None:
    """No transitive grants: linking the item where it shows it to new people needs the right to move it out of
    where it is (docs/access-model.md)."""
    if adds_audience(item, case=case, incident=incident) and not evidence_movable(user, item):
        raise PermissionDenied(_("This evidence belongs to a case or incident you may not move it out of: ask a lead "
                                 "of its case (or the owner of its incident)."))


def evidence_link_case(*, user, item: EvidenceItem, case: Case | int, request=None) -> CaseExhibit:
    """Make the item an exhibit of ``case``: EDIT_EVIDENCE on the case, and the right to move the item out of
    where it is unless the case holds it already (404 hidden item or case, 403 visible but not allowed)."""
    item = evidence_require(user, item.pk, VIEW)
    case = cp.case_get(user, getattr(case, "pk", case), cp.EDIT_EVIDENCE)
    _move_check(user, item, case=case)
    with transaction.atomic():
        before = CaseExhibit.objects.filter(case=case, item=item, removed_at__isnull=True).first()
        if before is not None:
            return before
        exhibit = _assign_exhibit(case=case, item=item, user=user)
        custody_record(item=item, user=user, action=CustodyEvent.Action.LINKED, request=request,
                       detail={"case": case.pk, "exhibit_number": exhibit.number})
        index_on_commit(item)
    return exhibit


def evidence_unlink_case(*, user, item: EvidenceItem, case: Case | int, request=None) -> None:
    """Remove the item from ``case``'s exhibits; its number is kept and never given to another item."""
    item = _editable(user, item)
    case = cp.case_get(user, getattr(case, "pk", case), cp.EDIT_EVIDENCE)
    with transaction.atomic():
        exhibit = CaseExhibit.objects.select_for_update().filter(case=case, item=item, removed_at__isnull=True).first()
        if exhibit is None:
            return
        if _live_links(item) <= 1:
            raise ValidationError(_("Evidence must stay linked to a case or an incident: move it to the trash "
                                    "instead."))
        exhibit.removed_at = timezone.now()
        exhibit._history_user = user
        exhibit.save()
        custody_record(item=item, user=user, action=CustodyEvent.Action.UNLINKED, request=request,
                       detail={"case": case.pk, "exhibit_number": exhibit.number})
        index_on_commit(item)


def evidence_link_incident(*, user, item: EvidenceItem, incident: Incident | int, request=None) -> None:
    """Link the item to ``incident``: CHANGE_INCIDENT on it, and the right to move the item out of where it is
    unless every case of the incident holds it already."""
    item = evidence_require(user, item.pk, VIEW)
    incident = cp.incident_get(user, getattr(incident, "pk", incident), cp.CHANGE_INCIDENT)
    _move_check(user, item, incident=incident)
    with transaction.atomic():
        if item.incidents.filter(pk=incident.pk).exists():
            return
        item._history_user = user
        item.incidents.add(incident)
        custody_record(item=item, user=user, action=CustodyEvent.Action.LINKED, request=request,
                       detail={"incident": incident.pk})
        index_on_commit(item)


def evidence_unlink_incident(*, user, item: EvidenceItem, incident: Incident | int, request=None) -> None:
    item = _editable(user, item)
    incident = cp.incident_get(user, getattr(incident, "pk", incident), cp.CHANGE_INCIDENT)
    with transaction.atomic():
        if not item.incidents.filter(pk=incident.pk).exists():
            return
        if _live_links(item) <= 1:
            raise ValidationError(_("Evidence must stay linked to a case or an incident: move it to the trash "
                                    "instead."))
        item._history_user = user
        item.incidents.remove(incident)
        custody_record(item=item, user=user, action=CustodyEvent.Action.UNLINKED, request=request,
                       detail={"incident": incident.pk})
        index_on_commit(item)


def evidence_trash(*, user, item: EvidenceItem, request=None, reason: str = "") -> EvidenceItem:
    """Move the item to the trash (the stored file and the custody log are kept). ``user=None`` is the system (a
    management command such as ``evidence_orphans --delete``), which must say why in ``reason``."""
    if user is None:
        if not reason:
            raise ValueError("a system trash needs a reason")
        item = EvidenceItem.objects.get(pk=item.pk)
    else:
        item = _editable(user, item)
    if item.deleted_at is not None:
        return item
    with transaction.atomic():
        item.deleted_at = timezone.now()
        item.deleted_by = user
        item._history_user = user
        item.save()
        custody_record(item=item, user=user, action=CustodyEvent.Action.TRASHED, request=request,
                       detail={"reason": reason} if reason else None)
        remove_on_commit(item)
    return item


def evidence_restore(*, user, item: EvidenceItem, request=None) -> EvidenceItem:
    item = _editable(user, item)
    if item.deleted_at is None:
        return item
    with transaction.atomic():
        item.deleted_at = None
        item.deleted_by = None
        item._history_user = user
        item.save()
        custody_record(item=item, user=user, action=CustodyEvent.Action.RESTORED, request=request)
        index_on_commit(item)
    return item


def evidence_extraction_save(*, item: EvidenceItem, state: str, text: str | None = None,
                             metadata: dict | None = None, error: str = "") -> None:
    """Store the outcome of background extraction (derived data: no history row, no custody entry)."""
    item.extraction_state = state
    item.extraction_error = error[:5000]
    update = ["extraction_state", "extraction_error"]
    if text is not None:
        item.extracted_text = text
        update.append("extracted_text")
    if metadata is not None:
        item.metadata = metadata
        update.append("metadata")
    if state in (EvidenceItem.Extraction.DONE, EvidenceItem.Extraction.FAILED):
        item.extracted_at = timezone.now()
        update.append("extracted_at")
    item.skip_history_when_saving = True
    try:
        item.save(update_fields=update)
    finally:
        del item.skip_history_when_saving
