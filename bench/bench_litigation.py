#!/usr/bin/env python
"""Benchmark of the lawyers' workflow (claims, authorities, requests, tasks): prints figures, asserts nothing.

1. Reply dates: computations per second for every request rule over random receipt dates 2023-2026.
2. The table of authorities of one case with many claims, authorities and citations: time and size (EN, RU).
3. "My work", the caseload and the API lists at several sizes: SQL queries and wall time per request.
4. The daily run (``reminders_send``) with requests: first and repeated run (idempotent).

Standalone: ``.venv/bin/python bench/bench_litigation.py [--cases 25] [--per-case 20] [--claims 60]``. It sets up
Django with ``config.test_settings`` on a temporary DOCKET_DATA_DIR (SQLite unless DATABASE_URL is set).
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
    data = Path(tempfile.mkdtemp(prefix="docket-bench-litigation-"))
    os.environ["DOCKET_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data


def bench_rules(n: int) -> None:
    from deadlines.models import DeadlineRule
    from litigation.rules import REQUEST_RULE_CODES
    from litigation.services import request_compute

    rules = list(DeadlineRule.objects.filter(code__in=REQUEST_RULE_CODES))
    rng = random.Random(5)
    dates = [dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1400)) for _ in range(n)]
    t0 = time.perf_counter()
    for i, day in enumerate(dates):
        request_compute(rule=rules[i % len(rules)], received_on=day)
    elapsed = time.perf_counter() - t0
    print(f"reply dates: {n} computations over {len(rules)} rules in {elapsed:.3f}s = {n / elapsed:,.0f}/s")


def bench_table(claims: int, authorities: int, cites_per_claim: int) -> None:
    from litigation import services
    from litigation.services.documents import table_of_authorities_generate
    from tests.factories import CaseFactory, UserFactory

    lawyer = UserFactory(username="bench-toa")
    case = CaseFactory(lead=lawyer)
    rng = random.Random(11)
    kinds = ["judgment", "judgment", "decision", "statute", "other"]
    library = [services.authority_create(user=lawyer, kind=kinds[i % 5], title=f"Authority {i:04d} v. State",
                                         citation=f"Authority {i:04d} v. State, no. {i}/20, 1 June 2020",
                                         identifier=f"{i}/20") for i in range(authorities)]
    t0 = time.perf_counter()
    n_cites = 0
    for c in range(claims):
        claim = services.claim_create(user=lawyer, case=case, right=f"Article {c % 14 + 1} of the Convention")
        for authority in rng.sample(library, cites_per_claim):
            services.citation_add(user=lawyer, claim=claim, authority=authority, pinpoint=f"§ {rng.randrange(300)}")
            n_cites += 1
    print(f"created {claims} claims, {authorities} authorities, {n_cites} citations in {time.perf_counter() - t0:.2f}s")
    for language in ("en", "ru"):
        t0 = time.perf_counter()
        generated = table_of_authorities_generate(user=lawyer, case=case, language=language)
        print(f"table of authorities ({language}): {len(generated.content):,} bytes in "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")


def bench_work(cases: int, per_case: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.test import APIClient

    from cases.models import Role
    from deadlines import services as deadline_services
    from litigation import services
    from litigation.models import AuthorityRequest
    from tests.factories import CaseFactory, UserFactory, add_member

    setup_test_environment()
    lead = UserFactory(username="bench-lead")
    lawyer = UserFactory(username="bench-lawyer")
    today = dt.date(2026, 3, 2)
    rng = random.Random(3)
    kinds = ["ru-152fz-access", "ru-59fz-appeal", "ru-8fz-information", "gdpr-access"]
    t0 = time.perf_counter()
    for c in range(cases):
        case = CaseFactory(lead=lead)
        add_member(case, lawyer, Role.LAWYER)
        for i in range(per_case):
            received = today + dt.timedelta(days=rng.randrange(-60, 10))
            services.request_create(user=lead, case=case, addressee=f"Body {i}", kind=kinds[i % 4],
                                    received_on=received, today=today)
            services.task_create(user=lead, case=case, title=f"task {c}-{i}", assignee=lawyer,
                                 due_date=today + dt.timedelta(days=rng.randrange(-20, 40)))
    print(f"created {cases * per_case} requests and {cases * per_case} tasks on {cases} cases in "
          f"{time.perf_counter() - t0:.2f}s")
    for user, paths in ((lawyer, ["/api/v1/my-work/", "/work/"]), (lead, ["/api/v1/caseload/", "/caseload/"]),
                        (lawyer, ["/api/v1/requests/?page_size=50", "/api/v1/requests/?page_size=500",
                                  "/api/v1/tasks/?assignee=me&page_size=500", "/requests/"])):
        client = APIClient()
        client.force_login(user)
        for path in paths:
            client.get(path)  # warm
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - t0
            print(f"GET {path} as {user.username}: {response.status_code}, {len(ctx.captured_queries)} queries, "
                  f"{elapsed * 1000:.1f} ms")
    for run in ("first", "repeat"):
        t0 = time.perf_counter()
        stats = deadline_services.reminders_send(today=today)
        print(f"reminders_send {run} run over {AuthorityRequest.objects.count()} requests: {stats}, "
              f"{time.perf_counter() - t0:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=20000)
    parser.add_argument("--claims", type=int, default=60)
    parser.add_argument("--authorities", type=int, default=300)
    parser.add_argument("--cites", type=int, default=8)
    parser.add_argument("--cases", type=int, default=25)
    parser.add_argument("--per-case", type=int, default=20)
    args = parser.parse_args()
    data = setup_django()
    try:
        bench_rules(args.rules)
        bench_table(args.claims, args.authorities, args.cites)
        bench_work(args.cases, args.per_case)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
