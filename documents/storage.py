"""Where organisation templates' bytes live: a write-once folder named by their SHA-256 (like evidence)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from documents.models import DocumentTemplate

CHUNK = 1024 * 1024


class TemplateTooLarge(ValidationError):
    pass


def max_template_bytes() -> int:
    return int(getattr(settings, "DOCKET_MAX_TEMPLATE_BYTES", 10 * 1024 * 1024))


def templates_dir() -> Path:
    path = Path(settings.DOCUMENT_TEMPLATES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def template_path(template: DocumentTemplate) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", template.sha256 or ""):
        raise ValidationError(_("The template's file is missing."))
    return templates_dir() / f"{template.sha256}.docx"


def read_limited(uploaded_file, limit: int) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise TemplateTooLarge(_("The template is larger than %(limit)s bytes.") % {"limit": limit})
    chunks, total = [], 0
    for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else iter(lambda: uploaded_file.read(CHUNK), b""):
        total += len(chunk)
        if total > limit:
            raise TemplateTooLarge(_("The template is larger than %(limit)s bytes.") % {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)




def template_store(data: bytes, sha: str) -> bool:
    """Write the bytes under their digest once (read-only afterwards); True when this call created the file."""
    target = templates_dir() / f"{sha}.docx"
    if target.exists():
        return False
    fd, tmp = tempfile.mkstemp(dir=templates_dir(), suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    os.chmod(target, 0o440)
    return True


def template_unstore(sha: str) -> None:
    (templates_dir() / f"{sha}.docx").unlink(missing_ok=True)
