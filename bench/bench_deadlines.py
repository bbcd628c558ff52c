#!/usr/bin/env python
"""Benchmark of deadlines: prints figures, asserts nothing.

1. The rules engine: computations per second for every built-in rule over random triggers 2015-2026
   (cold calendar cache, then warm).
2. The API list (``GET /api/v1/deadlines/``) at several sizes: SQL queries and wall time per request.
3. ``reminders_send`` over many cases and deadlines: time of the first run and of a repeated run (idempotent),
   and the number of e-mails (locmem).

Standalone: ``.venv/bin/python bench/bench_deadlines.py [--cases 50] [--per-case 20]``. It sets up Django with
``config.test_settings`` on a temporary DOCKET_DATA_DIR (SQLite), migrates and generates its data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> Path:
    data = Path(tempfile.mkdtemp(prefix="docket-bench-deadlines-"))
    os.environ["DOCKET_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data


def bench_engine(n: int) -> None:
    from deadlines import engine

    rng = random.Random(7)
    start = dt.date(2015, 1, 1)
    triggers = [start + dt.timedelta(days=rng.randrange(4300)) for _ in range(n)]
    for label in ("cold", "warm"):
        if label == "cold":
            engine._year_data.cache_clear()
        t0 = time.perf_counter()
        for i, trigger in enumerate(triggers):
            engine.compute(engine.BUILTIN_RULES[i % len(engine.BUILTIN_RULES)], trigger)
        elapsed = time.perf_counter() - t0
        print(f"engine {label}: {n} computations in {elapsed:.3f}s = {n / elapsed:,.0f}/s")


def bench_api_and_reminders(cases: int, per_case: int) -> None:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from cases.models import Role
    from deadlines import services
    from deadlines.models import Deadline
    from tests.factories import CaseFactory, UserFactory, add_member

    lead = UserFactory(username="bench-lead")
    lawyer = UserFactory(username="bench-lawyer")
    today = dt.date(2025, 6, 1)
    rng = random.Random(3)
    t0 = time.perf_counter()
    for c in range(cases):
        case = CaseFactory(lead=lead)
        add_member(case, lawyer, Role.LAWYER)
        for i in range(per_case):
            trigger = today + dt.timedelta(days=rng.randrange(-60, 20))
            services.deadline_create(user=lead, case=case, title=f"d{c}-{i}", rule="ru-cpc-appeal",
                                     trigger_date=trigger, responsible=lawyer)
    total = cases * per_case
    print(f"created {total} computed deadlines in {time.perf_counter() - t0:.2f}s")

    from django.test.utils import setup_test_environment

    setup_test_environment()  # ALLOWED_HOSTS gets "testserver"; mail goes to locmem
    client = APIClient()
    client.force_authenticate(lawyer)
    for size in (5, 50, 500):
        client.get(f"/api/v1/deadlines/?page_size={size}")  # warm
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            r = client.get(f"/api/v1/deadlines/?page_size={size}")
            elapsed = time.perf_counter() - t0
        print(f"GET /api/v1/deadlines/?page_size={size}: {len(r.json()['results'])} rows, "
              f"{len(ctx.captured_queries)} queries, {elapsed * 1000:.1f} ms")

    mail.outbox = []
    for run in ("first", "repeat"):
        t0 = time.perf_counter()
        stats = services.reminders_send(today=today)
        print(f"reminders_send {run} run over {Deadline.objects.count()} deadlines: {stats}, "
              f"{time.perf_counter() - t0:.2f}s, e-mails so far {len(mail.outbox)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=25)
    parser.add_argument("--per-case", type=int, default=20)
    args = parser.parse_args()
    data = setup_django()
    try:
        bench_engine(args.engine)
        bench_api_and_reminders(args.cases, args.per_case)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
