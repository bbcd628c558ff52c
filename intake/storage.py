"""Where a report's file waits for triage: ``DATA_DIR/intake/ab/cd/<sha256>``, write-once, content-addressed.

Kept apart from the evidence store so that a rejected report's file can be removed at once (nothing of a
rejected reporter stays on disk) and so that the evidence orphan sweeper never sees a file that has no item yet.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from evidence import storage as evidence_storage
from evidence.blobstores import LocalBlobStorage


def intake_dir() -> Path:
    return Path(settings.DATA_DIR) / "intake"


class IntakeBlobStorage(LocalBlobStorage):
    """The intake store as a storage (``STORAGES["intake"]``), for backups and restores: always local, beside the
    data (a report's file never leaves the machine before a person has looked at it)."""

    @property
    def base_location(self) -> str:
        return str(self._location or intake_dir())


def path_of(sha256: str) -> Path:
    evidence_storage.blob_path(sha256)  # validates the digest before it becomes a path
    return intake_dir() / sha256[:2] / sha256[2:4] / sha256


def place(spooled: evidence_storage.Spooled) -> None:
    """Move a received temporary file into the intake store (the temporary file is gone afterwards)."""
    final = path_of(spooled.sha256)
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if not final.exists():
            os.chmod(spooled.path, 0o440)
            with contextlib.suppress(FileExistsError):
                os.link(spooled.path, final)
    finally:
        spooled.discard()


def open_file(sha256: str) -> BinaryIO:
    return open(path_of(sha256), "rb")


def remove(sha256: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path_of(sha256))


def exists(sha256: str) -> bool:
    return path_of(sha256).is_file()
