"""Text and metadata from stored evidence files, for search and display. Pure functions of a file on disk.

``extract(path, media_type) -> (text, metadata)``. Hostile input is expected: images are capped in pixels
(decompression bombs raise), DOCX zip members are inspected before anything is inflated, PDF streams are
inflated by pypdf under its own output limits, and the text kept is capped. OCR (tesseract, Russian and English)
reads images and scanned PDFs; when tesseract is missing the rest still works and ``metadata["ocr"]`` says so.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import subprocess
import tempfile
import warnings
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

logger = logging.getLogger("docket")

MAX_TEXT = 1_000_000  # characters of extracted text kept per item
MAX_PIXELS = 60_000_000  # larger images are refused (decompression-bomb guard)
OCR_MAX_SIDE = 4000
OCR_LANG = "rus+eng"
OCR_TIMEOUT = 120
PDF_MAX_PAGES_TEXT = 2000
PDF_MAX_PAGES_OCR = 20
PDF_OCR_WHEN_FEWER_CHARS = 20  # per page on average: fewer means a scan
DOCX_MAX_TOTAL = 200 * 1024 * 1024  # uncompressed bytes in all members
DOCX_MAX_MEMBER = 100 * 1024 * 1024
DOCX_MAX_RATIO = 200
DOCX_MAX_MEMBERS = 5000
TEXT_READ_BYTES = 4 * MAX_TEXT


class ExtractionRefused(Exception):
    """The file is hostile or too large to extract safely (e.g. a decompression bomb)."""


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str | None) -> bool:
        """Add text; False once the cap is reached."""
        if not text:
            return self.length < MAX_TEXT
        room = MAX_TEXT - self.length
        if room <= 0:
            return False
        text = text.replace("\x00", "")[:room]
        self.parts.append(text)
        self.length += len(text)
        return self.length < MAX_TEXT

    def value(self) -> str:
        return "\n".join(p for p in self.parts if p).strip()


def _json_safe(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        return None
    if value is None or isinstance(value, (bool, int, str)):
        return value.replace("\x00", "")[:2000] if isinstance(value, str) else value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, (Fraction, Decimal)):
        try:
            return float(value)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
    if hasattr(value, "numerator") and hasattr(value, "denominator"):  # PIL IFDRational
        try:
            return float(value.numerator) / float(value.denominator) if value.denominator else None
        except (TypeError, ValueError, ZeroDivisionError):
            return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8").rstrip("\x00")
        except UnicodeDecodeError:
            return f"<{len(value)} bytes>"
        return text[:2000] if text.isprintable() else f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, depth + 1) for v in list(value)[:64]]
    if isinstance(value, dict):
        return {str(k)[:100]: _json_safe(v, depth + 1) for k, v in list(value.items())[:200]}
    return str(value)[:2000]


# --- OCR -------------------------------------------------------------------------------------------------------
def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _ocr(image, metadata: dict) -> str:
    if not tesseract_available():
        metadata["ocr"] = "skipped: tesseract is not installed"
        return ""
    import pytesseract

    image = image.convert("L")
    if max(image.size) > OCR_MAX_SIDE:
        image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    try:
        text = pytesseract.image_to_string(image, lang=OCR_LANG, timeout=OCR_TIMEOUT)
    except pytesseract.TesseractNotFoundError:
        metadata["ocr"] = "skipped: tesseract is not installed"
        return ""
    except (RuntimeError, pytesseract.TesseractError) as exc:  # timeout or a missing language pack
        metadata["ocr"] = f"failed: {str(exc)[:300]}"
        return ""
    metadata["ocr"] = f"done ({OCR_LANG})"
    return text


# --- Images ----------------------------------------------------------------------------------------------------
def _open_image(path_or_file):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path_or_file)
            if image.width * image.height > MAX_PIXELS:
                raise ExtractionRefused(f"image of {image.width}×{image.height} pixels is too large")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ExtractionRefused(f"possible decompression bomb: {exc}") from exc
    return image


def _gps_decimal(values, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if str(ref).upper() in ("S", "W"):
        result = -result
    return round(result, 7)


def image_metadata(image) -> dict[str, Any]:
    from PIL import ExifTags

    meta: dict[str, Any] = {"format": image.format, "width": image.width, "height": image.height,
                            "mode": image.mode}
    exif = image.getexif()
    tags: dict[str, Any] = {}
    for tag, value in exif.items():
        tags[ExifTags.TAGS.get(tag, str(tag))] = value
    try:
        for tag, value in exif.get_ifd(ExifTags.IFD.Exif).items():
            tags[ExifTags.TAGS.get(tag, str(tag))] = value
    except Exception:  # noqa: BLE001 - a malformed IFD leaves the rest
        pass
    gps: dict[str, Any] = {}
    try:
        for tag, value in exif.get_ifd(ExifTags.IFD.GPSInfo).items():
            gps[ExifTags.GPSTAGS.get(tag, str(tag))] = value
    except Exception:  # noqa: BLE001
        pass
    tags.pop("MakerNote", None)
    tags.pop("ExifOffset", None)
    tags.pop("GPSInfo", None)
    if tags:
        meta["exif"] = _json_safe(tags)
    camera = {k: tags[k] for k in ("Make", "Model", "LensModel", "Software") if k in tags}
    if camera:
        meta["camera"] = _json_safe(camera)
    taken = tags.get("DateTimeOriginal") or tags.get("DateTime")
    if taken:
        meta["taken_at"] = _json_safe(taken)
    if gps:
        meta["gps"] = _json_safe(gps)
        lat = _gps_decimal(gps.get("GPSLatitude"), gps.get("GPSLatitudeRef")) if "GPSLatitude" in gps else None
        lon = _gps_decimal(gps.get("GPSLongitude"), gps.get("GPSLongitudeRef")) if "GPSLongitude" in gps else None
        if lat is not None and lon is not None:
            meta["latitude"], meta["longitude"] = lat, lon
    return meta


def extract_image(path: Path) -> tuple[str, dict]:
    image = _open_image(path)
    with image:
        meta = image_metadata(image)
        image.load()
        text = _ocr(image, meta)
    return text, meta


# --- PDF -------------------------------------------------------------------------------------------------------
def _pdf_images_for_ocr(reader, metadata: dict) -> list:
    from PIL import Image

    images = []
    for page in reader.pages[:PDF_MAX_PAGES_OCR]:
        try:
            for embedded in page.images:
                data = embedded.data
                try:
                    images.append(_open_image(io.BytesIO(data)))
                except (ExtractionRefused, OSError, Image.UnidentifiedImageError) as exc:
                    metadata.setdefault("ocr_skipped_images", []).append(str(exc)[:200])
        except Exception as exc:  # noqa: BLE001 - one bad page does not stop the rest
            metadata.setdefault("ocr_skipped_images", []).append(str(exc)[:200])
    return images


def _pdf_render_pages(path: Path, pages: int) -> list:
    exe = shutil.which("pdftoppm")
    if not exe:
        return []
    with tempfile.TemporaryDirectory(prefix="docket-pdf-") as tmp:
        try:
            subprocess.run(
                [exe, "-r", "200", "-scale-to", str(OCR_MAX_SIDE), "-gray", "-png", "-f", "1", "-l",
                 str(min(pages, PDF_MAX_PAGES_OCR)), str(path), os.path.join(tmp, "page")],
                check=True, timeout=OCR_TIMEOUT, capture_output=True,
            )
        except (subprocess.SubprocessError, OSError):
            return []
        images = []
        for name in sorted(os.listdir(tmp)):
            image = _open_image(os.path.join(tmp, name))
            image.load()
            images.append(image)
        return images


PDF_STREAM_LIMIT = 25_000_000  # bytes one PDF stream may inflate to (pypdf's default is 75 MB)


def extract_pdf(path: Path) -> tuple[str, dict]:
    from pypdf import apply_configuration

    limits = {name: PDF_STREAM_LIMIT for name in (
        "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
        "jbig2_maximum_output_length", "brotli_maximum_output_length", "array_based_stream_maximum_output_length",
        "image_maximum_buffer_size",
    )}
    limits["stream_decoding_work_maximum_length"] = 4 * PDF_STREAM_LIMIT
    with apply_configuration(disable_legacy_handling=True, **limits):
        return _extract_pdf(path)


def _extract_pdf(path: Path) -> tuple[str, dict]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:  # noqa: BLE001
            raise ExtractionRefused("the PDF is encrypted") from exc
    meta: dict[str, Any] = {"pages": len(reader.pages)}
    info = {}
    try:
        raw = reader.metadata or {}
        for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate",
                    "/ModDate"):
            if key in raw and raw[key]:
                info[key.lstrip("/").lower()] = str(raw[key])[:2000]
    except Exception:  # noqa: BLE001 - broken metadata leaves the text
        pass
    if info:
        meta["pdf"] = info
    text = _Text()
    for page in reader.pages[:PDF_MAX_PAGES_TEXT]:
        try:
            if not text.add(page.extract_text()):
                break
        except Exception as exc:  # noqa: BLE001
            meta.setdefault("page_errors", 0)
            meta["page_errors"] += 1
            logger.info("pdf page text failed: %s", exc)
    pages = max(1, len(reader.pages))
    if text.length < PDF_OCR_WHEN_FEWER_CHARS * min(pages, PDF_MAX_PAGES_OCR):
        images = _pdf_render_pages(path, pages)
        meta["ocr_source"] = "pdftoppm" if images else "embedded images"
        if not images:
            images = _pdf_images_for_ocr(reader, meta)
        for image in images:
            with image:
                if not text.add(_ocr(image, meta)):
                    break
    return text.value(), meta


# --- DOCX ------------------------------------------------------------------------------------------------------
def check_zip(path: Path) -> None:
    """Refuse a zip whose members would inflate beyond the limits (checked from the directory, before any
    member is read)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionRefused(f"not a readable zip/docx: {exc}") from exc
    with archive:
        members = archive.infolist()
        if len(members) > DOCX_MAX_MEMBERS:
            raise ExtractionRefused(f"too many members ({len(members)})")
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > DOCX_MAX_MEMBER:
                raise ExtractionRefused(f"possible zip bomb: member {info.filename[:100]!r} inflates to "
                                        f"{info.file_size} bytes")
            if info.file_size > 1024 * 1024 and info.file_size > DOCX_MAX_RATIO * max(1, info.compress_size):
                raise ExtractionRefused(f"possible zip bomb: member {info.filename[:100]!r} compressed "
                                        f"{info.file_size // max(1, info.compress_size)}:1")
        if total > DOCX_MAX_TOTAL:
            raise ExtractionRefused(f"possible zip bomb: {total} bytes uncompressed")


