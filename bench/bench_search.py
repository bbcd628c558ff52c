"""Search benchmark: index build speed against a bare whoosh writer, and query latency for a user who may see a
tenth of the objects.

    .venv/bin/python bench/bench_search.py [--n 100000] [--queries 300] [--seed 1]

Synthetic documents (Russian and English words, ``--n`` objects spread over ``n/10`` cases) are generated and
written straight into the whoosh backend in a temporary folder; no database is needed. Prints:

- build: docs/s of a bare whoosh writer (same schema and analyzer, one writer, ``add_document``), of the
  backend's rebuild path (one writer) and of the backend's per-object path (``index([doc])``, one commit per
  object as after each database commit, on a sample), each as a ratio to the bare writer;
- query: p50/p95/max in ms of ``backend.query`` (pre-filtered by permissions: the public and the gated search)
  for a user who may see 1/10 of the cases, over a mix of words, two-word AND, prefixes, phrases, OR and NOT.
  The database re-check of the hits (one ``pk__in`` query per type) is not part of this figure.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RU = ("камера камерами камеры распознавание распознавания лицо лица лиц метро станция станции задержание задержали "
      "полиция полицейский суд суда решение решения жалоба жалобы иск истец ответчик утечка утечки база базы данных "
      "доступ продажа система системы видеонаблюдение наблюдения пассажир пассажира свидетель показания право "
      "частной жизни закон незаконным апелляция кассация определение протокол").split()
EN = ("camera cameras recognition facial face faces metro station stop stopped police officer court decision appeal "
      "complaint claim claimant leak database access sale system surveillance passenger witness statement privacy "
      "law unlawful judgment hearing evidence exhibit").split()


def synthetic_vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Real words plus pseudo-words with Russian and English endings (a realistic long tail of terms)."""
    ru_letters, en_letters = "абвгдежзиклмнопрстуфхцчшщэюя", "abcdefghijklmnopqrstuvwxyz"
    words = list(RU + EN)
    while len(words) < size:
        if rng.random() < 0.6:
            stem = "".join(rng.choice(ru_letters) for _ in range(rng.randint(3, 8)))
            words.append(stem + rng.choice(["", "а", "ами", "ов", "ия", "ый", "ого", "ому"]))
        else:
            stem = "".join(rng.choice(en_letters) for _ in range(rng.randint(3, 8)))
            words.append(stem + rng.choice(["", "s", "ing", "ed", "ion"]))
    return words


def make_docs(n: int, rng: random.Random):
    from search.documents import SearchDoc

    vocab = synthetic_vocabulary(rng)
    import itertools

    cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(vocab))))  # Zipf-like
    n_cases = max(1, n // 10)
    types = ["case", "incident", "evidence", "person"]
    docs = []
    for i in range(n):
        type_ = types[i % 4]
        case_id = rng.randrange(n_cases)
        title = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(3, 7)))
        body = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(20, 80)))
        gated = " ".join(rng.choices(vocab, cum_weights=cum, k=rng.randint(0, 200))) if type_ == "evidence" else ""
        docs.append(SearchDoc(
            type=type_, id=i + 1, title=title, body=body, gated=gated,
            gate_open=not (type_ == "evidence" and i % 3 == 0) and type_ != "person",
            acl={f"c{case_id}", f"i{rng.randrange(n)}"}, category=rng.choice(["data_leak", "wrongful_stop", ""]),
            status=rng.choice(["filed", "pending", ""]) if type_ == "case" else "",
        ))
    return docs, vocab, n_cases


