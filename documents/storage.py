"""Where organisation templates' bytes live: the ``templates`` storage (``STORAGES["templates"]``: the folder
``DOCUMENT_TEMPLATES_DIR``, or a bucket when ``DOCKET_STORAGE=s3``), write-once and named by their SHA-256, like
evidence."""
from __future__ import annotations

import contextlib
import os
import re
import tempfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from documents.models import DocumentTemplate

CHUNK = 1024 * 1024


class TemplateTooLarge(ValidationError):
    pass


def max_template_bytes() -> int:
    return int(getattr(settings, "DOCKET_MAX_TEMPLATE_BYTES", 10 * 1024 * 1024))


def template_storage():
    """The storage holding template files (``STORAGES["templates"]``)."""
    from django.core.files.storage import storages

    return storages["templates"]


def template_name(sha256: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise ValidationError(_("The template's file is missing."))
    return f"{sha256}.docx"


def template_bytes(template: DocumentTemplate) -> bytes:
    """The template's stored bytes (at most one byte past the size limit: the caller checks the digest)."""
    with template_storage().open_stream(template_name(template.sha256)) as fh:
        return fh.read(max_template_bytes() + 1)


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
    """Write the bytes under their digest once (never overwritten); True when this call created the file."""
    from evidence.blobstores import upload_tmp_dir

    fd, tmp = tempfile.mkstemp(dir=upload_tmp_dir(), prefix="template-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return template_storage().put_once(template_name(sha), tmp, sha256=sha, size=len(data))
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def template_unstore(sha: str) -> None:
    template_storage().delete(template_name(sha))
