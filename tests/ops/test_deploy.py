"""The production pieces the README and deploy/ describe, run for real on a site of their own (separate processes,
its own data folder): gunicorn serving Docket, and the nightly backup script with its pruning."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import _stop, _wait_for_port, free_port

ROOT = Path(__file__).resolve().parents[2]
# Each runs a site of its own on SQLite, whatever the suite's database: once, in the SQLite pass of .ci/run.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="engine-independent; runs in the SQLite pass"),
]


@pytest.fixture(scope="module")
def site_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("site") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DOCKET_", "SECRET_KEY"))}
    env.update({"DOCKET_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "config.settings"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=300)
    return env


def test_gunicorn_serves_docket(site_env):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    assert gunicorn, "gunicorn is in requirements.txt"
    port = free_port()
    proc = subprocess.Popen(
        [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        cwd=ROOT, env=site_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc, "gunicorn", timeout=60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
            assert answer.status == 200 and json.load(answer) == {"ok": True}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30) as answer:
            page = answer.read().decode()
            assert answer.status == 200 and "Sign in" in page
            assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    finally:
        _stop(proc)


def test_the_backup_script_writes_an_encrypted_archive_and_prunes_old_ones(site_env, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    old = backups / "docket-20200101T000000Z.docket"
    old.write_bytes(b"an old archive")
    stamp = time.time() - 40 * 86400
    os.utime(old, (stamp, stamp))
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("a passphrase for the nightly backups\n")
    env = {**site_env, "DOCKET_BACKUP_DIR": str(backups), "DOCKET_BACKUP_KEEP_DAYS": "30",
           "DOCKET_BACKUP_PASSPHRASE_FILE": str(passphrase), "DOCKET_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(ROOT / "deploy" / "docket-backup.sh")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    archives = sorted(backups.glob("docket-*.docket"))
    assert len(archives) == 1 and archives[0] != old  # the new one; the 40-day-old one pruned
    assert archives[0].read_bytes().startswith(b"DKTENC01")
    assert oct(backups.stat().st_mode & 0o777) == "0o700"
    assert oct(archives[0].stat().st_mode & 0o777) == "0o600"

    plain = {k: v for k, v in env.items() if k != "DOCKET_BACKUP_PASSPHRASE_FILE"}
    refused = subprocess.run(["bash", str(ROOT / "deploy" / "docket-backup.sh")], env=plain, capture_output=True,
                             text=True, timeout=300)
    assert refused.returncode == 2 and "DOCKET_BACKUP_PASSPHRASE_FILE" in refused.stderr
