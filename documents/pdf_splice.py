"""Assembling a large PDF with flat memory: big streams are kept out of pikepdf and spliced back into the file.

pikepdf copies a page's objects *and their stream data* into the destination when a page is added from another PDF
(qpdf's "immediate copy", which pikepdf turns on so a source may be closed early). A 1 GB bundle would then be 1 GB
in memory. So, before its pages are copied, every stream of a source PDF larger than ``THRESHOLD`` has its raw
(still encoded) bytes moved to a spool file on disk and replaced by a short token — same filter, so nothing decodes
it. The destination is written with streams passed through untouched (no decoding, no recompression, no object
streams, a classic cross-reference table); then ``SplicedFile`` describes the real file as a list of parts — runs of
that small written file, and ranges of the spool where the tokens were — with each token's ``/Length`` and the
cross-reference offsets corrected. Its bytes are produced part by part (hashing, streaming), never held whole.

Memory: the small streams of the sources (below ``THRESHOLD``, 4 KiB, each), the object structure, and one large stream at
a time while it is being moved to the spool: it grows with the largest single stream, not with the bundle.
"""
from __future__ import annotations

import bisect
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

THRESHOLD = 4 * 1024  # above a page content stream or a font subset: those add up over thousands of pages
CHUNK = 1024 * 1024


class SpliceError(Exception):
    """The written file is not in the shape the splice needs (it should never happen)."""


@dataclass
class StreamSpool:
    """Where the big streams wait: one append-only file, and the (offset, length) of each by token number."""

    path: Path
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    ranges: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._fh = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        self._size = 0

    def token(self, number: int) -> bytes:
        return f"DKT{self.nonce}{number:08x}".encode("ascii")

    def token_pattern(self) -> re.Pattern:
        return re.compile(rb"stream\r?\n(DKT" + self.nonce.encode("ascii") + rb"([0-9a-f]{8}))")

    def put(self, data) -> bytes:
        view = memoryview(data)
        self._fh.write(view)
        self.ranges.append((self._size, view.nbytes))
        self._size += view.nbytes
        return self.token(len(self.ranges) - 1)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def externalise(pdf, spool: StreamSpool, threshold: int = THRESHOLD) -> int:
    """Move every stream of ``pdf`` above ``threshold`` raw bytes to the spool; the number moved."""
    import pikepdf

    moved = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        try:
            length = int(obj.stream_dict.get("/Length", 0))
        except (TypeError, ValueError):
            length = 0
        if length <= threshold:
            continue
        raw = obj.get_raw_stream_buffer()  # qpdf's own buffer: no second copy in Python
        if len(raw) <= threshold:
            continue
        token = spool.put(raw)
        filters = obj.stream_dict.get("/Filter")
        parms = obj.stream_dict.get("/DecodeParms")
        if filters is None:
            obj.write(token, type_check=False)
        else:
            obj.write(token, filter=filters, decode_parms=parms, type_check=False)
        del raw
        moved += 1
    return moved


def save_for_splice(pdf, path: Path) -> None:
    """Write ``pdf`` so the tokens survive as they are: streams passed through, a classic xref table."""
    import pikepdf

    pdf.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none,
             object_stream_mode=pikepdf.ObjectStreamMode.disable, recompress_flate=False, linearize=False)


_LENGTH = re.compile(rb"/Length\s+(\d+)(?![\d.])")
_XREF = re.compile(rb"\nxref\r?\n")
_STARTXREF = re.compile(rb"startxref\r?\n(\d+)\r?\n%%EOF\s*$")


@dataclass
class SplicedFile:
    """The real PDF: parts that are either bytes or a (offset, length) range of the spool."""

    parts: list[bytes | tuple[int, int]]
    spool_path: Path
    size: int

    def chunks(self) -> Iterator[bytes]:
        with open(self.spool_path, "rb") as spool:
            for part in self.parts:
                if isinstance(part, bytes):
                    yield part
                    continue
                offset, length = part
                spool.seek(offset)
                while length > 0:
                    chunk = spool.read(min(CHUNK, length))
                    if not chunk:
                        raise SpliceError("the stream spool is shorter than expected")
                    length -= len(chunk)
                    yield chunk

    def write_to(self, path: Path) -> None:
        with open(path, "wb") as out:
            for chunk in self.chunks():
                out.write(chunk)


def splice(written: Path, spool: StreamSpool) -> SplicedFile:
    """The file ``written`` by ``save_for_splice`` with every token replaced by its spooled bytes."""
    spool.close()
    data = written.read_bytes()  # small: the big streams are tokens in it
    edits: list[tuple[int, int, bytes | tuple[int, int]]] = []  # (start, end, replacement) in ``data``
    for match in spool.token_pattern().finditer(data):
        number = int(match.group(2), 16)
        offset, length = spool.ranges[number]
        obj_start = data.rfind(b" obj", 0, match.start())
        lengths = list(_LENGTH.finditer(data, obj_start, match.start()))
        if obj_start < 0 or not lengths:
            raise SpliceError("a spliced stream has no /Length")
        digits = lengths[-1]
        edits.append((digits.start(1), digits.end(1), str(length).encode("ascii")))
        edits.append((match.start(1), match.end(1), (offset, length)))
    edits.sort(key=lambda e: e[0])
    starts = [start for start, _end, _new in edits]
    running, cumulative = 0, [0]
    for start, end, new in edits:
        running += (len(new) if isinstance(new, bytes) else new[1]) - (end - start)
        cumulative.append(running)

    def delta_before(position: int) -> int:
        """How much every edit starting before ``position`` moves it."""
        return cumulative[bisect.bisect_left(starts, position)]

    tail = _STARTXREF.search(data)
    xref = _XREF.search(data, 0, tail.start() if tail else len(data))
    if tail is None or xref is None or int(tail.group(1)) != xref.start() + 1:
        raise SpliceError("the written file has no classic cross-reference table")
    xref_at = xref.start() + 1
    trailer_at = data.find(b"trailer", xref_at)
    table = data[xref_at:trailer_at].decode("ascii").split("\n")
    rebuilt = []
    for line in table:
        if re.fullmatch(r"\d{10} \d{5} n ?\r?", line):
            rebuilt.append(f"{int(line[:10]) + delta_before(int(line[:10])):010d}{line[10:]}")
        else:
            rebuilt.append(line)
    new_table = "\n".join(rebuilt).encode("ascii")
    new_xref_at = xref_at + delta_before(xref_at)
    new_tail = data[trailer_at:tail.start()] + b"startxref\n" + str(new_xref_at).encode("ascii") + b"\n%%EOF\n"

    parts: list[bytes | tuple[int, int]] = []
    position = 0
    for start, end, new in edits:
        if start < position or start > xref_at:
            raise SpliceError("overlapping splice edits")
        parts.append(data[position:start])
        parts.append(new)
        position = end
    parts.append(data[position:xref_at])
    parts.append(new_table)
    parts.append(new_tail)
    parts = [p for p in parts if not (isinstance(p, bytes) and not p)]
    size = sum(len(p) if isinstance(p, bytes) else p[1] for p in parts)
    return SplicedFile(parts=parts, spool_path=spool.path, size=size)


def remove(*paths: Path) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
