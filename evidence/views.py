"""Evidence pages: the item (metadata, hash, custody log, verify), upload with progress, download and preview.

Nothing uploaded is ever served so that it can run as a page: downloads are attachments with ``nosniff`` and a
sandbox CSP; image previews are re-encoded by Pillow into PNG thumbnails; PDFs are shown inline only as exactly
``application/pdf`` under ``Content-Security-Policy: sandbox``; nothing is ever sent as text/html.
"""
from __future__ import annotations

import io
import logging
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions as cp
from evidence import permissions as ep
from evidence import selectors, services
from evidence.api import download_response
from evidence.extraction import ExtractionRefused, _open_image
from evidence.forms import EvidenceEditForm, EvidenceUploadForm
from evidence.models import CustodyEvent, EvidenceItem
from evidence.storage import IntegrityMismatch
from evidence.uploads import (
    UploadRefused,
    UploadTooLarge,
    check_content_length,
    install_upload_handler,
    max_upload_bytes,
)

logger = logging.getLogger("docket")
THUMB_SIDE = 1600


VIEW_SALT = "docket.evidence.page-view"
VIEW_MAX_AGE = 3600


def _page_view_token(user, item) -> tuple[str, str]:
    """A page view's id and a token naming it, for the previews the page loads (one custody event per view)."""
    view = secrets.token_urlsafe(12)
    return view, signing.dumps({"i": item.pk, "u": user.pk, "v": view}, salt=VIEW_SALT, compress=True)


def _page_view_from(request, item) -> str:
    """The page view a preview request belongs to, if its token is genuine, recent and this user's; else ""."""
    token = request.GET.get("view", "")
    if not token:
        return ""
    try:
        data = signing.loads(token, salt=VIEW_SALT, max_age=VIEW_MAX_AGE)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("i") != item.pk or data.get("u") != request.user.pk:
        return ""
    return str(data.get("v", ""))[:32]


@login_required
@require_GET
def evidence_detail(request, pk):
    item = ep.evidence_get(request.user, pk, include_trashed=True)
    perms = ep.evidence_perms_map(request.user, [item.pk])[item.pk]
    derived = ep.DOWNLOAD in perms  # extracted text, metadata and previews follow the bytes
    view, view_token = _page_view_token(request.user, item) if derived else ("", "")
    shown = [name for name, present in (("metadata", item.metadata), ("text", item.extracted_text)) if present]
    if derived and shown:
        services.evidence_derived_read(user=request.user, item=item, what=shown, request=request, view=view)
    exhibits = list(
        item.exhibits.filter(removed_at__isnull=True, case__in=cp.case_ids_for(request.user))
        .select_related("case").order_by("case_id")
    )
    incidents = list(cp.incidents_for(request.user).filter(evidence=item).order_by("-occurred_at"))
    context = {
        "item": item,
        "perms": perms,
        "can_download": ep.DOWNLOAD in perms,
        "can_edit": ep.EDIT in perms,
        "exhibits": exhibits,
        "incidents": incidents,
        "custody": selectors.custody_log(item),
        "duplicate_of": selectors.duplicate_of(user=request.user, item=item),
        "previewable": derived and _preview_kind(item) is not None,
        "preview_kind": _preview_kind(item),
        "view_token": view_token,
        "derived": derived,
        "metadata_rows": _metadata_rows(item.metadata) if derived else [],
        "text_excerpt": (item.extracted_text or "")[:5000] if derived else "",
    }
    return render(request, "evidence/detail.html", context)


def _metadata_rows(metadata, prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if not isinstance(metadata, dict):
        return rows
    for key, value in metadata.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(_metadata_rows(value, prefix=f"{name} › "))
        elif isinstance(value, list):
            rows.append((name, ", ".join(str(v) for v in value)[:500]))
        else:
            rows.append((name, str(value)[:500]))
    return rows[:200]


# --- Upload ----------------------------------------------------------------------------------------------------
def _target(request):
    """The case and/or incident named in the query string, if the user may add evidence to it (else 404)."""
    case_id, incident_id = request.GET.get("case"), request.GET.get("incident")
    if not case_id and not incident_id:
        raise Http404("Upload evidence from a case or an incident.")
    case = cp.case_get(request.user, case_id, cp.EDIT_EVIDENCE) if case_id else None
    incident = cp.incident_get(request.user, incident_id, cp.CHANGE_INCIDENT) if incident_id else None
    return case, incident


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _upload_error(request, status: int, message: str, form=None, target=(None, None)):
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    form = form or EvidenceUploadForm()
    return render(request, "evidence/upload.html", _upload_context(form, *target, error=message), status=status)


def _upload_context(form, case, incident, error: str = "") -> dict:
    return {"form": form, "case": case, "incident": incident, "error": error, "max_bytes": max_upload_bytes()}


@login_required
@csrf_exempt  # the CSRF check runs in _upload_post, after our upload handler is installed
@require_http_methods(["GET", "POST"])
def evidence_upload(request):
    case, incident = _target(request)  # 404 before a byte of the body is read
    if request.method == "GET":
        return render(request, "evidence/upload.html", _upload_context(EvidenceUploadForm(), case, incident))
    try:
        check_content_length(request)
    except UploadTooLarge as exc:
        return _upload_error(request, 413, str(exc.detail), target=(case, incident))
    handler = install_upload_handler(request)
    try:
        return _upload_post(request, case, incident)
    except UploadTooLarge as exc:
        return _upload_error(request, 413, str(exc.detail), target=(case, incident))
    except (UploadRefused, MultiPartParserError, UnreadablePostError) as exc:
        return _upload_error(request, 400, str(getattr(exc, "detail", exc)), target=(case, incident))
    finally:
        handler.abort()


@csrf_protect
def _upload_post(request, case, incident):
    form = EvidenceUploadForm(request.POST)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _upload_error(request, 400, _("Choose a file to upload."), form, (case, incident))
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"detail": _("Check the fields."), "errors": form.errors}, status=400)
        return render(request, "evidence/upload.html", _upload_context(form, case, incident), status=400)
    try:
        item = services.evidence_upload(
            user=request.user, uploaded_file=uploaded, case=case, incident=incident, request=request,
            **form.cleaned_fields(),
        )
    except ValidationError as exc:
        return _upload_error(request, 400, " ".join(exc.messages), form, (case, incident))
    url = item.get_absolute_url()
    if _wants_json(request):
        return JsonResponse({
            "id": item.pk, "url": url, "sha256": item.sha256, "size": item.size, "media_type": item.media_type,
            "exhibit_number": item.exhibit.number if item.exhibit else None, "duplicate_of": item.duplicate_of,
        }, status=201)
    messages.success(request, _("Evidence stored. SHA-256: %(sha)s") % {"sha": item.sha256})
    if item.duplicate_of:
        messages.info(request, _("The same file is already stored as item #%(id)s.") % {"id": item.duplicate_of})
    return redirect(url)


