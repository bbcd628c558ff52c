#!/usr/bin/env python
"""Benchmark of the paginated court bundle (bundle.pdf): time, size and peak memory, beside bare concatenations.

For each total size asked (default 256 and 1024 MiB) it stores a case of ``--exhibits`` exhibits (every fourth a PDF
of 2-4 pages carrying a large incompressible image stream, the others images and files with no pages), then runs in
a fresh process each of:

- ``docket``: ``documents.services.bundle_pdf_prepare`` (re-hash every file, draw the cover, index, image and
  placeholder pages, assemble with pikepdf, stamp every page, bookmarks, spool to disk, record the custody events)
  and stream the result to /dev/null as the response does;
- ``pikepdf``: a bare pikepdf concatenation of the same PDF exhibit files (open all, extend pages, save to disk);
- ``pypdf``: a bare pypdf concatenation of the same PDF exhibit files (``PdfWriter.append``, write to disk);
- ``zip``: ``documents.bundle.bundle_prepare`` (bundle.zip: re-hash while streaming, documents, custody events),
  streamed to /dev/null;
- ``zipfile``: a bare standard-library ZIP (stored, as bundle.zip) of the same exhibit files, written to disk.

It prints, for each, the wall time, the output size and the process's peak resident memory (ru_maxrss) above the
same process's resident memory before the work (Django set up, modules imported). Memory that stays flat as the
bundle grows from 256 MiB to 1 GiB is the point. Prints figures, asserts nothing.

``.venv/bin/python bench/bench_bundle_pdf.py [--exhibits 200] [--sizes 256,1024] [--stream-mib 5]``

With ``--stream-mib`` every PDF carries a stream of that size and the number of exhibits grows with the total:
the way to see that the bundle's memory depends on its largest stream, not on its size.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    """Current resident memory of this process (Linux /proc), MiB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def setup_django(data: Path, migrate: bool) -> None:
    os.environ["DOCKET_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def make_case(data: Path, exhibits: int, total_mib: int) -> dict:
    setup_django(data, migrate=True)
    from bench.bundle_data import exhibit_files, store_exhibits
    from tests.factories import CaseFactory, UserFactory

    user = UserFactory(username="bench-lead")
    case = CaseFactory(lead=user, title="Bench case", reference="BENCH-1")
    pdfs = sum(1 for n in range(1, exhibits + 1) if n % 4 == 1)
    pad = int(total_mib * 2**20 / max(pdfs, 1))
    made = store_exhibits(case, user, exhibit_files(exhibits, pad_bytes=pad))
    from evidence import storage

    pdf_paths = [str(storage.blob_path(x["sha256"])) for x in made if x["kind"] == "pdf"]
    all_paths = [str(storage.blob_path(x["sha256"])) for x in made]
    stored = sum(x["item"].size for x in made)
    return {"case": case.pk, "user": user.pk, "pdfs": pdf_paths, "all": all_paths, "stored": stored}


def child(mode: str, data: Path, info: dict) -> dict:
    setup_django(data, migrate=False)
    import pikepdf  # noqa: F401  (imported before measuring, as in the server)
    import pypdf  # noqa: F401
    import reportlab  # noqa: F401

    from documents import bundle_pdf  # noqa: F401

    out_dir = Path(tempfile.mkdtemp(dir=data))
    before = rss_mib()
    start = time.perf_counter()
    pages = 0
    if mode == "docket":
        from django.contrib.auth import get_user_model

        from cases.models import Case
        from documents import services

        user = get_user_model().objects.get(pk=info["user"])
        case = Case.objects.get(pk=info["case"])
        bundle = services.bundle_pdf_prepare(user=user, case=case, language="ru")
        pages, size = bundle.pages, 0
        with open(os.devnull, "wb") as sink:
            for chunk in bundle.chunks():
                size += len(chunk)
                sink.write(chunk)
    elif mode == "zip":  # the bundle.zip request: documents.bundle.bundle_prepare, streamed as the response does
        from django.contrib.auth import get_user_model

        from cases.models import Case
        from documents import services

        user = get_user_model().objects.get(pk=info["user"])
        case = Case.objects.get(pk=info["case"])
        bundle = services.bundle_prepare(user=user, case=case, language="ru")
        size = 0
        with open(os.devnull, "wb") as sink:
            for chunk in bundle:
                size += len(chunk)
                sink.write(chunk)
    elif mode == "zipfile":  # bare: the same files stored (not deflated) into a ZIP by the standard library
        import zipfile

        target = out_dir / "bare.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
            for n, path in enumerate(info["all"], 1):
                zf.write(path, f"{n:03d}-{Path(path).name}")
        size = target.stat().st_size
    elif mode == "pikepdf":
        import pikepdf

        target = out_dir / "bare.pdf"
        out = pikepdf.new()
        sources = [pikepdf.open(p) for p in info["pdfs"]]
        for src in sources:
            out.pages.extend(src.pages)
        pages = len(out.pages)
        out.save(target)
        for src in sources:
            src.close()
        size = target.stat().st_size
    else:
        from pypdf import PdfWriter

        target = out_dir / "bare.pdf"
        writer = PdfWriter()
        for p in info["pdfs"]:
            writer.append(p)
        pages = len(writer.pages)
        with open(target, "wb") as fh:
            writer.write(fh)
        size = target.stat().st_size
    elapsed = time.perf_counter() - start
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"mode": mode, "seconds": elapsed, "size": size, "pages": pages, "before": before, "peak": peak_mib()}


