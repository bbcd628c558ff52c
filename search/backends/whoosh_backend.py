"""The embedded default: a whoosh index in ``settings.SEARCH_INDEX_DIR`` (read at call time).

- Opening: a missing index is created and rebuilt from the database; one that fails to open (corrupt) is wiped
  and rebuilt. Opened indexes are cached by folder, so tests (and settings changes) may move the folder.
- Writing: whoosh allows one writer at a time and its default writer gives up at once. Here a writer waits for
  the lock (a thread lock inside the process, then whoosh's file lock across processes, ``timeout`` seconds,
  retried with backoff), so concurrent writers queue up instead of losing updates.
- Reading: one searcher per process and folder, kept open, refreshed to the latest commit before each query
  without stale deletions, used under a lock (``search.backends.whoosh_searcher``).
- Ranking: ``LocalWeighting``, a score from the matched document's own term frequencies and field lengths only
  (no idf, no average length, nothing counted over the index), so a caller's scores and order do not depend on
  documents hidden from them (docs/access-model.md, "No oracles"). Ties are broken by type and id.
"""
from __future__ import annotations

import bisect
import fcntl
import logging
import math
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time as dtime, timedelta
from pathlib import Path

from django.conf import settings
from whoosh import index as windex
from whoosh import query as wq
from whoosh import scoring, writing
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.index import EmptyIndexError, LockError

from search import text
from search.backends import whoosh_ids, whoosh_searcher  # noqa: F401  (whoosh_ids: unique segment names)
from search.backends.base import Hit, ProgressFn, QuerySpec, SearchBackend
from search.documents import SearchDoc

logger = logging.getLogger("docket")

INDEX_NAME = "docket"
PUBLIC_FIELDS = ("title", "body")
ALL_FIELDS = ("title", "body", "gated")


class IndexBusy(Exception):
    """The index stayed locked by other writers for longer than the retries allow."""


def schema() -> Schema:
    analyzer = text.whoosh_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        type=ID(stored=True),
        title=TEXT(analyzer=analyzer, field_boost=3.0),
        body=TEXT(analyzer=analyzer),
        gated=TEXT(analyzer=analyzer),
        gate=ID(),
        alive=ID(),
        acl=KEYWORD(),
        # The access tokens again, marked with what they open: "o:<token>" on a document without gated text
        # (or whose gated text every viewer may read), "g<type>:<token>" on one whose gated text is closed.
        gacl=KEYWORD(),
        category=ID(),
        status=ID(),
        date=DATETIME(),
    )


def doc_fields(doc: SearchDoc) -> dict:
    fields = {
        "key": doc.key, "type": doc.type, "title": doc.title or "", "body": doc.body or "",
        "gated": doc.gated or "", "gate": "open" if doc.gate_open else "closed", "alive": "1" if doc.alive else "0",
        "acl": " ".join(sorted(doc.acl)), "category": doc.category or "-", "status": doc.status or "-",
        "gacl": " ".join(sorted((("o:" if doc.gate_open else f"g{doc.type}:") + t) for t in doc.acl)),
    }
    if doc.date is not None:
        fields["date"] = doc.date
    return fields


# Process-wide caches, keyed by index folder.
_registry_lock = threading.Lock()
_indexes: dict[str, windex.FileIndex] = {}
_write_locks: dict[str, threading.RLock] = {}
_local = threading.local()


def _write_lock(path: str) -> threading.RLock:
    with _registry_lock:
        return _write_locks.setdefault(path, threading.RLock())


