#!/usr/bin/env python
"""Benchmark of court-ready documents: prints figures, asserts nothing.

1. The exhibit list generator against a bare python-docx table of the same rows (``add_row().cells``), at several
   sizes, so the ratio and the growth (linear or not) can be read off.
2. The court bundle for a case with many exhibits: time to record the export (custody events + documents), the
   streaming throughput, and the peak Python memory while streaming (tracemalloc) next to the bundle's size.

Standalone: ``.venv/bin/python bench/bench_documents.py [--exhibits 1000] [--blob-mb 4] [--blobs 8]``. It sets up
Django with ``config.test_settings`` on a temporary DOCKET_DATA_DIR (SQLite), migrates and generates its data.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> Path:
    data = Path(tempfile.mkdtemp(prefix="docket-bench-documents-"))
    os.environ["DOCKET_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return data


def bare_table(rows) -> bytes:
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=1, cols=7)
    for cell, text in zip(table.rows[0].cells, ["No.", "Title", "Kind", "Date", "Source", "SHA-256", "Size"]):
        cell.text = text
    for r in rows:
        cells = table.add_row().cells
        values = [str(r.number), r.title, r.kind, r.obtained_on.isoformat(), r.source, r.sha256, str(r.size)]
        for cell, value in zip(cells, values):
            cell.text = value
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def best_of(func, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def bench_exhibit_list(sizes) -> None:
    from documents import generators
    from documents.data import CaseInfo, DocumentMeta, ExhibitRow

    case = CaseInfo(id=1, title="Бенчмарк: дело о камерах", reference="2a-1/2026")
    meta = DocumentMeta(language="en", generated_at=datetime(2026, 1, 1, 12, 0), generated_by="bench")
    print("== exhibit list (python-docx), best of 3")
    print(f"{'rows':>7} {'generator s':>12} {'bare table s':>13} {'ratio':>7} {'gen µs/row':>11}")
    for n in sizes:
        rows = [ExhibitRow(number=k, title=f"Photo of camera {k}", kind="Photo", obtained_on=date(2025, 1, 1 + k % 28),
                           source="Applicant", sha256=f"{k:064x}", size=100000 + k) for k in range(1, n + 1)]
        ours = best_of(lambda: generators.exhibit_list_docx(case=case, exhibits=rows, meta=meta))
        bare = best_of(lambda: bare_table(rows))
        print(f"{n:>7} {ours:>12.3f} {bare:>13.3f} {ours / bare:>7.2f} {ours / n * 1e6:>11.1f}")


def make_case(n_exhibits: int, blob_mb: float, n_blobs: int):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases.services import case_create, user_create
    from evidence.models import CaseExhibit, EvidenceItem
    from evidence.services import custody_record, evidence_upload

    user = user_create(username="bench-lead", password="bench-password-123456")
    case = case_create(user=user, title="Bundle benchmark", reference="BENCH-1")
    size = int(blob_mb * 1024 * 1024)
    seeds = []
    for k in range(n_blobs):
        content = os.urandom(size)
        seeds.append(evidence_upload(user=user, uploaded_file=SimpleUploadedFile(f"seed{k}.bin", content), case=case,
                                     title=f"Seed {k}"))
    now = timezone.now()
    extra = n_exhibits - n_blobs
    items = EvidenceItem.objects.bulk_create([
        EvidenceItem(title=f"Photo {k}", kind="photo", sha256=seeds[k % n_blobs].sha256, size=seeds[k % n_blobs].size,
                     media_type="application/octet-stream", original_filename=f"photo_{k}.jpg", created_by=user,
                     obtained_at=now)
        for k in range(extra)
    ])
    CaseExhibit.objects.bulk_create(
        [CaseExhibit(case=case, item=item, number=n_blobs + 1 + k) for k, item in enumerate(items)]
    )
    for item in items:
        custody_record(item=item, user=user, action="uploaded")
    return user, case


def bench_bundle(n_exhibits: int, blob_mb: float, n_blobs: int) -> None:
    from documents import services

    print(f"\n== court bundle: {n_exhibits} exhibits over {n_blobs} stored blobs of {blob_mb} MB")
    start = time.perf_counter()
    user, case = make_case(n_exhibits, blob_mb, n_blobs)
    print(f"data generated in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    bundle = services.bundle_prepare(user=user, case=case, language="en")
    prepare = time.perf_counter() - start
    print(f"prepare (custody events, exhibit list, custody report): {prepare:.2f} s; zip size {bundle.size / 2**20:.1f} MiB")

    start = time.perf_counter()
    total = 0
    for chunk in bundle:
        total += len(chunk)
    stream = time.perf_counter() - start
    assert total == bundle.size
    print(f"stream: {total / 2**20:.1f} MiB in {stream:.2f} s = {total / 2**20 / stream:.0f} MiB/s "
          f"(SHA-256 of every exhibit verified on the way)")

    tracemalloc.start()
    bundle = services.bundle_prepare(user=user, case=case, language="en")
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    for _chunk in bundle:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python memory while streaming: {(peak - base) / 2**20:.1f} MiB above the start "
          f"(bundle {bundle.size / 2**20:.1f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=1000)
    parser.add_argument("--blob-mb", type=float, default=1.0)
    parser.add_argument("--blobs", type=int, default=8)
    parser.add_argument("--sizes", default="500,1000,2000,4000", help="row counts for the exhibit list comparison")
    args = parser.parse_args()
    data = setup_django()
    try:
        bench_exhibit_list([int(x) for x in args.sizes.split(",")])
        bench_bundle(args.exhibits, args.blob_mb, args.blobs)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
