"""The public intake receives its file through the evidence upload handler (streamed to disk while hashed, refused
past the limit as the bytes arrive, one file per report), with its own, smaller limit."""
from __future__ import annotations

from django.conf import settings

from evidence.uploads import MULTIPART_SLACK, EvidenceUploadHandler, UploadTooLarge, max_upload_bytes


def intake_max_bytes() -> int:
    return min(int(settings.DOCKET_INTAKE_MAX_UPLOAD_BYTES), max_upload_bytes())


class IntakeUploadHandler(EvidenceUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = intake_max_bytes()


def install(request) -> IntakeUploadHandler:
    handler = IntakeUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


def check_content_length(request) -> None:
    """Refuse (413) before reading the body a request that already declares too many bytes."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if declared > intake_max_bytes() + MULTIPART_SLACK:
        raise UploadTooLarge()
