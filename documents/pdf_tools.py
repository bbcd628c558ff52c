"""Small facts about exhibit files that documents need: their name in a bundle, their kind, their page count.

- ``bundle_file_name``: the name an exhibit has in the ZIP bundle (``003_Решение_суда.pdf``), also printed in the
  exhibit list so the list and the bundle agree;
- ``file_class``: how the paginated bundle shows a file: ``pdf`` (its own pages), ``image`` (one page), ``other``
  (a page naming the file and its SHA-256);
- ``exhibit_pages``: PDF pages (read with pikepdf, which reads the cross-reference table, not the page contents),
  1 for an image, None for anything else or a PDF that cannot be read.
"""
from __future__ import annotations

import logging
import os
import re
import unicodedata

logger = logging.getLogger("docket")

PDF = "pdf"
IMAGE = "image"
OTHER = "other"

# Image types Pillow reads without plugins; anything else (HEIC, RAW...) is shown as an "other file" page.
IMAGE_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/tiff", "image/bmp", "image/webp", "image/x-ms-bmp",
})

_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def sanitise_filename(name: str, fallback: str = "exhibit") -> str:
    """A name safe in any archive tool and file system: letters (any script), digits, '.', '-', '_'."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = _UNSAFE_NAME.sub("_", name).strip("._")
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 100 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:100]
    return name or fallback


def bundle_file_name(number: int, name: str, width: int = 3) -> str:
    return f"{number:0{width}d}_{sanitise_filename(name)}"


def file_class(media_type: str) -> str:
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type == "application/pdf":
        return PDF
    if media_type in IMAGE_TYPES:
        return IMAGE
    return OTHER


def pdf_page_count(path) -> int | None:
    """Pages of a PDF file, or None when it cannot be opened (damaged, encrypted with a password...)."""
    import pikepdf

    try:
        with pikepdf.open(path, access_mode=pikepdf.AccessMode.stream) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError) as exc:
        logger.info("page count: %s is not a readable PDF (%s)", path, exc)
        return None


def exhibit_pages(sha256: str, media_type: str) -> int | None:
    kind = file_class(media_type)
    if kind == IMAGE:
        return 1
    if kind != PDF:
        return None
    from evidence import storage

    try:
        path = storage.local_path(sha256)
        if path is not None:
            return pdf_page_count(path)
        with storage.local_copy(sha256) as copy:  # object storage: a temporary local copy
            return pdf_page_count(copy)
    except (ValueError, OSError):
        return None
