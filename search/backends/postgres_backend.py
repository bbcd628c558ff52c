"""The way up: PostgreSQL full-text search behind the same interface (``DOCKET_SEARCH_BACKEND=postgres``).

Rows of ``search.SearchDocument`` hold tsvectors of text analysed by ``search.text`` (the same Russian/English
Snowball stemming and ``ё`` folding as the whoosh backend) under the ``simple`` configuration, with GIN indexes;
the access tokens are rows of ``search.SearchAccess`` (a b-tree on the token), so the permission pre-filter is
an index lookup of the caller's tokens. Writes are
plain upserts in the database, so concurrent writers need no lock of their own. Needs no entry in
INSTALLED_APPS (``django.contrib.postgres`` is only imported for its search expressions).

Ranking is ``ts_rank(vector, query)`` with normalisation 0: computed from the row's own vector and the query alone
(no statistics over other rows, no count of matches), so a caller's order and scores do not depend on documents
hidden from them (docs/access-model.md, "No oracles"). Ties are broken by type, then id (newest first).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time as dtime, timedelta, timezone

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, Q, Value

from search import text
from search.backends.base import Batch, Hit, QuerySpec, SearchBackend
from search.documents import SearchDoc

# A tsvector is at most 1 MB; leave room for positions.
MAX_ANALYSED_CHARS = 400_000


def _lexeme(term: str) -> str:
    # Terms come from search.text (letters and digits only); quoting keeps tsquery syntax out regardless.
    return "'" + term.replace("'", "''").replace("\\", "") + "'"


def tsquery(node) -> str:
    """A to_tsquery('simple', …) string for a query tree of ``search.text``."""
    if isinstance(node, text.Term):
        return _lexeme(node.text)
    if isinstance(node, text.Phrase):
        return "(" + " <-> ".join(_lexeme(t) for t in node.terms) + ")"
    if isinstance(node, text.Prefix):
        stems = sorted({node.text, text.stem(node.text)})
        return "(" + " | ".join(_lexeme(s) + ":*" for s in stems) + ")"
    if isinstance(node, text.And):
        return "(" + " & ".join(tsquery(i) for i in node.items) + ")"
    if isinstance(node, text.Or):
        return "(" + " | ".join(tsquery(i) for i in node.items) + ")"
    if isinstance(node, text.Not):
        return "!" + tsquery(node.item)
    raise TypeError(f"not a query node: {node!r}")


def _aware(value):
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


_UPSERT = """
INSERT INTO {table} (key, type, obj_id, alive, gate_open, acl, category, status, date,
                     public_vector, full_vector, indexed_at)
SELECT %(key)s, %(type)s, %(obj_id)s, %(alive)s, %(gate_open)s, %(acl)s, %(category)s, %(status)s, %(date)s,
       v.pub, v.pub || setweight(to_tsvector('simple', %(gated)s), 'C'), now()
FROM (SELECT setweight(to_tsvector('simple', %(title)s), 'A') || setweight(to_tsvector('simple', %(body)s), 'B')
      AS pub) AS v
ON CONFLICT (key) DO UPDATE SET
    type = EXCLUDED.type, obj_id = EXCLUDED.obj_id, alive = EXCLUDED.alive, gate_open = EXCLUDED.gate_open,
    acl = EXCLUDED.acl, category = EXCLUDED.category, status = EXCLUDED.status, date = EXCLUDED.date,
    public_vector = EXCLUDED.public_vector, full_vector = EXCLUDED.full_vector, indexed_at = EXCLUDED.indexed_at
