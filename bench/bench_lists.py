#!/usr/bin/env python
"""Benchmark of the permission-filtered lists: the case list (count and first page) at 100,000 cases of which the
user sees 20,000, beside the bare SQL doing the same work, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_lists.py [--scale small|full] [--database-url postgres://…] [--repeat 30]

Full scale: 100,000 cases (a fifth visible to ``bench-viewer``, through their guardian rows), 20,000 incidents and
20,000 evidence items (``bench/dataset.py``); small: 4,000 cases and a fiftieth of the rest. Each figure is the whole
request through Django's test client (middleware, session, permission filter, count, first page, serializer or
template), p50 and p95 of ``--repeat`` requests after two warm-up ones. The bare figure is the same count and first
page (the 25 newest rows with their columns) as two hand-written SQL statements on the same connection: what the
database itself needs. Target: the case list ≤ 100 ms (p95) at full scale.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import POSTGRES_URL, Row, p, postgres_available, scale_from_env, summary_ms, timings  # noqa: E402

TARGET_MS = 100.0
SIZES = {"small": {"cases": 4_000, "incidents": 2_000, "evidence": 2_000},
         "full": {"cases": 100_000, "incidents": 20_000, "evidence": 20_000}}


def bare_case_list(user_id: int, perm_id: int):
    """The case list's work in two plain statements: the count and the first page, newest activity first."""
    from django.db import connection

    where = ("c.deleted_at IS NULL AND NOT c.two_factor_required AND EXISTS (SELECT 1 FROM "
             "cases_caseuserobjectpermission g WHERE g.content_object_id = c.id AND g.user_id = %s "
             "AND g.permission_id = %s)")

    def run():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM cases_case c WHERE {where}", [user_id, perm_id])
            cursor.fetchone()
            cursor.execute(f"SELECT c.* FROM cases_case c WHERE {where} ORDER BY c.updated_at DESC, c.id DESC "
                           f"LIMIT 25", [user_id, perm_id])
            cursor.fetchall()
    return run


def measure(database_url: str | None, scale: str, repeat: int) -> list[Row]:
    from bench import dataset

    dataset.django_setup(database_url=database_url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test import Client

    summary = dataset.build("full" if scale == "full" else "small", 1, index=False, visible=0.2, **SIZES[scale],
                            persons=SIZES[scale]["cases"] // 10, proceedings=SIZES[scale]["cases"] // 10)
    db = connection.vendor
    viewer = get_user_model().objects.get(username=dataset.VIEWER)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    perm_id = Permission.objects.get(codename="view_case", content_type__app_label="cases").pk
    bare = timings(bare_case_list(viewer.pk, perm_id), repeat=repeat)
    label = f"{summary['cases']:,} cases, {summary['viewer_cases']:,} visible"
    rows = []

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return run

    others = {name: f"{summary[name]:,} rows, viewer sees ~a fifth" for name in ("incidents", "evidence", "persons")}
    for name, url, size, with_target in (
        ("case list API", "/api/v1/cases/", label, True),
        ("case list page", "/cases/", label, True),
        ("case list API, sorted by title", "/api/v1/cases/?sort=title", label, False),
        ("incident list API", "/api/v1/incidents/", others["incidents"], False),
        ("evidence list API", "/api/v1/evidence/", others["evidence"], False),
        ("persons API", "/api/v1/persons/", others["persons"], False),
    ):
        times = timings(get(url), repeat=repeat)
        p95 = p(times, 0.95)
        rows.append(Row(
            benchmark=f"lists [{db}]: {name} ({size})", figure=summary_ms(times),
            bare=summary_ms(bare) if with_target else "",
            ratio=round(p(bare, 0.95) / p95, 2) if with_target else None,
            target=(f"p95 ≤ {TARGET_MS:.0f} ms" + ("" if scale == "full" else " at full scale")) if with_target else "",
            met=(p95 <= TARGET_MS) if with_target and scale == "full" else None,
        ))
    return rows


def rows(scale: str) -> list[Row]:
    """SQLite, then PostgreSQL when its bench database answers (``BENCH_POSTGRES_URL``), each in its own process."""
    import subprocess

    out: list[Row] = []
    targets = [None] + ([POSTGRES_URL] if postgres_available() else [])
    for url in targets:
        cmd = [sys.executable, __file__, "--scale", scale, "--json"] + (["--database-url", url] if url else [])
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"bench_lists failed on {url or 'sqlite'}:\n{done.stderr[-3000:]}")
        out += [Row(**r) for r in json.loads(done.stdout.strip().splitlines()[-1])]
    if len(targets) == 1:
        out.append(Row(benchmark="lists [postgresql]", figure="not run", note=f"no database at {POSTGRES_URL}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=scale_from_env(), choices=sorted(SIZES))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (for bench/run.py)")
    args = parser.parse_args()
    found = measure(args.database_url, args.scale, args.repeat)
    if args.json:
        print(json.dumps([r.as_dict() for r in found]))
        return
    for r in found:
        print(f"{r.benchmark:70s} {r.figure:32s} bare: {r.bare or '-':32s} {r.target} "
              f"{'' if r.met is None else ('met' if r.met else 'NOT MET')}")


if __name__ == "__main__":
    main()
