"""Benchmark: backup and restore of a site holding BENCH_MIB MiB of evidence (BENCH_FILES files), plain and
encrypted, each as its own `manage.py` process (SQLite, local storage).

Prints, for each step, the throughput over the evidence bytes, the wall time and the peak resident memory of the
process (ru_maxrss) — flat memory means the peak does not grow with the data. Run:
`.venv/bin/python bench/bench_backup.py` (BENCH_MIB=256, BENCH_FILES=8).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
SIZE_MIB = int(os.environ.get("BENCH_MIB", "256"))
FILES = int(os.environ.get("BENCH_FILES", "8"))
PASSPHRASE = "a passphrase for the benchmark"


def run(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one manage.py process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def site_env(data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DOCKET_", "SECRET_KEY"))}
    env.update({"DOCKET_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "config.settings",
                "DOCKET_MAX_UPLOAD_BYTES": str(SIZE_MIB * MIB)})
    return env


def fill(data: Path) -> None:
    """A migrated site with FILES evidence items of SIZE_MIB MiB in all (random bytes: nothing compresses)."""
    script = f"""
import os
from django.core.files.uploadedfile import UploadedFile
from django.contrib.auth import get_user_model
from cases.services import case_create
from evidence.services import evidence_upload
user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-123")
case = case_create(user=user, title="Bench")
per = {SIZE_MIB * MIB // FILES}
for i in range({FILES}):
    path = os.path.join(r"{data}", f"source-{{i}}.bin")
    with open(path, "wb") as out:
        left = per
        while left:
            n = min(left, {MIB})
            out.write(os.urandom(n))
            left -= n
    with open(path, "rb") as fh:
        evidence_upload(user=user, case=case, uploaded_file=UploadedFile(fh, name=f"source-{{i}}.bin", size=per))
    os.unlink(path)
"""
    env = site_env(data)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="docket-bench-backup-"))
    try:
        source = work / "site"
        fill(source)
        passfile = work / "passphrase"
        passfile.write_text(PASSPHRASE)
        mib = SIZE_MIB
        print(f"evidence: {mib} MiB in {FILES} files (random bytes), SQLite, local storage")
        rows = []
        for label, extra in (("plain", []), ("encrypted", ["--passphrase-file", str(passfile)])):
            archive = work / f"{label}.docket"
            seconds, rss = run(["backup", "--output", str(archive), "--no-progress", *extra], site_env(source))
            rows.append((f"backup ({label})", seconds, rss, archive.stat().st_size / MIB))
            target = work / f"restored-{label}"
            seconds, rss = run(["restore", str(archive), "--no-progress", *extra], site_env(target))
            rows.append((f"restore ({label})", seconds, rss, None))
        print(f"{'step':<22}{'MiB/s':>9}{'seconds':>10}{'peak RSS MiB':>14}{'archive MiB':>13}")
        for label, seconds, rss, size in rows:
            shown = f"{size:13.1f}" if size is not None else f"{'':>13}"
            print(f"{label:<22}{mib / seconds:9.1f}{seconds:10.2f}{rss:14.1f}{shown}")
        print("(restore includes migrating the empty database, verifying every item by re-hashing it and rebuilding "
              "the search index)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
