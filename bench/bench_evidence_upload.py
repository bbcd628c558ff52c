"""Benchmark: evidence upload (HTTP multipart → hash → content-addressed store → row + custody) against a bare
single pass over the same bytes (read → SHA-256 → write → fsync).

Prints the throughput of each, their ratio, and the extra resident memory of the upload (peak RSS during the
upload minus RSS before it). Run: `.venv/bin/python bench/bench_evidence_upload.py` (BENCH_MIB=256, BENCH_RUNS=3).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MIB = 1024 * 1024
SIZE_MIB = int(os.environ.get("BENCH_MIB", "256"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BOUNDARY = "benchboundary7MA4YWxkTrZu0gW"


def status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class MultipartStream:
    """head + a run-specific 16-byte prefix + the source file + tail, read from disk as the parser asks."""

    def __init__(self, source: Path, case_id: int, run: int) -> None:
        self.head = (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{case_id}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode() + run.to_bytes(16, "big")
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.fh = open(source, "rb")
        self.length = len(self.head) + source.stat().st_size + len(self.tail)
        self.parts = [self.head, None, self.tail]

    def read(self, size: int = -1) -> bytes:
        out = b""
        while self.parts and (size < 0 or len(out) < size):
            want = -1 if size < 0 else size - len(out)
            part = self.parts[0]
            if part is None:
                chunk = self.fh.read(want)
                if not chunk:
                    self.parts.pop(0)
                    self.fh.close()
                    continue
                out += chunk
            else:
                take = part if want < 0 else part[:want]
                out += take
                rest = part[len(take):]
                if rest:
                    self.parts[0] = rest
                else:
                    self.parts.pop(0)
        return out

    def readline(self, size: int = -1) -> bytes:  # the multipart parser reads blocks, never lines
        return self.read(size)


def bare_pass(source: Path, target_dir: Path, run: int) -> float:
    start = time.perf_counter()
    digest = hashlib.sha256()
    target = target_dir / f"bare-{run}"
    with open(source, "rb") as src, open(target, "wb") as out:
        prefix = run.to_bytes(16, "big")
        digest.update(prefix)
        out.write(prefix)
        while chunk := src.read(MIB):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    digest.hexdigest()
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="docket-bench-"))
    os.environ["DOCKET_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DOCKET_MAX_UPLOAD_BYTES"] = str((SIZE_MIB + 1) * MIB)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from cases.models import Case

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        call_command("migrate", verbosity=0)
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-123")
        case = Case.objects.create(title="Bench", created_by=user)
        client = Client()
        client.force_login(user)
        client.get("/api/v1/evidence/")  # warm up

        source = data / "source.bin"
        block = os.urandom(MIB)
        with open(source, "wb") as out:
            for i in range(SIZE_MIB):
                out.write(bytes([i % 256]) + block[1:])
        size = source.stat().st_size + 16

        bare_times, upload_times, extra = [], [], []
        scratch = data / "scratch"
        scratch.mkdir()
        for run in range(RUNS):
            bare_times.append(bare_pass(source, scratch, run))
            stream = MultipartStream(source, case.pk, run)
            rss_before = status_kib("VmRSS")
            peak_ok = reset_peak()
            start = time.perf_counter()
            response = client.generic(
                "POST", "/api/v1/evidence/", b"", CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
                CONTENT_LENGTH=str(stream.length), **{"wsgi.input": stream},
            )
            upload_times.append(time.perf_counter() - start)
            assert response.status_code == 201, response.content[:300]
            assert response.json()["size"] == size
            if peak_ok:
                extra.append(max(0, status_kib("VmHWM") - rss_before) / 1024)

        bare, upload = min(bare_times), min(upload_times)
        mib = size / MIB
        print(f"size: {mib:.0f} MiB, runs: {RUNS} (best of)")
        print(f"bare hash+write+fsync: {mib / bare:8.1f} MiB/s ({bare:.2f} s)")
        print(f"upload+hash+store:     {mib / upload:8.1f} MiB/s ({upload:.2f} s)")
        print(f"ratio (upload / bare): {bare / upload:.2f}")
        if extra:
            print(f"extra resident memory during upload: {max(extra):.1f} MiB (peak RSS − RSS before)")
        else:
            print("extra resident memory: not measurable here (/proc/self/clear_refs unavailable)")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
