"""Receiving an upload: a Django upload handler that streams the ``file`` part to disk while hashing it and
refuses it past ``settings.DOCKET_MAX_UPLOAD_BYTES``; file-name sanitising; media-type sniffing from the bytes.

Install it with ``install_upload_handler(request)`` before anything touches ``request.POST``/``request.FILES``.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import unicodedata
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from evidence import storage

FILE_FIELD = "file"
# Room for the other form fields and the multipart framing on top of the file itself.
MULTIPART_SLACK = 256 * 1024
MAX_FILENAME = 200


class UploadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The file is larger than the largest upload accepted.")
    default_code = "too_large"


class UploadRefused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The upload could not be read.")
    default_code = "bad_upload"


def max_upload_bytes() -> int:
    return int(settings.DOCKET_MAX_UPLOAD_BYTES)


def check_content_length(request) -> None:
    """Refuse, before a byte of the body is read, a request whose declared length is already too large."""
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        declared = int(raw)
    except ValueError:
        return
    if declared > max_upload_bytes() + MULTIPART_SLACK:
        raise UploadTooLarge()


class HashedUploadedFile(UploadedFile):
    """The received ``file`` part: a temporary file on disk, its SHA-256 and size. ``close()`` removes the
    temporary file unless it has been moved into storage."""

    def __init__(self, *, path: Path, sha256: str, size: int, name: str, content_type: str, charset) -> None:
        super().__init__(open(path, "rb"), name=name, content_type=content_type, size=size, charset=charset)
        self.temp_path = Path(path)
        self.sha256 = sha256

    def spooled(self) -> storage.Spooled:
        return storage.Spooled(path=self.temp_path, sha256=self.sha256, size=self.size)

    def temporary_file_path(self) -> str:
        return str(self.temp_path)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp_path)


class EvidenceUploadHandler(FileUploadHandler):
    """Streams the ``file`` part into ``UPLOAD_TMP_DIR`` while hashing; every other file part is dropped.

    Past the limit (counted as the bytes arrive, whatever the headers claimed) the temporary file is removed
    and ``UploadTooLarge`` (413) is raised; a second ``file`` part is refused (400)."""

    chunk_size = 256 * 1024

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes()
        self._out = None
        self._path: Path | None = None
        self._digest = None
        self._size = 0
        self._active = False
        self.received: HashedUploadedFile | None = None
        self.files_seen = 0

    def _cleanup(self) -> None:
        if self._out is not None:
            with contextlib.suppress(Exception):
                self._out.close()
            self._out = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)
            self._path = None
        self._active = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + MULTIPART_SLACK:
            raise UploadTooLarge()
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if field_name != FILE_FIELD:
            self._active = False
            raise StopFutureHandlers()
        self.files_seen += 1
        if self.files_seen > 1:
            self.abort()
            raise UploadRefused(_("Send one file per upload."))
        if content_length is not None and content_length > self.limit:
            raise UploadTooLarge()
        self._out, self._path = storage.new_temp()
        self._digest = hashlib.sha256()
        self._size = 0
        self._active = True
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if not self._active:
            return None
        self._size += len(raw_data)
        if self._size > self.limit:
            self.abort()
            raise UploadTooLarge()
        self._digest.update(raw_data)
        self._out.write(raw_data)
        return None

    def file_complete(self, file_size):
        if not self._active:
            return None
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        self._out = None
        self.received = HashedUploadedFile(
            path=self._path, sha256=self._digest.hexdigest(), size=self._size, name=self.file_name or "",
            content_type=self.content_type or "application/octet-stream", charset=self.charset,
        )
        self._path = None  # owned by the uploaded file from now on (its close() removes it)
        self._active = False
        return self.received

    def upload_interrupted(self):
        self.abort()

    def abort(self) -> None:
        self._cleanup()
        if self.received is not None:
            self.received.close()
            self.received = None


def install_upload_handler(request) -> EvidenceUploadHandler:
    """Make ``request`` (a Django HttpRequest) parse its body through an ``EvidenceUploadHandler`` only."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


# --- Names and types ------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE = re.compile(r'[<>:"|?*\\/]')


def sanitize_filename(name: str | None) -> str:
    """A display-safe file name: the last path part only, no control characters, NUL, separators or
    bidirectional overrides, no leading dots, at most ``MAX_FILENAME`` characters (keeping the extension)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name)
    # Bidi overrides and other format characters can disguise an extension ("photo\u202egpj.exe").
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name or "upload"


TEXT_SAMPLE = 64 * 1024


def sniff_media_type(path: os.PathLike | str) -> str:
    """The media type read from the bytes (``filetype``), never from the name or the client. Text that is
    valid UTF-8 with no NUL byte is ``text/plain``; anything unknown is ``application/octet-stream``."""
    with open(path, "rb") as fh:
        head = fh.read(TEXT_SAMPLE)
    kind = filetype.guess(head[:8192]) if head else None
    if kind is not None:
        return kind.mime
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError as exc:
            # A multi-byte character cut by the sample's end is still text.
            if exc.start >= len(head) - 4:
                return "text/plain"
        # Legacy Cyrillic text (Windows-1251): printable characters and ordinary whitespace only.
        decoded = head.decode("cp1251", errors="replace")
        printable = sum(1 for ch in decoded if ch.isprintable() or ch in "\r\n\t\f")
        if printable >= 0.98 * len(decoded):
            return "text/plain"
    return "application/octet-stream"


# Media types a browser could run as a page or a script: never sent with their own type.
_ACTIVE = ("html", "xml", "svg", "javascript", "ecmascript", "xhtml", "x-shockwave")


def safe_download_type(media_type: str) -> str:
    mt = (media_type or "").lower()
    if not mt or any(part in mt for part in _ACTIVE):
        return "application/octet-stream"
    if mt == "text/plain":
        return "text/plain; charset=utf-8"
    return mt
