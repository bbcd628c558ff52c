"""Content-addressed, write-once storage of evidence files under ``settings.EVIDENCE_DIR``.

A file with SHA-256 ``abcd…`` lives at ``EVIDENCE_DIR/ab/cd/abcd…``. It is written to a temporary file while it is
hashed (never held whole in memory), fsynced, hard-linked into place (so an existing blob is never overwritten) and
made read-only (0o440). The same bytes are stored once. Settings are read at call time.

``blob_lock(sha256)`` serialises the placement of a blob with the database row that references it and with the
orphan sweeper, so a blob is never removed while another upload of the same bytes is being committed.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import hmac
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024
BLOB_MODE = 0o440
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BadDigest(ValueError):
    """Not a lower-case hex SHA-256: never turned into a path."""


def evidence_dir() -> Path:
    return Path(settings.EVIDENCE_DIR)


def tmp_dir() -> Path:
    path = Path(settings.UPLOAD_TMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def blob_path(sha256: str) -> Path:
    if not isinstance(sha256, str) or not _HEX64.match(sha256):
        raise BadDigest(f"not a SHA-256 digest: {sha256!r}")
    return evidence_dir() / sha256[:2] / sha256[2:4] / sha256


def blob_exists(sha256: str) -> bool:
    try:
        return blob_path(sha256).is_file()
    except BadDigest:
        return False


def open_blob(sha256: str) -> BinaryIO:
    """The stored bytes, opened for binary reading (the caller closes it). FileNotFoundError if missing."""
    return open(blob_path(sha256), "rb")


def hash_file(path: os.PathLike | str) -> tuple[str, int]:
    """SHA-256 and size of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def blob_hash(sha256: str) -> str | None:
    """Re-hash a stored blob; None when it is missing or unreadable."""
    try:
        return hash_file(blob_path(sha256))[0]
    except (OSError, BadDigest):
        return None


@dataclass
class Spooled:
    """A temporary file holding received bytes, with their digest and size."""

    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


def new_temp() -> tuple[BinaryIO, Path]:
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=tmp_dir())
    return os.fdopen(fd, "wb"), Path(name)


