"""Conversion of generated .docx documents to PDF/A-2b with LibreOffice headless.

- The program is ``settings.DOCKET_SOFFICE`` if set, else ``soffice`` or ``libreoffice`` on the PATH. Where none is
  installed, ``ConversionUnavailable`` names what is missing (the API answers 503 with that text).
- Each conversion runs in its own temporary folder with its own LibreOffice profile (two conversions never share a
  profile, which LibreOffice does not allow), under a time limit; at most ``DOCKET_SOFFICE_CONCURRENCY`` (default 2)
  run at once in a process.
- PDF/A-2b (``SelectPdfVersion`` 2): fonts embedded, no external content; the output is checked to be a PDF.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("docket")

PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


class ConversionUnavailable(Exception):
    """The converter is not installed here (a 503: the server, not the request, lacks something)."""


class ConversionFailed(Exception):
    """The converter ran but produced no PDF."""


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(int(getattr(settings, "DOCKET_SOFFICE_CONCURRENCY", 2)))
        return _slots


def soffice_path() -> str | None:
    configured = getattr(settings, "DOCKET_SOFFICE", "")
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice_path() is not None


def missing_message() -> str:
    return ("PDF conversion is not available on this server: LibreOffice (the 'soffice' program) is not installed "
            "or not on the PATH. Install LibreOffice Writer (e.g. the libreoffice-writer-nogui package) or set "
            "DOCKET_SOFFICE to its path; the .docx version of the document works without it.")


def docx_to_pdfa(content: bytes, *, timeout: int | None = None) -> bytes:
    """The PDF/A-2b rendering of a .docx, by LibreOffice headless."""
    program = soffice_path()
    if program is None:
        raise ConversionUnavailable(missing_message())
    timeout = timeout or int(getattr(settings, "DOCKET_SOFFICE_TIMEOUT", 180))
    base = Path(getattr(settings, "UPLOAD_TMP_DIR", tempfile.gettempdir()))
    base.mkdir(parents=True, exist_ok=True)
    with _semaphore(), tempfile.TemporaryDirectory(prefix="docket-pdf-", dir=base) as work:
        folder = Path(work)
        source = folder / "document.docx"
        source.write_bytes(content)
        command = [
            program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
            "--nologo", "--nodefault", "--nolockcheck", "--convert-to", PDFA_FILTER, "--outdir", str(folder / "out"),
            str(source),
        ]
        env = {**os.environ, "HOME": str(folder)}  # LibreOffice writes under $HOME too
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, env=env, cwd=folder, check=False)
        except subprocess.TimeoutExpired:
            raise ConversionFailed(f"LibreOffice did not finish within {timeout} s") from None
        except OSError as exc:
            raise ConversionUnavailable(f"{missing_message()} ({exc})") from None
        output = folder / "out" / "document.pdf"
        if result.returncode != 0 or not output.is_file():
            logger.error("soffice failed (%s): %s %s", result.returncode, result.stdout[-2000:], result.stderr[-2000:])
            raise ConversionFailed("LibreOffice could not convert the document to PDF")
        pdf = output.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise ConversionFailed("LibreOffice produced something that is not a PDF")
    return pdf
