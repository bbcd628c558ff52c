"""Where content-addressed blobs (evidence files, document templates) are kept: Django ``Storage`` classes, so
moving to object storage is a setting (``STORAGES["evidence"]`` / ``STORAGES["templates"]``, see config/settings.py).

Both classes add what Docket needs on top of Django's Storage API, and nothing else uses the bytes any other way:

- ``put_once(name, path, sha256=, size=)`` stores a local, already hashed file under ``name`` and never overwrites
  an existing one (True when this call created it, False when the name was already there);
- ``open_stream(name)`` opens the bytes for streamed reading (FileNotFoundError when missing);
- ``iter_names()`` lists every stored name; ``local_file(name)`` gives a local path for tools that need one.

``LocalBlobStorage`` (here, the default) keeps files in a folder named by a setting, read at call time so tests
can point it at a temporary folder: written under a temporary name, fsynced, hard-linked into place (an existing
file is never replaced) and made read-only. ``evidence.s3storage.S3BlobStorage`` keeps them in an S3-compatible
bucket (write-once by a conditional PUT; see that module).
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

CHUNK = 1024 * 1024
BLOB_MODE = 0o440


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def upload_tmp_dir() -> Path:
    path = Path(settings.UPLOAD_TMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@deconstructible
class LocalBlobStorage(FileSystemStorage):
    """Write-once files in the folder named by the setting ``location_setting`` (e.g. ``EVIDENCE_DIR``)."""

    is_local = True

    def __init__(self, location_setting: str = "EVIDENCE_DIR", **kwargs) -> None:
        kwargs.setdefault("file_permissions_mode", BLOB_MODE)
        super().__init__(**kwargs)
        self.location_setting = location_setting

    # FileSystemStorage caches its folder; ours follows the setting so a test (or a restore) can move it.
    @property
    def base_location(self) -> str:
        return str(self._location or getattr(settings, self.location_setting))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def put_once(self, name: str, path: os.PathLike | str, *, sha256: str = "", size: int | None = None) -> bool:
        final = Path(self.path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            return False
        os.chmod(path, BLOB_MODE)
        try:
            os.link(path, final)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
                raise
            # Another file system (or no hard links): copy beside the target, then link that into place.
            fd, side = tempfile.mkstemp(prefix=".in-", dir=final.parent)
            try:
                with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                    shutil.copyfileobj(src, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(side, BLOB_MODE)
                try:
                    os.link(side, final)
                except FileExistsError:
                    return False
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(side)
        _fsync_dir(final.parent)
        return True

    def open_stream(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")

    def exists(self, name: str) -> bool:
        return os.path.isfile(self.path(name))

    def iter_names(self) -> Iterator[str]:
        root = Path(self.location)
        if not root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                if filename.startswith(".") or filename.endswith(".part"):
                    continue
                yield Path(dirpath, filename).relative_to(root).as_posix()

    @contextlib.contextmanager
    def local_file(self, name: str) -> Iterator[Path]:
        path = Path(self.path(name))
        if not path.is_file():
            raise FileNotFoundError(name)
        yield path