class _LocalScorer(scoring.BaseScorer):
    """BM25's saturating term frequency, with the document's own field length against a constant instead of the
    index's average, and no idf. Each term's score is rounded to a multiple of 2**-20, so that the sum over the
    matched terms is exact in any order (whoosh groups the same sum differently depending on how many terms a
    prefix expands to, which depends on other documents)."""

    def __init__(self, searcher, fieldname: str, qf: float, norm: float, k1: float, b: float):
        self._searcher = searcher
        self._fieldname = fieldname
        self._scorable = searcher.schema[fieldname].scorable
        self._qf, self._norm, self._k1, self._b = qf, norm, k1, b

    def supports_block_quality(self):
        return False  # block skipping would need the index's maximum weights

    def score(self, matcher):
        weight = matcher.weight()  # frequency in the field, times the field's boost (title: 3)
        if not self._scorable:
            return LocalWeighting.quantize(weight * self._qf)
        length = self._searcher.doc_field_length(matcher.id(), self._fieldname, 1)
        k1 = self._k1
        tf = weight * (k1 + 1) / (weight + k1 * (1 - self._b + self._b * length / self._norm))
        return LocalWeighting.quantize(tf * self._qf)


class LocalWeighting(scoring.WeightingModel):
    """Whoosh weighting that uses only the matched document's own statistics (see ``_LocalScorer``)."""

    K1 = 1.2
    B = 0.75
    # Typical field lengths in words: constants, never measured on the index.
    NORM = {"title": 8.0, "body": 150.0, "gated": 600.0}
    QUANTUM = 2.0 ** 20

    @classmethod
    def quantize(cls, value: float) -> float:
        return math.floor(value * cls.QUANTUM + 0.5) / cls.QUANTUM

    def scorer(self, searcher, fieldname, text, qf=1):
        return _LocalScorer(searcher, fieldname, qf, self.NORM.get(fieldname, 100.0), self.K1, self.B)


def _terms(fields, term: str):
    return [wq.Term(f, term) for f in fields]


def compile_query(node, fields) -> wq.Query:
    """A whoosh query for a tree from ``search.text.parse_query`` over ``fields`` (an atom matches in any)."""
    if isinstance(node, text.Term):
        return wq.Or(_terms(fields, node.text))
    if isinstance(node, text.Phrase):
        return wq.Or([wq.Phrase(f, list(node.terms)) for f in fields])
    if isinstance(node, text.Prefix):
        # Scored like the words it expands to (whoosh's default gives a constant score when it expands to more
        # than one word, and the tf score when to one: that would depend on the words of other documents).
        stems = sorted({node.text, text.stem(node.text)})
        return wq.Or([wq.Prefix(f, s, constantscore=False) for f in fields for s in stems])
    if isinstance(node, text.And):
        return wq.And([compile_query(i, fields) for i in node.items])
    if isinstance(node, text.Or):
        return wq.Or([compile_query(i, fields) for i in node.items])
    if isinstance(node, text.Not):
        return wq.Not(compile_query(node.item, fields))
    raise TypeError(f"not a query node: {node!r}")


class DocnumQuery(wq.Query):
    """Matches exactly a set of documents (the caller's allowed ones), given per leaf searcher as sorted
    segment-local document numbers.

    AND-ed with the text query, whoosh's intersection skips through the text postings to these documents, so
    a query costs about the size of what the caller may see, not the size of the whole match (a filter would
    visit every matching document). Adds the same constant to every score, so the order is unchanged."""

    def __init__(self, per_leaf: dict[int, list[int]]):
        self.per_leaf = per_leaf  # id(leaf searcher) -> sorted local document numbers

    def __eq__(self, other):
        return isinstance(other, DocnumQuery) and other.per_leaf == self.per_leaf

    def __hash__(self):
        return hash(("DocnumQuery", sum(len(v) for v in self.per_leaf.values())))

    def __repr__(self):
        return f"DocnumQuery({sum(len(v) for v in self.per_leaf.values())} documents)"

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return sum(len(v) for v in self.per_leaf.values())

    def matcher(self, searcher, context=None):
        from whoosh.matching import ListMatcher, NullMatcher

        ids = self.per_leaf.get(id(searcher))
        if not ids:
            return NullMatcher()
        return ListMatcher(ids, all_weights=0.0)


class _WhooshBatch:
    def __init__(self, writer):
        self.writer = writer

    def index(self, docs: list[SearchDoc]) -> None:
        for doc in docs:
            if doc.alive:
                self.writer.update_document(**doc_fields(doc))
            else:  # objects in the trash are not searched: keep them out of the index
                self.writer.delete_by_term("key", doc.key)

    def remove(self, keys: list[str]) -> None:
        for key in keys:
            self.writer.delete_by_term("key", key)