"""


def _row(doc: SearchDoc) -> dict:
    return {
        "key": doc.key, "type": doc.type, "obj_id": doc.id, "alive": doc.alive, "gate_open": doc.gate_open,
        "acl": " ".join(sorted(doc.acl)), "category": doc.category or "", "status": doc.status or "",
        "date": _aware(doc.date),
        "title": text.analyzed_text(doc.title, MAX_ANALYSED_CHARS),
        "body": text.analyzed_text(doc.body, MAX_ANALYSED_CHARS),
        "gated": text.analyzed_text(doc.gated, MAX_ANALYSED_CHARS),
    }


class PostgresBackend(SearchBackend):
    name = "postgres"

    @staticmethod
    def _model():
        from search.models import SearchDocument

        return SearchDocument

    @staticmethod
    def _access():
        from search.models import SearchAccess

        return SearchAccess

    def _with_tokens(self, tokens: Iterable[str]):
        """Ids of the documents holding any of ``tokens`` (an index lookup on search_searchaccess)."""
        return self._access().objects.filter(token__in=sorted(tokens)).values("document_id")

    def _table(self) -> str:
        return connection.ops.quote_name(self._model()._meta.db_table)

    def index(self, docs: Iterable[SearchDoc]) -> None:
        docs = list(docs)
        rows = [_row(d) for d in docs]
        if not rows:
            return
        sql = _UPSERT.format(table=self._table())
        docs = {d.key: d for d in docs}
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            ids = dict(self._model().objects.filter(key__in=list(docs)).values_list("key", "id"))
            access = self._access()
            access.objects.filter(document_id__in=list(ids.values())).delete()
            access.objects.bulk_create([
                access(document_id=ids[key], token=token)
                for key, doc in docs.items()
                for t in sorted(doc.acl)
                for token in (t, ("o:" if doc.gate_open else f"g{doc.type}:") + t)
            ], batch_size=2000)

    # Any fixed number: the advisory lock that makes index writers take turns (``batch``).
    LOCK_KEY = 0x5EA4C4

    @contextmanager
    def batch(self, *, wait: bool = True) -> Iterator[Batch | None]:
        """The block's writes in one transaction, under a session advisory lock (writers take turns, so one
        that read the database earlier cannot overwrite a later one's rows)."""
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s)", [self.LOCK_KEY])
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.LOCK_KEY])
                if not cursor.fetchone()[0]:
                    yield None
                    return
        try:
            with transaction.atomic():
                yield Batch(self)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.LOCK_KEY])

    def remove(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if keys:
            self._model().objects.filter(key__in=keys).delete()

    def clear(self) -> None:
        self._model().objects.all().delete()

    def exists(self) -> bool:
        return True  # the table comes with the migrations

    def doc_count(self) -> int:
        return self._model().objects.count()

    def check(self) -> list[str]:
        if connection.vendor != "postgresql":
            return ["the postgres search backend needs a PostgreSQL database"]
        missing = self._model().objects.filter(Q(public_vector__isnull=True) | Q(full_vector__isnull=True)).count()
        return [f"{missing} search documents have no vector"] if missing else []

    def rebuild(self, progress=None, batch: int = 500) -> int:
        # One transaction: searches keep seeing the old rows until the new ones are all in.
        with transaction.atomic():
            return super().rebuild(progress=progress, batch=batch)

    def search(self, spec: QuerySpec, *, gated: bool) -> list[Hit]:
        if spec.node is None:
            return []
        model = self._model()
        qs = model.objects.filter(alive=True)
        if spec.types:
            qs = qs.filter(type__in=spec.types)
        if spec.case_id is not None:
            qs = qs.filter(pk__in=self._with_tokens([f"c{spec.case_id}"]))
        if spec.category:
            qs = qs.filter(category=spec.category)
        if spec.status:
            qs = qs.filter(status=spec.status)
        if spec.date_from:
            qs = qs.filter(date__gte=datetime.combine(spec.date_from, dtime(), tzinfo=timezone.utc))
        if spec.date_to:
            qs = qs.filter(date__lt=datetime.combine(spec.date_to, dtime(), tzinfo=timezone.utc) + timedelta(days=1))
        scope = spec.scope
        if not scope.everything:
            if not scope.visible:
                return []
            qs = qs.filter(pk__in=self._with_tokens(scope.visible))
            if gated:
                # Visible documents whose gated text is open, or whose gated text the caller may (probably) read.
                tokens = {"o:" + t for t in scope.visible}
                for type_, type_tokens in scope.gated.items():
                    tokens |= {f"g{type_}:{t}" for t in type_tokens}
                qs = qs.filter(pk__in=self._with_tokens(tokens))
        field = "full_vector" if gated else "public_vector"
        query = SearchQuery(tsquery(spec.node), config="simple", search_type="raw")
        # Document-local: see the module docstring before changing the rank function or its normalisation.
        qs = qs.filter(**{field: query}).annotate(rank=SearchRank(F(field), query, normalization=Value(0)))
        rows = qs.order_by("-rank", "type", "-obj_id").values_list("type", "obj_id", "rank")[: spec.limit]
        return [Hit(type=t, id=int(pk), score=float(rank or 0.0)) for t, pk, rank in rows]
