"""Content-addressed, write-once storage of evidence files, through the ``evidence`` Django storage.

A file with SHA-256 ``abcd…`` is stored under the name ``ab/cd/abcd…``: by default in ``EVIDENCE_DIR``
(``evidence.blobstores.LocalBlobStorage``), with ``DOCKET_STORAGE=s3`` in a bucket
(``evidence.s3storage.S3BlobStorage``). It is received into a temporary file while it is hashed (never held whole
in memory), fsynced, then put into the storage once: an existing blob is never overwritten. The same bytes are
stored once. Reads are streamed. Settings are read at call time.

``blob_lock(sha256)`` serialises the placement of a blob with the database row that references it and with the
orphan sweeper, so a blob is never removed while another upload of the same bytes is being committed.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import storages

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


def blob_storage():
    """The storage holding evidence files (``STORAGES["evidence"]``)."""
    return storages["evidence"]


def blob_name(sha256: str) -> str:
    """The storage name of a digest's blob; BadDigest for anything but a lower-case hex SHA-256."""
    if not isinstance(sha256, str) or not _HEX64.match(sha256):
        raise BadDigest(f"not a SHA-256 digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def blob_path(sha256: str) -> Path:
    """Where the local storage keeps a blob (only meaningful with ``DOCKET_STORAGE=local``)."""
    return evidence_dir() / blob_name(sha256)


def blob_exists(sha256: str) -> bool:
    try:
        return blob_storage().exists(blob_name(sha256))
    except BadDigest:
        return False


def open_blob(sha256: str) -> BinaryIO:
    """The stored bytes, opened for streamed binary reading (the caller closes it). FileNotFoundError if missing."""
    return blob_storage().open_stream(blob_name(sha256))


def blob_size(sha256: str) -> int:
    """Size of the stored blob in bytes. FileNotFoundError if missing."""
    return blob_storage().size(blob_name(sha256))


def hash_stream(fh: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of what a stream yields, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def hash_file(path: os.PathLike | str) -> tuple[str, int]:
    """SHA-256 and size of a file, read in blocks."""
    with open(path, "rb") as fh:
        return hash_stream(fh)


def blob_hash(sha256: str) -> str | None:
    """Re-hash a stored blob, streaming it from the storage; None when it is missing or unreadable."""
    try:
        with contextlib.closing(open_blob(sha256)) as fh:
            return hash_stream(fh)[0]
    except (OSError, BadDigest):
        return None


def local_path(sha256: str) -> Path | None:
    """The path of the stored file itself when the storage is a local folder, else None (object storage)."""
    try:
        return Path(blob_storage().path(blob_name(sha256)))
    except NotImplementedError:
        return None


@contextlib.contextmanager
def local_copy(sha256: str) -> Iterator[Path]:
    """A local path holding the blob's bytes, for tools that need a file (extraction, OCR): the file itself with
    the local storage, a temporary copy (removed afterwards) with object storage. FileNotFoundError if missing."""
    with blob_storage().local_file(blob_name(sha256)) as path:
        yield path


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


def place(spooled: Spooled) -> bool:
    """Put a spooled file into the storage under its content address. True if this call created the blob, False if
    the same bytes were already stored (the temporary file is removed either way)."""
    try:
        return blob_storage().put_once(blob_name(spooled.sha256), spooled.path, sha256=spooled.sha256,
                                       size=spooled.size)
    finally:
        spooled.discard()


def remove_blob(sha256: str) -> bool:
    """Remove a stored blob (only the orphan sweeper and a failed upload's cleanup call this)."""
    name = blob_name(sha256)
    store = blob_storage()
    if not store.exists(name):
        return False
    store.delete(name)
    return True


def iter_blobs() -> Iterator[str]:
    """Digests of every stored blob (names that match their content address)."""
    for name in blob_storage().iter_names():
        parts = name.split("/")
        if len(parts) == 3 and _HEX64.match(parts[2]) and parts[0] == parts[2][:2] and parts[1] == parts[2][2:4]:
            yield parts[2]


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
        try:
            on_disk = os.fstat(self.file.fileno()).st_size
        except (AttributeError, OSError, ValueError):  # a stream from object storage: ask the storage
            try:
                on_disk = blob_size(self.sha256)
            except OSError:
                on_disk = -1
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
        seekable = self.file.seekable() if hasattr(self.file, "seekable") else False
        # A stream from object storage cannot rewind: keep what is read in a temporary file (memory up to 8 MiB).
        copy = None if seekable else tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, dir=tmp_dir())
        while chunk := self.file.read(self.chunk):
            digest.update(chunk)
            read += len(chunk)
            if copy is not None:
                copy.write(chunk)
        actual = digest.hexdigest()
        if read != self.size or not hmac.compare_digest(actual, self.sha256):
            self.close()
            if copy is not None:
                copy.close()
            self._fail(reason="size" if read != self.size else "digest", actual_sha256=actual, actual_size=read)
        if copy is not None:
            self.file.close()
            self.file = copy
        self.file.seek(0)
        return self.file

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.file.close()
