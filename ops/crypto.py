"""Passphrase encryption of a backup archive: streaming, authenticated, flat memory for any size.

Format (``DKTENC01``)::

    header  = magic "DKTENC01" | scrypt log2(n), r, p (1 byte each) | salt (16) | nonce prefix (7) | chunk size (4, BE)
    body    = chunk*  — each chunk AES-256-GCM(plaintext of `chunk size` bytes, the last one shorter or empty)
    nonce   = nonce prefix (7) | chunk counter (4, BE) | 1 if last chunk else 0 (1)
    AAD     = the whole header

The key is scrypt(passphrase, salt) (n = 2**17, r = 8, p = 1: about 128 MiB and a second to derive, so guessing is
slow). The counter in the nonce catches reordered or dropped chunks, the last-chunk flag a truncated archive, the
header as associated data any change to the parameters; a wrong passphrase fails on the first chunk. This is the
"STREAM" construction of Hoang, Reyhanitabar, Rogaway and Vizár (2015), as used by age and Tink. Only
``cryptography`` primitives are used.
"""
from __future__ import annotations

import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"DKTENC01"
HEADER = struct.Struct(">8sBBB16s7sI")
TAG = 16
CHUNK = 1024 * 1024
LOG2_N, R, P = 17, 8, 1
MAX_COUNTER = 2**32 - 1
MIN_PASSPHRASE = 12


class DecryptionError(Exception):
    """Wrong passphrase, or the archive was changed or cut short."""


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValueError(f"the passphrase must be at least {MIN_PASSPHRASE} characters long")


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise DecryptionError("unsupported key-derivation parameters in the archive header")
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter > MAX_COUNTER:
        raise OverflowError("archive too large for one key (4 PiB)")
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only binary stream that encrypts into ``raw``. ``close()`` writes the last chunk (not ``raw``'s)."""

    def __init__(self, raw: BinaryIO, passphrase: str, *, chunk_size: int = CHUNK, log2_n: int = LOG2_N) -> None:
        check_passphrase(passphrase)
        salt, prefix = os.urandom(16), os.urandom(7)
        self.header = HEADER.pack(MAGIC, log2_n, R, P, salt, prefix, chunk_size)
        self._aead = AESGCM(_derive(passphrase, salt, log2_n, R, P))
        self._raw, self._prefix, self._chunk = raw, prefix, chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False
        raw.write(self.header)

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes, last: bool) -> None:
        self._raw.write(self._aead.encrypt(_nonce(self._prefix, self._counter, last), data, self.header))
        self._counter += 1

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: only close() knows which chunk is the last.
        while len(self._buffer) > self._chunk:
            self._emit(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._raw.flush()
            self.closed = True


class DecryptingReader:
    """A read-only binary stream of the plaintext of an encrypted archive read from ``raw``."""

    def __init__(self, raw: BinaryIO, passphrase: str) -> None:
        header = raw.read(HEADER.size)
        if len(header) < HEADER.size or not is_encrypted(header):
            raise DecryptionError("not an encrypted Docket archive")
        _magic, log2_n, r, p, salt, prefix, chunk = HEADER.unpack(header)
        if not 1024 <= chunk <= 64 * 1024 * 1024:
            raise DecryptionError("unsupported chunk size in the archive header")
        self.header = header
        self._aead = AESGCM(_derive(passphrase, salt, log2_n, r, p))
        self._raw, self._prefix, self._enc_chunk = raw, prefix, chunk + TAG
        self._counter = 0
        self._pending = raw.read(self._enc_chunk)
        self._plain = b""
        self._offset = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        data = self._pending
        self._pending = self._raw.read(self._enc_chunk) if len(data) == self._enc_chunk else b""
        last = not self._pending
        try:
            self._plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), data, self.header)
        except InvalidTag:
            if self._counter == 0:
                raise DecryptionError("wrong passphrase, or the archive is damaged") from None
            raise DecryptionError(f"the archive is damaged or cut short (chunk {self._counter})") from None
        self._offset = 0
        self._counter += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while size < 0 or len(out) < size:
            if self._offset >= len(self._plain):
                if self._done:
                    break
                self._next_chunk()
                continue
            want = len(self._plain) - self._offset if size < 0 else min(size - len(out), len(self._plain) - self._offset)
            out += self._plain[self._offset: self._offset + want]
            self._offset += want
        return bytes(out)

    def close(self) -> None:
        self._plain = b""
