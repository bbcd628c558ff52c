#!/usr/bin/env python
"""``make bench``: run every bench that takes part and print ONE table (benchmark, figure, bare-tool figure, ratio,
target, met?).

    .venv/bin/python bench/run.py [--scale small|full] [--only bench_lists,bench_import] [--json FILE]

``--scale`` defaults to ``small`` (``BENCH_SCALE``; ``BENCH_FULL=1`` means ``full``). Each module in ``BENCHES`` that
exists in bench/ and defines ``rows(scale)`` is run in a fresh process (Django is set up once per process); its
rows are ``bench.common.Row`` objects or dicts with the same keys. A bench that fails is a row saying so, and the
run exits non-zero after printing the table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import scale_from_env  # noqa: E402

# The benches of the table, in order. A module listed here that is not (yet) in bench/ is skipped with a note:
# the search benchmark (bench_search_api.py) is written on another branch and joins the table once merged.
BENCHES = ["bench_lists", "bench_search_api", "bench_import", "bench_bundle_pdf"]
COLUMNS = ("benchmark", "figure", "bare", "ratio", "target", "met")


def run_one(name: str, scale: str) -> list[dict]:
    code = ("import json, sys; sys.path.insert(0, %r); import bench.%s as m; "
            "rows = m.rows(%r); print('\\n@@ROWS@@' + json.dumps([r.as_dict() if hasattr(r, 'as_dict') else dict(r) "
            "for r in rows]))") % (str(ROOT), name, scale)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    marker = done.stdout.rfind("@@ROWS@@")
    if done.returncode != 0 or marker < 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [{"benchmark": name, "figure": "FAILED", "met": False, "note": tail[0][:200], "failed": True,
                 "stderr": done.stderr[-4000:]}]
    found = json.loads(done.stdout[marker + len("@@ROWS@@"):].strip().splitlines()[0])
    print(f"  {name}: {len(found)} rows in {took:.0f} s", file=sys.stderr, flush=True)
    return found


def has_rows(name: str) -> bool:
    path = ROOT / "bench" / f"{name}.py"
    return path.exists() and "\ndef rows(" in path.read_text(encoding="utf-8")


def cell(row: dict, key: str) -> str:
    value = row.get(key)
    if key == "met":
        return "-" if value is None else ("yes" if value else "NO")
    if key == "ratio":
        return "-" if value is None else f"{value:.2f}"
    return str(value or "")


def table(rows: list[dict]) -> str:
    header = {"benchmark": "benchmark", "figure": "figure", "bare": "bare tool", "ratio": "ratio",
              "target": "target", "met": "met?"}
    lines = [[header[k] for k in COLUMNS]] + [[cell(r, k) for k in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    out = ["| " + " | ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {r['benchmark']}: {r['note']}" for r in rows if r.get("note")]
    return "\n".join(out + ([""] + notes if notes else []))


def machine() -> str:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
            if line.startswith("Model name")), "")
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({model or platform.processor() or 'unknown CPU'}), {memory:.0f} GiB, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=scale_from_env(), choices=["small", "full"])
    parser.add_argument("--only", help="comma-separated module names (default: all of BENCHES)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else BENCHES
    rows: list[dict] = []
    print(f"Running the benchmarks at {args.scale} scale (this takes a while; progress on stderr)", file=sys.stderr)
    for name in names:
        if not has_rows(name):
            rows.append({"benchmark": name, "figure": "not run", "note": f"bench/{name}.py with rows(scale) is not "
                         "in this checkout"})
            continue
        rows += run_one(name, args.scale)
    print(f"\nDocket benchmarks, {args.scale} scale — {machine()}\n")
    print(table(rows))
    failed = [r for r in rows if r.get("failed")]
    for r in failed:
        print(f"\n{r['benchmark']} failed:\n{r['stderr']}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
