"""The one small interface every search backend implements. Nothing outside ``search/`` sees a backend."""
from __future__ import annotations

import abc
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from search.documents import SearchDoc


@dataclass(frozen=True)
class Scope:
    """What the caller may see, as index tokens (see ``search.documents``). Built by ``search.access``."""

    everything: bool = False  # a superuser: no pre-filter
    visible: frozenset[str] = frozenset()
    # Per type, the tokens through which the caller may (probably) search the gated text; re-checked after.
    gated: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class QuerySpec:
    node: object  # a query tree from search.text.parse_query
    scope: Scope
    types: tuple[str, ...] = ()
    case_id: int | None = None
    category: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 1000
    # The query for the gated search (``node`` with identity words also in their blind-index form), if different.
    gated_node: object = None


@dataclass
class Hit:
    type: str
    id: int
    score: float
    gated_only: bool = False  # matched only through gated text: the service re-checks that permission
    public_score: float | None = None  # the score from public text alone (None: not matched there)

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


ProgressFn = Callable[[int, int], None]


class Batch:
    """What ``SearchBackend.batch`` yields: collects changes; the backend writes them."""

    def __init__(self, backend=None):
        self.backend = backend

    def index(self, docs: list[SearchDoc]) -> None:
        self.backend.index(docs)

    def remove(self, keys: list[str]) -> None:
        self.backend.remove(keys)


class SearchBackend(abc.ABC):
    name = "abstract"

    # --- writing -------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def index(self, docs: Iterable[SearchDoc]) -> None:
        """Add or replace these documents (by key)."""

    @abc.abstractmethod
    def remove(self, keys: Iterable[str]) -> None:
        """Remove these documents ("type:id" keys); unknown keys are ignored."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Make the index exist and be empty."""

    @contextmanager
    def batch(self, *, wait: bool = True) -> Iterator[Batch | None]:
        """One write of many changes, holding the backend's write lock for the whole block (so what is read from
        the database inside it is not overwritten by an older read of another writer). ``wait=False``: yields
        None at once if another writer holds the lock. Committed when the block ends without error."""
        yield Batch(self)

    def compact(self) -> None:
        """Drop what replaced or removed documents left behind (nothing to do where rows are updated in place)."""

    # --- state ---------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def exists(self) -> bool:
        """Whether an index is there (it may still be empty)."""

    @abc.abstractmethod
    def check(self) -> list[str]:
        """Problems found in the index (empty: healthy)."""

    @abc.abstractmethod
    def doc_count(self) -> int:
        """Number of documents in the index."""

    # --- reading -------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def search(self, spec: QuerySpec, *, gated: bool) -> list[Hit]:
        """Hits, best first. ``gated=False``: the query over public text only. ``gated=True``: over all text,
        but only documents whose gated text the scope may search (gate open, or ``scope.gated`` tokens)."""

    def query(self, spec: QuerySpec) -> list[Hit]:
        """Hits visible to ``spec.scope`` (pre-filtered), best first; ``gated_only`` marks those found only
        through gated text. Callers re-check every hit against the database."""
        public = self.search(spec, gated=False)
        for hit in public:
            hit.public_score = hit.score
        found = {h.key: h for h in public}
        gated_spec = dataclasses.replace(spec, node=spec.gated_node) if spec.gated_node is not None else spec
        for hit in self.search(gated_spec, gated=True):
            known = found.get(hit.key)
            if known is None:
                hit.gated_only = True
                found[hit.key] = hit
            elif hit.score > known.score:
                known.score = hit.score
        hits = sorted(found.values(), key=lambda h: (-h.score, h.type, -h.id))
        return hits[: spec.limit]

    # --- rebuilding ----------------------------------------------------------------------------------------
    def rebuild(self, progress: ProgressFn | None = None, batch: int = 500) -> int:
        """Drop everything and index every object from the database (and the text extracted from stored
        files). Returns the number of documents indexed."""
        from search import documents

        total = documents.count_all()
        self.clear()
        done = 0
        pending: list[SearchDoc] = []
        for doc in documents.iter_all(batch=batch):
            pending.append(doc)
            if len(pending) >= batch:
                self.index(pending)
                done += len(pending)
                pending = []
                if progress:
                    progress(done, total)
        if pending:
            self.index(pending)
            done += len(pending)
        if progress:
            progress(done, total)
        return done