def queries(rng: random.Random, vocab: list[str], count: int):
    from search import text

    common = RU + EN
    out = []
    for i in range(count):
        kind = i % 6
        a, b = rng.choice(common), rng.choice(common)
        if kind == 0:
            q = a
        elif kind == 1:
            q = f"{a} {b}"
        elif kind == 2:
            q = a[:3] + "*"
        elif kind == 3:
            q = f'"{a} {b}"'
        elif kind == 4:
            q = f"{a} OR {rng.choice(vocab)}"
        else:
            q = f"{a} NOT {b}"
        out.append((q, text.parse_query(q)))
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of objects (default 100000)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--per-object-sample", type=int, default=300,
                        help="objects written one commit each, to time the after-commit path")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh",
                        help="postgres: also needs DATABASE_URL (a scratch database; its search table is emptied)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="docket-bench-search-"))
    os.environ["DOCKET_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from whoosh import index as windex

    from search.backends.base import QuerySpec, Scope
    from search.backends.whoosh_backend import INDEX_NAME, WhooshBackend, doc_fields, schema

    rng = random.Random(args.seed)
    if args.backend == "postgres":
        return bench_postgres(args, rng)
    try:
        t0 = time.perf_counter()
        docs, vocab, n_cases = make_docs(args.n, rng)
        print(f"generated {len(docs):,} documents over {n_cases:,} cases in {time.perf_counter() - t0:.1f}s")

        # 1. A bare whoosh writer: same schema, one writer, add_document, one commit.
        bare_dir = work / "bare"
        bare_dir.mkdir()
        t0 = time.perf_counter()
        ix = windex.create_in(str(bare_dir), schema(), indexname=INDEX_NAME)
        writer = ix.writer(limitmb=256)
        for doc in docs:
            writer.add_document(**doc_fields(doc))
        writer.commit()
        bare = len(docs) / (time.perf_counter() - t0)

        # 2. The backend's rebuild path (one writer that waits for the lock).
        backend = WhooshBackend(work / "index")
        backend.clear()
        t0 = time.perf_counter()
        backend.bulk_add(docs)
        ours = len(docs) / (time.perf_counter() - t0)

        # 3. The after-commit path: one object per write (lock, update_document, commit), on a sample.
        sample = docs[: args.per_object_sample]
        t0 = time.perf_counter()
        for doc in sample:
            backend.index([doc])
        per_object = len(sample) / (time.perf_counter() - t0)

        print(f"build  bare whoosh writer:        {bare:10,.0f} docs/s  (1.00)")
        print(f"build  backend, one writer:       {ours:10,.0f} docs/s  ({ours / bare:.2f} x bare)")
        print(f"build  backend, one commit/object: {per_object:9,.1f} docs/s  ({per_object / bare:.4f} x bare, "
              f"{len(sample)} objects on a {len(docs):,}-document index)")

        # 4. Queries for a user who may see a tenth of the cases (so about a tenth of the objects).
        visible_cases = rng.sample(range(n_cases), max(1, n_cases // 10))
        scope = Scope(
            visible=frozenset(f"c{c}" for c in visible_cases) | {"u1"},
            gated={"evidence": frozenset(f"c{c}" for c in visible_cases[: len(visible_cases) // 2]),
                   "person": frozenset(f"c{c}" for c in visible_cases[: len(visible_cases) // 2])},
        )
        visible_docs = sum(1 for d in docs if d.acl & scope.visible)
        qs = queries(rng, vocab, args.queries)
        backend.query(QuerySpec(node=qs[0][1], scope=scope))  # open and warm the searcher
        times, hits_total = [], 0
        for _q, node in qs:
            t0 = time.perf_counter()
            hits = backend.query(QuerySpec(node=node, scope=scope, limit=1000))
            times.append((time.perf_counter() - t0) * 1000)
            hits_total += len(hits)
        print(f"query  user sees {len(visible_cases):,} of {n_cases:,} cases = {visible_docs:,} of {len(docs):,} "
              f"objects; {len(qs)} queries, {hits_total / len(qs):.0f} hits on average (capped at 1000)")
        print(f"query  p50 {statistics.median(times):7.1f} ms   p95 {percentile(times, 0.95):7.1f} ms   "
              f"max {max(times):7.1f} ms")
        by_kind: dict[str, list[float]] = {}
        for (q, _node), ms in zip(qs, times):
            kind = ("phrase" if q.startswith('"') else "prefix" if q.endswith("*") else "OR" if " OR " in q
                    else "NOT" if " NOT " in q else "two words" if " " in q else "word")
            by_kind.setdefault(kind, []).append(ms)
        print("query  p50 by kind: " + ", ".join(f"{k} {statistics.median(v):.1f} ms" for k, v in by_kind.items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_queries(backend, docs, n_cases, vocab, rng, count: int) -> None:
    from search.backends.base import QuerySpec, Scope

    visible_cases = rng.sample(range(n_cases), max(1, n_cases // 10))
    scope = Scope(
        visible=frozenset(f"c{c}" for c in visible_cases) | {"u1"},
        gated={"evidence": frozenset(f"c{c}" for c in visible_cases[: len(visible_cases) // 2]),
               "person": frozenset(f"c{c}" for c in visible_cases[: len(visible_cases) // 2])},
    )
    visible_docs = sum(1 for d in docs if d.acl & scope.visible)
    qs = queries(rng, vocab, count)
    backend.query(QuerySpec(node=qs[0][1], scope=scope))
    times, hits_total = [], 0
    for _q, node in qs:
        t0 = time.perf_counter()
        hits = backend.query(QuerySpec(node=node, scope=scope, limit=1000))
        times.append((time.perf_counter() - t0) * 1000)
        hits_total += len(hits)
    print(f"query  user sees {len(visible_cases):,} of {n_cases:,} cases = {visible_docs:,} of {len(docs):,} "
          f"objects; {len(qs)} queries, {hits_total / len(qs):.0f} hits on average (capped at 1000)")
    print(f"query  p50 {statistics.median(times):7.1f} ms   p95 {percentile(times, 0.95):7.1f} ms   "
          f"max {max(times):7.1f} ms")


def bench_postgres(args, rng) -> None:
    """The PostgreSQL backend: batch upserts, then the same queries (the search table is emptied first)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("--backend postgres needs DATABASE_URL pointing at a scratch PostgreSQL database")
    call_command("migrate", "search", verbosity=0)
    from search.backends.postgres_backend import PostgresBackend

    docs, vocab, n_cases = make_docs(args.n, rng)
    backend = PostgresBackend()
    backend.clear()
    t0 = time.perf_counter()
    for start in range(0, len(docs), 1000):
        backend.index(docs[start:start + 1000])
    rate = len(docs) / (time.perf_counter() - t0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
    print(f"build  postgres, batches of 1000: {rate:10,.0f} docs/s")
    run_queries(backend, docs, n_cases, vocab, rng, args.queries)
    backend.clear()


if __name__ == "__main__":
    main()
