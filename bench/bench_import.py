"""Benchmark: importing a 10,000-row XLSX of incidents (every row written with its history, half of them linked
to a case) against a bare openpyxl read of the same file; then the same file again (all rows unchanged) and a
dry run. Run: `.venv/bin/python bench/bench_import.py` (BENCH_ROWS=10000; BENCH_DATABASE_URL=postgres://… to run
on PostgreSQL instead of a fresh SQLite file). Target: at least 2,000 rows/s for the import with history.
``rows(scale)`` (for bench/run.py) imports 10,000 rows at either scale (the target is stated for 10,000).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


def workbook(case_id: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("incidents")
    sheet.append(["external_id", "title", "occurred_at", "location", "latitude", "longitude", "category",
                  "description", "agency", "system_involved", "source_links", "cases"])
    for i in range(ROWS):
        sheet.append([f"BENCH-{i}", f"Wrongful stop no. {i}", dt.datetime(2024, 1 + i % 12, 1 + i % 28, 8, i % 60),
                      f"Metro station {i % 250}, Moscow", 55.55 + (i % 400) / 1000, 37.45 + (i % 300) / 1000,
                      ("wrongful_stop", "detention", "camera_deployment")[i % 3],
                      f"A passenger was stopped at the turnstile after a camera match (report {i}).",
                      "Moscow metro police", "Sfera", f"https://example.org/reports/{i}",
                      case_id if i % 2 else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    """Wall time and this process's CPU time since ``start``. On a shared, loaded machine the CPU time is the
    better guide to an idle one (SQLite runs inside this process; PostgreSQL's own work is not counted)."""
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def line(label: str, took: tuple[float, float]) -> str:
    wall, cpu = took
    return (f"{label:27s} wall {wall:6.2f} s {ROWS / wall:7.0f} rows/s | cpu {cpu:6.2f} s "
            f"{ROWS / max(cpu, 1e-9):7.0f} rows/cpu-s")


def bare_read(data: bytes) -> tuple[float, float]:
    from openpyxl import load_workbook

    start = clock()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in book.active.iter_rows(values_only=True))
    assert count == ROWS + 1
    return since(start)


def main() -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="docket-bench-"))
    os.environ["DOCKET_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from cases import services
    from cases.models import Incident
    from exchange.importer import incidents_import

    call_command("migrate", verbosity=0)
    Incident.objects.filter(external_id__startswith="BENCH-").delete()
    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    case = services.case_create(user=user, title="Bench case")
    content = workbook(case.pk)
    print(f"database: {connection.vendor}; file: {ROWS} rows, {len(content) / 1024:.0f} KiB")

    bare = min((bare_read(content) for _ in range(2)), key=lambda t: t[1])
    print(line("bare openpyxl read", bare))

    history_before = Incident.history.count()
    start = clock()
    result = incidents_import(user=user, data=content, filename="bench.xlsx")
    first = since(start)
    assert result.created == ROWS and not result.errors, result.errors[:3]
    written = Incident.history.count() - history_before
    print(line("import (with history)", first) + f"  ({written} history rows, "
          f"{Incident.cases.through.objects.filter(case=case).count()} case links)")

    start = clock()
    result = incidents_import(user=user, data=content, filename="bench.xlsx")
    assert result.unchanged == ROWS and result.created == 0, result.as_dict()
    print(line("re-import (all unchanged)", since(start)))

    start = clock()
    incidents_import(user=user, data=content, filename="bench.xlsx", dry_run=True)
    print(line("dry run (all unchanged)", since(start)))
    print(f"import / bare read: {first[1] / bare[1]:.1f}x the CPU time of reading the file alone; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return {"rows": ROWS, "import_wall": first[0], "import_cpu": first[1], "bare_wall": bare[0], "bare_cpu": bare[1],
            "database": connection.vendor, "history": written}


def rows(scale: str) -> list:
    """One row for bench/run.py: the import's rows/s (wall, and CPU in the note) beside the bare openpyxl read."""
    import contextlib
    import io as _io

    from bench.common import Row

    with contextlib.redirect_stdout(_io.StringIO()):
        r = main()
    wall, cpu = r["rows"] / r["import_wall"], r["rows"] / r["import_cpu"]
    return [Row(
        benchmark=f"import [{r['database']}]: {r['rows']:,} incident rows (XLSX) with history",
        figure=f"{wall:,.0f} rows/s ({cpu:,.0f} rows/cpu-s)",
        bare=f"openpyxl read {r['rows'] / r['bare_wall']:,.0f} rows/s",
        ratio=round(wall / (r["rows"] / r["bare_wall"]), 2), target="≥ 2,000 rows/s", met=wall >= 2000,
        note=f"{r['history']:,} history rows",
    )]


if __name__ == "__main__":
    main()