def spool(fileobj: BinaryIO, *, limit: int | None = None) -> Spooled:
    """Copy a readable binary stream into a temporary file while hashing it; TooLarge past ``limit``."""
    digest = hashlib.sha256()
    size = 0
    out, path = new_temp()
    try:
        with out:
            while chunk := fileobj.read(CHUNK):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise TooLarge(limit)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
    return Spooled(path=path, sha256=digest.hexdigest(), size=size)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def place(spooled: Spooled) -> bool:
    """Move a spooled file into its content address. True if this call created the blob, False if the same
    bytes were already stored (the temporary file is removed either way)."""
    final = blob_path(spooled.sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        if final.exists():
            return False
        os.chmod(spooled.path, BLOB_MODE)
        try:
            os.link(spooled.path, final)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
                raise
            # Another file system (or no hard links): copy beside the target, then link that into place.
            fd, side = tempfile.mkstemp(prefix=".in-", dir=final.parent)
            try:
                with os.fdopen(fd, "wb") as out, open(spooled.path, "rb") as src:
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
    finally:
        spooled.discard()


def remove_blob(sha256: str) -> bool:
    """Remove a stored blob (only the orphan sweeper and a failed upload's cleanup call this)."""
    try:
        os.unlink(blob_path(sha256))
    except FileNotFoundError:
        return False
    return True


def iter_blobs() -> Iterator[str]:
    """Digests of every blob on disk (files whose name and place match their content address)."""
    root = evidence_dir()
    if not root.is_dir():
        return
    for first in sorted(root.iterdir()):
        if not first.is_dir() or len(first.name) != 2:
            continue
        for second in sorted(first.iterdir()):
            if not second.is_dir():
                continue
            for blob in sorted(second.iterdir()):
                name = blob.name
                if _HEX64.match(name) and name[:2] == first.name and name[2:4] == second.name and blob.is_file():
                    yield name


@contextlib.contextmanager
def blob_lock(sha256: str, *, blocking: bool = True) -> Iterator[bool]:
    """An exclusive inter-process lock on one digest. Yields False when ``blocking`` is off and it is held."""
    blob_path(sha256)  # validates
    locks = evidence_dir() / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    fd = os.open(locks / sha256[:2], os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- Delivery: bytes served only while they still match their digest ----------------------------------------------
class IntegrityMismatch(Exception):
    """A stored blob no longer matches the digest or size recorded at upload."""

    def __init__(self, *, reason: str, expected_sha256: str, actual_sha256: str | None, expected_size: int,
                 actual_size: int) -> None:
        super().__init__(f"stored file does not match its record ({reason})")
        self.reason = reason  # "size" or "digest"
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256
        self.expected_size = expected_size
        self.actual_size = actual_size


class VerifiedBlob:
    """A stored blob opened for delivery, checked against its recorded SHA-256 and size.

    Iterating it yields the bytes in ``CHUNK`` blocks while hashing them, always holding the latest block back:
    the last block is released only once the whole file has been hashed and matched. When the bytes no longer
    match, ``on_mismatch(mismatch, delivered_bytes)`` is called once and ``IntegrityMismatch`` is raised, which cuts
    the transfer: the client receives less than the announced ``Content-Length`` (or, when nothing was sent yet,
    no body at all). ``prime()`` checks the size on disk and reads ahead before any header is sent, so a blob of
    the wrong size, or a wrong blob that fits in one block, is refused before the first byte. Memory stays at two
    blocks whatever the size of the file.
    """

    def __init__(self, sha256: str, size: int, *, on_mismatch=None, chunk: int = CHUNK,
                 file: BinaryIO | None = None) -> None:
        self.sha256 = sha256
        self.size = int(size)
        self.chunk = chunk
        self.on_mismatch = on_mismatch
        self.delivered = 0
        self.file: BinaryIO = file if file is not None else open_blob(sha256)
        self._gen: Iterator[bytes] | None = None
        self._first: bytes | None = None
        self._failed = False

    def _fail(self, *, reason: str, actual_sha256: str | None, actual_size: int) -> None:
        mismatch = IntegrityMismatch(reason=reason, expected_sha256=self.sha256, actual_sha256=actual_sha256,
                                     expected_size=self.size, actual_size=actual_size)
        if not self._failed:
            self._failed = True
            if self.on_mismatch is not None:
                self.on_mismatch(mismatch, self.delivered)
        raise mismatch

    def check_size(self) -> None:
        on_disk = os.fstat(self.file.fileno()).st_size
        if on_disk != self.size:
            self.close()
            self._fail(reason="size", actual_sha256=None, actual_size=on_disk)

    def _chunks(self) -> Iterator[bytes]:
        digest = hashlib.sha256()
        read = 0
        held = None
        try:
            while chunk := self.file.read(self.chunk):
                read += len(chunk)
                if read > self.size:  # grew since it was stored: never send more than was recorded
                    self._fail(reason="size", actual_sha256=None, actual_size=read)
                digest.update(chunk)
                if held is not None:
                    self.delivered += len(held)
                    yield held
                held = chunk
            actual = digest.hexdigest()
            if read != self.size:
                self._fail(reason="size", actual_sha256=actual, actual_size=read)
            if not hmac.compare_digest(actual, self.sha256):
                self._fail(reason="digest", actual_sha256=actual, actual_size=read)
            if held is not None:
                self.delivered += len(held)
                yield held
        finally:
            self.close()

    def prime(self) -> None:
        """Check the size on disk and read ahead to the first block to send (raises IntegrityMismatch)."""
        self.check_size()
        self._gen = self._chunks()
        self._first = next(self._gen, None)

    def __iter__(self) -> Iterator[bytes]:
        if self._gen is None:
            self.prime()
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        yield from self._gen

    def verified_file(self) -> BinaryIO:
        """The whole file hashed and matched first, then rewound: for readers that seek (image decoders)."""
        self.check_size()
        digest = hashlib.sha256()
        read = 0
        while chunk := self.file.read(self.chunk):
            digest.update(chunk)
            read += len(chunk)
        actual = digest.hexdigest()
        if read != self.size or not hmac.compare_digest(actual, self.sha256):
            self.close()
            self._fail(reason="size" if read != self.size else "digest", actual_sha256=actual, actual_size=read)
        self.file.seek(0)
        return self.file

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.file.close()