def run_child(mode: str, data: Path, info: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--data", str(data), "--info", json.dumps(info)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(sizes: list[int], modes: list[str], exhibits: int = 200, stream_mib: float = 0,
            say=lambda line: None) -> list[dict]:
    """Each mode on a case of each total size (a fresh data folder per size, a fresh process per mode)."""
    results = []
    for total in sizes:
        n = 4 * max(1, round(total / stream_mib)) if stream_mib else exhibits
        data = Path(tempfile.mkdtemp(prefix="docket-bench-bundle-pdf-"))
        try:
            info = subprocess.run([sys.executable, "-c", (
                "import json, sys; sys.path.insert(0, %r); from pathlib import Path; "
                "from bench.bench_bundle_pdf import make_case; "
                "print(json.dumps(make_case(Path(%r), %d, %d)))") % (str(ROOT), str(data), n, total)],
                capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            info = json.loads(info)
            say(f"# {n} exhibits, {info['stored'] / 2**20:.0f} MiB stored")
            for mode in modes:
                r = run_child(mode, data, info)
                r.update(total=total, stored=info["stored"])
                results.append(r)
                say(f"{total:>6}MiB {mode:>8} {r['seconds']:>7.1f} {r['size'] / 2**20:>10.0f} {r['pages']:>6} "
                    f"{r['before']:>8.0f}MiB {r['peak']:>7.0f}MiB {r['peak'] - r['before']:>11.0f}MiB")
        finally:
            shutil.rmtree(data, ignore_errors=True)
    return results


def rows(scale: str) -> list:
    """bench/run.py: bundle.pdf against a bare pikepdf concatenation, bundle.zip against a bare zipfile, at two
    sizes (small: 32 and 128 MiB of PDF exhibits; full: 256 MiB and 1 GiB); throughput ratio ≥ 0.7 at the larger
    size, and memory flat (the peak above the start grows by less than 64 MiB from the smaller size to the
    larger)."""
    from bench.common import Row

    sizes = [256, 1024] if scale == "full" else [32, 128]
    found = measure(sizes, ["docket", "pikepdf", "zip", "zipfile"])
    by = {(r["total"], r["mode"]): r for r in found}
    out = []
    for mine, bare, label in (("docket", "pikepdf", "bundle.pdf"), ("zip", "zipfile", "bundle.zip")):
        big, small = by[(sizes[-1], mine)], by[(sizes[0], mine)]
        reference = by[(sizes[-1], bare)]
        ratio = reference["seconds"] / big["seconds"]
        growth = (big["peak"] - big["before"]) - (small["peak"] - small["before"])
        stored = big["stored"] / 2**20
        out.append(Row(
            benchmark=f"{label}: 200 exhibits, {stored:,.0f} MiB stored",
            figure=f"{stored / big['seconds']:,.0f} MiB/s, {big['seconds']:.1f} s, peak +{big['peak'] - big['before']:.0f} MiB",
            bare=f"{bare} {stored / reference['seconds']:,.0f} MiB/s, {reference['seconds']:.1f} s, "
                 f"peak +{reference['peak'] - reference['before']:.0f} MiB",
            ratio=round(ratio, 2), target="≥ 0.70 of bare, flat memory",
            met=ratio >= 0.7 and growth < 64,
            note=f"memory above start: +{small['peak'] - small['before']:.0f} MiB at {sizes[0]} MiB, "
                 f"+{big['peak'] - big['before']:.0f} MiB at {sizes[-1]} MiB"
                 + ("" if label == "bundle.zip" else f"; {big['pages']} pages vs {reference['pages']} bare (the "
                    "bare tool concatenates the PDF exhibits only: no cover, index, image pages or stamps)"),
        ))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=200)
    parser.add_argument("--sizes", default="256,1024", help="total MiB of the PDF exhibits, one run per size")
    parser.add_argument("--modes", default="docket,pikepdf,pypdf")
    parser.add_argument("--stream-mib", type=float, default=0,
                        help="size of each PDF's large stream; the number of exhibits then follows the total size")
    parser.add_argument("--child")
    parser.add_argument("--data")
    parser.add_argument("--info")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.data), json.loads(args.info))))
        return
    print(f"{'size':>9} {'mode':>8} {'time s':>7} {'output MiB':>10} {'pages':>6} {'RSS before':>10} "
          f"{'peak RSS':>9} {'peak - before':>13}")
    for total in [int(x) for x in args.sizes.split(",")]:
        exhibits = args.exhibits
        if args.stream_mib:
            exhibits = 4 * max(1, round(total / args.stream_mib))  # every fourth exhibit is a PDF
        data = Path(tempfile.mkdtemp(prefix="docket-bench-bundle-pdf-"))
        try:
            start = time.perf_counter()
            info = subprocess.run([sys.executable, "-c", (
                "import json, sys; sys.path.insert(0, %r); from pathlib import Path; "
                "from bench.bench_bundle_pdf import make_case; "
                "print(json.dumps(make_case(Path(%r), %d, %d)))") % (str(ROOT), str(data), exhibits, total)],
                capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            info = json.loads(info)
            print(f"# {exhibits} exhibits, {info['stored'] / 2**20:.0f} MiB stored "
                  f"(made in {time.perf_counter() - start:.0f} s)")
            for mode in args.modes.split(","):
                r = run_child(mode, data, info)
                print(f"{total:>6}MiB {mode:>8} {r['seconds']:>7.1f} {r['size'] / 2**20:>10.0f} {r['pages']:>6} "
                      f"{r['before']:>8.0f}MiB {r['peak']:>7.0f}MiB {r['peak'] - r['before']:>11.0f}MiB", flush=True)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
