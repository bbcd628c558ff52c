"""Segment and temporary-file names that are unique across processes and reseedings.

whoosh names a new segment (and its temporary files) with ``random.choice``: the process-wide ``random`` module.
Two processes forked from one parent (the worker and the web server's children) draw the same names, and so does a
process whose ``random`` is reseeded (hypothesis does it before every example). The kept-open searcher
(``whoosh_searcher``) re-uses a segment's reader, and caches its postings, by segment id: a new segment with an old
segment's id would be read as the old one — stale results, including documents whose access has changed. Names here
come from ``secrets`` (the operating system's randomness) instead. Imported by ``whoosh_backend`` before any index
is opened."""
from __future__ import annotations

import secrets

from whoosh import util as whoosh_util
from whoosh.codec import base as codec_base
from whoosh.filedb import compound, filestore


def unique_name(size: int = 28) -> str:
    return "".join(secrets.choice(whoosh_util.IDCHARS) for _ in range(size))


def _segment_id(cls, size: int = 16) -> str:
    return unique_name(size)


def install() -> None:
    whoosh_util.random_name = unique_name
    for module in (codec_base, filestore, compound):
        if hasattr(module, "random_name"):
            module.random_name = unique_name
    codec_base.Segment._random_id = classmethod(_segment_id)


install()
