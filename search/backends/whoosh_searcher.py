"""One whoosh searcher per process and index folder, kept open and refreshed correctly, used under a lock.

Why not ``Searcher.refresh()``: whoosh (2.7, whoosh-reloaded 2.7.5) re-uses the reader of every segment whose *id*
is unchanged, but a segment's deletion list belongs to the reader that was opened with it. When another writer (in
this process or another) deletes or replaces a document in an existing segment, the segment keeps its id and gets
a longer deletion list in the new table of contents; the re-used reader keeps the old list, so the deleted (trashed,
re-linked, restricted) document is still found. whoosh-reloaded also appends the old reader's segments that are no
longer in the table of contents (merged away) to the new reader. Both are permission leaks here.

The root fix (``fresh_reader``): read the latest table of contents and, segment by segment, re-use an open reader
only when the segment id *and* its deletion set are the same; otherwise open a new reader for that segment. Nothing
outside the table of contents is ever added. Readers no longer used are closed (under the lock, so no search is
using them).

Thread safety: a whoosh searcher's file handles are shared and not safe for concurrent use, so every use of the
process's searcher is under one lock per folder (``Holder.use``); after a fork the child opens its own. Searches
in one process are therefore serialised; each takes milliseconds.

Per segment (ids are stable within a segment, and a segment's documents never change), the holder also keeps:
the document numbers of each access token asked for (``docs_for_term``), and each document's key (``key_of``).
Deletions only ever grow in a segment, so a cached posting is a superset of the live documents; callers intersect
it with a text query, whose matchers skip deleted documents.
"""
from __future__ import annotations

import os
import threading
from array import array
from contextlib import contextmanager

from whoosh import index as windex
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

_registry_lock = threading.Lock()
_holders: dict[str, Holder] = {}


def _deletions(segment) -> frozenset[int]:
    return frozenset(segment.deleted_docs()) if segment.has_deletions() else frozenset()


def fresh_reader(ix: windex.FileIndex, old=None):
    """A reader of the latest table of contents of ``ix``, re-using the leaf readers of ``old`` whose segment and
    deletions are unchanged (see the module docstring). Closes the leaf readers of ``old`` it does not re-use."""
    reusable = {}
    if old is not None:
        for leaf, _offset in old.leaf_readers():
            segment = leaf.segment()
            if segment is not None:
                reusable[segment.segment_id()] = leaf
    attempts = 10
    while True:
        try:
            toc = ix._read_toc()
            readers, kept = [], set()
            for segment in toc.segments:
                leaf = reusable.get(segment.segment_id())
                if leaf is not None and _deletions(leaf.segment()) == _deletions(segment):
                    kept.add(segment.segment_id())
                    readers.append(leaf)
                else:
                    readers.append(SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation))
            break
        except OSError:  # a writer removed files of an older generation just now: read the new one
            attempts -= 1
            if attempts <= 0:
                raise
    for segid, leaf in reusable.items():
        if segid not in kept:
            leaf.close()
    if not readers:
        return EmptyReader(toc.schema)
    if len(readers) == 1:
        return readers[0]
    return MultiReader(readers, generation=toc.generation)


class Holder:
    """The process's searcher of one index folder (see the module docstring)."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        self.pid = os.getpid()
        self.ix = None
        self.searcher = None
        self.weighting = None
        self._postings: dict[str, dict[tuple[str, str], array]] = {}  # segment id -> (field, term) -> docnums
        self._keys: dict[str, dict[int, str]] = {}  # segment id -> docnum -> key

    def _refresh(self, ix, weighting) -> Searcher:
        if self.searcher is not None and self.ix is ix and \
                self.searcher.reader().generation() == ix.latest_generation():
            return self.searcher
        old = self.searcher.reader() if (self.searcher is not None and self.ix is ix) else None
        if self.searcher is not None and old is None:
            self._close()
        reader = fresh_reader(ix, old)
        self.ix, self.weighting = ix, weighting
        self.searcher = Searcher(reader, weighting=weighting, fromindex=ix, closereader=True)
        live = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if leaf.segment() is not None}
        for cache in (self._postings, self._keys):
            for segid in [s for s in cache if s not in live]:
                del cache[segid]
        return self.searcher

    def _close(self) -> None:
        if self.searcher is not None:
            try:
                self.searcher.close()
            except Exception:  # pragma: no cover - files of a removed index
                pass
        self.searcher, self.ix = None, None
        self._postings.clear()
        self._keys.clear()

    @contextmanager
    def use(self, ix, weighting):
        """The searcher, refreshed to the latest commit, for the duration of the block (under the lock)."""
        with self.lock:
            yield self._refresh(ix, weighting)

    # --- caches per segment (call inside ``use``) ----------------------------------------------------------
    def docs_for_term(self, leaf_searcher, field: str, term: str) -> array:
        reader = leaf_searcher.reader()
        if reader.segment() is None:  # an empty index
            return array("l")
        segid = reader.segment().segment_id()
        cache = self._postings.setdefault(segid, {})
        found = cache.get((field, term))
        if found is None:
            try:
                found = array("l", reader.postings(field, term).all_ids())
            except Exception:  # whoosh raises TermNotFound (a KeyError) for an absent term
                found = array("l")
            cache[(field, term)] = found
        return found

    def key_of(self, leaf_searcher, docnum: int) -> str:
        reader = leaf_searcher.reader()
        segid = reader.segment().segment_id()
        cache = self._keys.setdefault(segid, {})
        key = cache.get(docnum)
        if key is None:
            key = cache[docnum] = reader.stored_fields(docnum)["key"]
        return key


def holder(path: str) -> Holder:
    with _registry_lock:
        found = _holders.get(path)
        if found is None or found.pid != os.getpid():
            # First use, or a forked child: its parent's open files are not its own to share.
            found = _holders[path] = Holder(path)
        return found


def forget(path: str) -> None:
    """Close and drop the searcher of ``path`` (its index was wiped or damaged)."""
    with _registry_lock:
        found = _holders.pop(path, None)
    if found is not None and found.pid == os.getpid():
        with found.lock:
            found._close()
