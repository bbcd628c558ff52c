"""Server-rendered SVG charts: the geometry is computed here, the markup is a template (so every label is
escaped). No script, no inline style: colours come from static/stats/stats.css through classes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

WIDTH = 640


def bars(buckets: list[dict[str, Any]], *, label: Callable[[str], str], limit: int = 12,
         other: str = "Other") -> dict[str, Any]:
    """A horizontal bar chart of the largest ``limit`` buckets (the rest summed as one bar)."""
    items = [(label(b["key"]), b["count"]) for b in buckets[:limit]]
    rest = sum(b["count"] for b in buckets[limit:])
    if rest:
        items.append((other, rest))
    top = max((n for _, n in items), default=0) or 1
    label_width, bar_height, gap = 210, 22, 8
    span = WIDTH - label_width - 60
    rows = []
    for index, (text, n) in enumerate(items):
        y = index * (bar_height + gap)
        length = max(1.0, span * n / top) if n else 0.0
        rows.append({"y": y, "text_y": y + bar_height * 0.7, "label": text[:40], "full_label": text, "count": n,
                     "x": label_width, "w": round(length, 1), "h": bar_height,
                     "count_x": round(label_width + length + 6, 1)})
    return {"kind": "bars", "width": WIDTH, "height": max(1, len(rows) * (bar_height + gap)), "rows": rows,
            "label_x": label_width - 8}


def _months(first: dt.date, last: dt.date) -> list[str]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def columns(buckets: list[dict[str, Any]], *, month_label: Callable[[str], str]) -> dict[str, Any]:
    """A column chart of counts by month, every month between the first and the last shown (zeros included)."""
    if not buckets:
        return {"kind": "columns", "width": WIDTH, "height": 1, "rows": [], "ticks": []}
    counts = {b["key"]: b["count"] for b in buckets}
    keys = sorted(counts)
    first = dt.date.fromisoformat(keys[0] + "-01")
    last = dt.date.fromisoformat(keys[-1] + "-01")
    months = _months(first, last)
    top = max(counts.values()) or 1
    left, bottom, plot_height = 40, 30, 200
    step = (WIDTH - left - 10) / len(months)
    every = max(1, round(len(months) / 8))
    rows, ticks = [], []
    for index, key in enumerate(months):
        n = counts.get(key, 0)
        height = plot_height * n / top
        x = left + index * step
        rows.append({"x": round(x + step * 0.1, 1), "w": round(max(step * 0.8, 1), 1),
                     "y": round(plot_height - height, 1), "h": round(height, 1), "count": n, "key": key,
                     "label": month_label(key)})
        if index % every == 0:
            ticks.append({"x": round(x + step / 2, 1), "label": month_label(key)})
    return {"kind": "columns", "width": WIDTH, "height": plot_height + bottom, "rows": rows, "ticks": ticks,
            "axis_y": plot_height, "top": top, "left": left, "tick_y": plot_height + 18}