# --- Bytes -----------------------------------------------------------------------------------------------------
class _Refused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _open(request, item, action, *, whole: bool = False, view: str = ""):
    """The stored bytes, re-hashed as they are served (see ``services.evidence_open_for_download``)."""
    try:
        return services.evidence_open_for_download(user=request.user, item=item, request=request, action=action,
                                                   whole=whole, view=view)
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    except IntegrityMismatch:
        message = _("The stored file no longer matches its SHA-256: nothing was sent, and this was recorded in the "
                    "custody log. Verify the item.")
        raise _Refused(render(request, "error.html", {"status": 409, "message": message}, status=409)) from None


@login_required
@require_GET
def evidence_download(request, pk):
    item = ep.evidence_get(request.user, pk, ep.DOWNLOAD, include_trashed=True)
    try:
        return download_response(item, _open(request, item, CustodyEvent.Action.DOWNLOADED))
    except _Refused as refused:
        return refused.response


def _preview_kind(item: EvidenceItem) -> str | None:
    if item.media_type == "application/pdf":
        return "pdf"
    if item.media_type in ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"):
        return "image"
    return None


@login_required
@require_GET
def evidence_preview(request, pk):
    """A PNG thumbnail re-encoded by Pillow, or the PDF inline under a sandbox. Each preview is a custody event."""
    item = ep.evidence_get(request.user, pk, ep.DOWNLOAD, include_trashed=True)
    kind = _preview_kind(item)
    if kind is None:
        raise Http404("No preview for this kind of file.")
    try:
        blob = _open(request, item, CustodyEvent.Action.PREVIEWED, whole=kind == "image",
                     view=_page_view_from(request, item))
    except _Refused as refused:
        return refused.response
    if kind == "pdf":
        response = StreamingHttpResponse(blob, content_type="application/pdf")  # re-hashed as it streams
        response["Content-Length"] = str(item.size)
        response["Content-Disposition"] = "inline"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; object-src 'self'"
    else:
        try:
            with blob.file as fh:  # hashed whole and matched before the decoder reads it
                image = _open_image(fh)
                image.thumbnail((THUMB_SIDE, THUMB_SIDE))
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                out = io.BytesIO()
                image.save(out, "PNG")
        except (ExtractionRefused, OSError, ValueError) as exc:
            logger.info("preview of evidence %s failed: %s", item.pk, exc)
            raise Http404("This image cannot be previewed.") from None
        response = HttpResponse(out.getvalue(), content_type="image/png")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Content-Disposition"] = "inline; filename=preview.png"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Docket-SHA256"] = item.sha256
    return response


@login_required
@require_POST
def evidence_verify(request, pk):
    item = ep.evidence_get(request.user, pk, include_trashed=True)
    result = services.evidence_verify(item=item, user=request.user, request=request)
    if result["ok"]:
        messages.success(request, _("Verified: the stored file matches its SHA-256 and the custody log is intact."))
    else:
        messages.error(request, _("Verification FAILED: %(problems)s") % {"problems": "; ".join(result["problems"])})
    return redirect(item.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk):
    """Edit the descriptive fields and the restriction (each change is a custody entry)."""
    item = ep.evidence_get(request.user, pk, include_trashed=True)
    if not ep.can_edit(request.user, item):
        raise Http404("No such evidence item.")
    initial = {name: getattr(item, name) for name in services.EDITABLE_FIELDS + ("restricted",)}
    form = EvidenceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(user=request.user, item=item, data=form.changes(), request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(item.get_absolute_url())
    return render(request, "evidence/edit.html", {"form": form, "item": item})


@login_required
@require_POST
def evidence_trash_view(request, pk):
    item = ep.evidence_get(request.user, pk, include_trashed=True)
    if not ep.can_edit(request.user, item):
        raise Http404("No such evidence item.")
    if request.POST.get("restore"):
        services.evidence_restore(user=request.user, item=item, request=request)
        messages.success(request, _("Restored from the trash."))
    else:
        services.evidence_trash(user=request.user, item=item, request=request)
        messages.success(request, _("Moved to the trash. The file and its custody log are kept."))
    return redirect(item.get_absolute_url())
