"""The archive encryption (ops.crypto): any plaintext round-trips; any change, cut, reordering or wrong passphrase
is refused. Small scrypt cost here so hypothesis can try many cases (the parameters travel in the header)."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops.crypto import HEADER, DecryptingReader, DecryptionError, EncryptingWriter

PASS = "correct horse battery staple"


def encrypt(data: bytes, chunk: int, writes: int = 7) -> bytes:
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, PASS, chunk_size=chunk, log2_n=10)
    step = max(1, len(data) // writes)
    for i in range(0, len(data), step):
        writer.write(data[i:i + step])
    writer.close()
    return raw.getvalue()


def decrypt(blob: bytes, passphrase: str = PASS, read: int = 1000) -> bytes:
    reader = DecryptingReader(io.BytesIO(blob), passphrase)
    out = bytearray()
    while chunk := reader.read(read):
        out += chunk
    return bytes(out)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=5000), chunk=st.sampled_from([1024, 1500, 4096]), read=st.integers(1, 3000))
def test_round_trip(data, chunk, read):
    assert decrypt(encrypt(data, chunk), read=read) == data


@settings(max_examples=60, deadline=None)
@given(data=st.binary(min_size=1, max_size=4000), where=st.integers(0, 10**6), bit=st.integers(0, 7))
def test_any_flipped_bit_is_refused(data, where, bit):
    blob = bytearray(encrypt(data, 1024))
    where %= len(blob)
    blob[where] ^= 1 << bit
    with pytest.raises(DecryptionError):
        decrypt(bytes(blob))


@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=1, max_size=5000), keep=st.integers(0, 10**6))
def test_any_cut_is_refused(data, keep):
    blob = encrypt(data, 1024)
    keep %= len(blob)  # strictly shorter than the whole
    with pytest.raises(DecryptionError):
        decrypt(blob[:keep])


def test_cut_exactly_at_a_chunk_boundary_and_reordered_chunks_are_refused():
    data = bytes(range(256)) * 20  # 5120 bytes: five chunks of 1024 and an empty last one
    blob = encrypt(data, 1024)
    size = 1024 + 16
    body = blob[HEADER.size:]
    chunks = [body[i:i + size] for i in range(0, len(body), size)]
    with pytest.raises(DecryptionError, match="cut short"):
        decrypt(blob[: HEADER.size + 2 * size])
    swapped = blob[: HEADER.size] + chunks[1] + chunks[0] + b"".join(chunks[2:])
    with pytest.raises(DecryptionError):
        decrypt(swapped)


def test_wrong_passphrase_and_foreign_bytes():
    blob = encrypt(b"secret names", 1024)
    with pytest.raises(DecryptionError, match="wrong passphrase"):
        decrypt(blob, "another passphrase")
    with pytest.raises(DecryptionError, match="not an encrypted"):
        decrypt(b"PK\x03\x04 something else entirely")
    assert b"secret names" not in blob