def extract_docx(path: Path) -> tuple[str, dict]:
    check_zip(path)
    import docx

    document = docx.Document(str(path))
    text = _Text()
    for paragraph in document.paragraphs:
        if not text.add(paragraph.text):
            break
    for table in document.tables:
        for row in table.rows:
            if not text.add("\t".join(cell.text for cell in row.cells)):
                break
    props = document.core_properties
    info = {}
    for name in ("title", "author", "subject", "keywords", "comments", "category", "last_modified_by",
                 "revision", "created", "modified", "last_printed", "identifier", "language", "version"):
        value = getattr(props, name, None)
        if value not in (None, ""):
            info[name] = _json_safe(value)
    meta: dict[str, Any] = {"docx": info} if info else {}
    meta["paragraphs"] = len(document.paragraphs)
    return text.value(), meta


# --- Plain text ------------------------------------------------------------------------------------------------
def extract_text(path: Path) -> tuple[str, dict]:
    with open(path, "rb") as fh:
        raw = fh.read(TEXT_READ_BYTES)
    try:
        text = raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1251")
            encoding = "cp1251"
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            encoding = "utf-8 (with replacements)"
    out = _Text()
    out.add(text)
    return out.value(), {"encoding": encoding}


DOCX_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def extract(path: os.PathLike | str, media_type: str) -> tuple[str, dict]:
    """Text and metadata of a file. Raises ExtractionRefused for hostile or oversized input."""
    path = Path(path)
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # also for the images pypdf decodes
    if media_type.startswith("image/"):
        return extract_image(path)
    if media_type == "application/pdf":
        return extract_pdf(path)
    if media_type in DOCX_TYPES or media_type == "application/zip":
        if media_type == "application/zip":
            check_zip(path)
            with zipfile.ZipFile(path) as archive:
                if "word/document.xml" not in archive.namelist():
                    return "", {"zip_members": len(archive.infolist())}
        return extract_docx(path)
    if media_type.startswith("text/"):
        return extract_text(path)
    return "", {}
