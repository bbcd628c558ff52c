"""What the benches share with ``bench/run.py``: the row of the one table, timing helpers, the scale asked for.

A bench module that takes part in ``make bench`` defines ``rows(scale: str) -> list[Row]`` (``scale`` is ``small`` or
``full``); ``bench/run.py`` calls it in a fresh process (Django is set up once per process) and prints the rows of
every bench as one table.
"""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/docket_lists")


@dataclass
class Row:
    """One line of the table. ``ratio`` is bare / figure for times ("how close to the bare tool", higher is better)
    or figure / bare for throughputs; ``met`` is None when the bench has no target."""

    benchmark: str
    figure: str
    bare: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def scale_from_env(default: str = "small") -> str:
    if os.environ.get("BENCH_FULL") in ("1", "true", "yes"):
        return "full"
    return os.environ.get("BENCH_SCALE", default) or default


def timings(fn: Callable[[], object], *, repeat: int, warmup: int = 2) -> list[float]:
    """Wall times in ms of ``repeat`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def summary_ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.1f} ms, p95 {p(values, 0.95):.1f} ms"


def postgres_available(url: str = POSTGRES_URL) -> bool:
    """Whether the bench's PostgreSQL database answers (psycopg, no Django)."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:
        return False