class WhooshBackend(SearchBackend):
    name = "whoosh"

    def __init__(self, path: str | Path | None = None, *, write_timeout: float = 10.0, retries: int = 6):
        self._path = Path(path) if path is not None else None
        self.write_timeout = write_timeout
        self.retries = retries

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else Path(settings.SEARCH_INDEX_DIR)

    @contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        """Across processes, one rebuild of this folder at a time (a lock file beside the index folder)."""
        depth = getattr(_local, "rebuild_depth", 0)
        if depth:
            _local.rebuild_depth = depth + 1
            try:
                yield
            finally:
                _local.rebuild_depth -= 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.parent / f".{self.path.name}.rebuild.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            _local.rebuild_depth = 1
            try:
                yield
            finally:
                _local.rebuild_depth = 0
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- opening -------------------------------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether the folder holds an index table of contents (by file name: it may still be damaged)."""
        try:
            names = [p.name for p in self.path.iterdir()]
        except OSError:
            return False
        return any(n.startswith(f"_{INDEX_NAME}_") and n.endswith(".toc") for n in names)

    def _create(self) -> windex.FileIndex:
        """Wipe the folder and create an empty index in it."""
        key = str(self.path)
        with _registry_lock:
            _indexes.pop(key, None)
        if self.path.exists():
            for child in self.path.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        self.path.mkdir(parents=True, exist_ok=True)
        ix = windex.create_in(str(self.path), schema(), indexname=INDEX_NAME)
        with _registry_lock:
            _indexes[key] = ix
        return ix

    def _open(self, *, repair: bool = True) -> windex.FileIndex:
        """The open index; a missing or corrupt one is rebuilt from the database first (if ``repair``)."""
        key = str(self.path)
        if self.exists():
            with _registry_lock:
                ix = _indexes.get(key)
            if ix is not None:
                return ix
            try:
                ix = windex.open_dir(key, indexname=INDEX_NAME)
                ix.doc_count()  # reads the segment list: fails on a damaged table of contents
                if set(ix.schema.names()) != set(schema().names()):
                    logger.warning("search index at %s has an older schema; rebuilding it", key)
                    ix = None
            except EmptyIndexError:
                ix = None
            except Exception:  # a damaged index: whatever whoosh raises, start again from the database
                logger.exception("search index at %s is damaged; rebuilding it", key)
                ix = None
            if ix is not None:
                with _registry_lock:
                    _indexes[key] = ix
                return ix
        if not repair:
            return self._create()
        with self._rebuild_lock():
            if self.exists() and not self.check():  # another process rebuilt it meanwhile
                ix = windex.open_dir(key, indexname=INDEX_NAME)
                with _registry_lock:
                    _indexes[key] = ix
                return ix
            first_use = not self.path.exists() or not any(self.path.iterdir())
            (logger.info if first_use else logger.warning)(
                "search index at %s is %s; rebuilding it from the database", key,
                "not there yet" if first_use else "missing or unreadable",
            )
            self.rebuild()
        with _registry_lock:
            return _indexes[key]

    # --- writing -------------------------------------------------------------------------------------------
    @contextmanager
    def _writer(self, ix: windex.FileIndex | None = None, *, optimize: bool = False,
                **kwargs) -> Iterator[writing.SegmentWriter]:
        """A writer that waits for the lock; cancelled on error, committed (``optimize``: into one segment)
        otherwise."""
        path = str(self.path)
        with _write_lock(path):
            ix = ix or self._open()
            delay = 0.05
            writer = None
            for attempt in range(self.retries):
                try:
                    writer = ix.writer(timeout=self.write_timeout, delay=0.02, **kwargs)
                    break
                except LockError:
                    logger.info("search index busy (attempt %d), waiting", attempt + 1)
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
            if writer is None:
                raise IndexBusy(f"search index at {path} stayed locked")
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            else:
                writer.commit(optimize=optimize)

    @contextmanager
    def batch(self, *, wait: bool = True) -> Iterator[_WhooshBatch | None]:
        """One writer for the block (see ``SearchBackend.batch``); ``wait=False`` tries the locks once."""
        if wait:
            with self._writer() as writer:
                yield _WhooshBatch(writer)
            return
        lock = _write_lock(str(self.path))
        if not lock.acquire(blocking=False):
            yield None
            return
        try:
            ix = self._open()
            try:
                writer = ix.writer(timeout=0.0)
            except LockError:
                writer = None
            if writer is None:
                yield None
                return
            try:
                yield _WhooshBatch(writer)
            except BaseException:
                writer.cancel()
                raise
            else:
                writer.commit()
        finally:
            lock.release()

    def index(self, docs: Iterable[SearchDoc]) -> None:
        docs = list(docs)
        if not docs:
            return
        with self._writer() as w:
            _WhooshBatch(w).index(docs)

    def remove(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        with self._writer() as w:
            for key in keys:
                w.delete_by_term("key", key)

    def compact(self) -> None:
        """Merge every segment into one: deleted documents (and their terms) are then gone from the files."""
        if not self.exists():
            return
        with self._writer(optimize=True):
            pass

    def clear(self) -> None:
        path = str(self.path)
        with _write_lock(path):
            if not self.exists():
                self._create()
                return
            try:
                ix = self._open(repair=False)
                writer = ix.writer(timeout=self.write_timeout, delay=0.02)
                writer.commit(mergetype=writing.CLEAR)
            except Exception:
                logger.exception("could not clear the search index at %s; recreating it", path)
                self._create()

    def rebuild(self, progress: ProgressFn | None = None, batch: int = 500) -> int:
        """Recreate the index and fill it from the database with one writer (much faster than per-object)."""
        from search import documents

        path = str(self.path)
        with self._rebuild_lock(), _write_lock(path):
            total = documents.count_all()
            ix = self._create()
            done = 0
            with self._writer(ix, limitmb=256) as w:
                for doc in documents.iter_all(batch=batch):
                    if doc.alive:
                        w.add_document(**doc_fields(doc))
                    done += 1
                    if progress and done % batch == 0:
                        progress(done, total)
            if progress:
                progress(done, total)
            return done

    def bulk_add(self, docs: Iterable[SearchDoc], limitmb: int = 256) -> int:
        """Append many new documents with one writer (benchmarks and imports); no replacement by key."""
        n = 0
        with self._writer(limitmb=limitmb) as w:
            for doc in docs:
                if doc.alive:
                    w.add_document(**doc_fields(doc))
                    n += 1
        return n

    # --- reading -------------------------------------------------------------------------------------------
    @contextmanager
    def searching(self) -> Iterator:
        """The process's searcher of this folder, refreshed to the latest commit, held for the block (see
        ``search.backends.whoosh_searcher``: one per process, refreshed without stale deletions, under a lock)."""
        ix = self._open()
        with whoosh_searcher.holder(str(self.path)).use(ix, LocalWeighting()) as searcher:
            yield searcher

    def _forget_searcher(self) -> None:
        whoosh_searcher.forget(str(self.path))
        with _registry_lock:
            _indexes.pop(str(self.path), None)

    def doc_count(self) -> int:
        with self.searching() as searcher:
            return searcher.doc_count()

    def check(self) -> list[str]:
        if not self.exists():
            return [f"no index in {self.path}"]
        try:
            ix = windex.open_dir(str(self.path), indexname=INDEX_NAME)
            with ix.searcher() as s:
                s.doc_count()
                list(s.lexicon("key"))[:1]
        except Exception as exc:
            return [f"index in {self.path} cannot be read: {exc.__class__.__name__}: {exc}"]
        if set(ix.schema.names()) != set(schema().names()):
            return [f"index in {self.path} has an older schema"]
        return []

    def _allowed(self, holder, leaf, spec: QuerySpec, gated: bool) -> set[int] | None:
        """The segment-local document numbers of ``leaf`` the query may match (None: all). A union of the postings
        of the caller's (few) tokens, each read once per segment and kept (``Holder.docs_for_term``): far cheaper
        than intersecting with whole-index postings inside whoosh."""

        def union(field: str, terms) -> set[int]:
            found: set[int] = set()
            for term in terms:
                found.update(holder.docs_for_term(leaf, field, term))
            return found

        allowed: set[int] | None = None
        scope = spec.scope
        if not scope.everything:
            allowed = union("acl", scope.visible)
            if gated and allowed:
                # Visible documents whose gated text is open to all their viewers, plus those whose gated text
                # this caller may (probably) read: postings of the caller's own tokens only.
                terms = ["o:" + t for t in scope.visible]
                for type_, tokens in scope.gated.items():
                    terms += [f"g{type_}:{t}" for t in tokens]
                allowed &= union("gacl", terms)
        filters: list = []
        if spec.types:
            filters.append(lambda: union("type", spec.types))
        if spec.case_id is not None:
            filters.append(lambda: union("acl", [f"c{spec.case_id}"]))
        if spec.category:
            filters.append(lambda: union("category", [spec.category]))
        if spec.status:
            filters.append(lambda: union("status", [spec.status]))
        if spec.date_from or spec.date_to:
            start = datetime.combine(spec.date_from, dtime()) if spec.date_from else None
            end = datetime.combine(spec.date_to, dtime()) + timedelta(days=1, microseconds=-1) if spec.date_to else None
            filters.append(lambda: set(wq.DateRange("date", start, end).docs(leaf)))
        for f in filters:
            if allowed is not None and not allowed:
                break
            found = f()
            allowed = found if allowed is None else allowed & found
        return allowed

    @staticmethod
    def _best(holder, searcher, q: wq.Query, limit: int) -> list[Hit]:
        """The ``limit`` best hits, ordered by score, then type, then id (newest first), like every backend.

        Whoosh breaks ties by internal document number, which moves when segments merge; so every match is scored
        (no stored fields read), and only the best ``limit`` and those tied with the last of them are looked up."""
        scored = searcher.search(q, limit=None).top_n  # [(score, docnum)], best first
        if len(scored) > limit > 0:
            cutoff = scored[limit - 1][0]
            scored = [pair for pair in scored if pair[0] >= cutoff]
        leaves = searcher.leaf_searchers()
        starts = [offset for _leaf, offset in leaves]
        hits = []
        for score, docnum in scored:
            leaf, offset = leaves[bisect.bisect_right(starts, docnum) - 1]
            type_, _, pk = holder.key_of(leaf, docnum - offset).partition(":")
            hits.append(Hit(type=type_, id=int(pk), score=float(score or 0.0)))
        hits.sort(key=lambda h: (-h.score, h.type, -h.id))
        return hits[:limit]

    def search(self, spec: QuerySpec, *, gated: bool) -> list[Hit]:
        if spec.node is None:
            return []
        q = compile_query(spec.node, ALL_FIELDS if gated else PUBLIC_FIELDS)
        if text.only_negative(spec.node):
            q = wq.And([wq.Every(), q])
        for attempt in (1, 2):
            try:
                holder = whoosh_searcher.holder(str(self.path))
                with self.searching() as searcher:
                    per_leaf: dict[int, list[int]] | None = {}
                    for leaf, _offset in searcher.leaf_searchers():
                        allowed = self._allowed(holder, leaf, spec, gated)
                        if allowed is None:
                            per_leaf = None
                            break
                        per_leaf[id(leaf)] = sorted(allowed)
                    if per_leaf is not None:
                        if not any(per_leaf.values()):
                            return []
                        q = wq.And([q, DocnumQuery(per_leaf)])
                    return self._best(holder, searcher, q, spec.limit)
            except Exception as exc:  # noqa: BLE001 - whoosh raises many kinds on a damaged index
                # Files vanished or were damaged under an open searcher: drop it, repair, try once more.
                logger.warning("search index read failed (%s); reopening", exc)
                self._forget_searcher()
                if attempt == 2:
                    raise
                if self.check():
                    self.rebuild()
        return []
