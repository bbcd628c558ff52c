"""A file larger than the process could hold in memory is uploaded, hashed and stored (streamed, never whole)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_300_mib_upload_under_a_memory_limit_smaller_than_the_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DOCKET_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="config.test_settings",
               PYTHONPATH=str(ROOT))
    mib, headroom = 300, 160
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("bigupload_child.py")), str(mib), str(headroom)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["control"] == "MemoryError", out  # the limit really is too small to hold the file
    assert out["status"] == 201, out
    assert out["size"] == mib * 1024 * 1024
    assert out["sha256"] == out["expected"]
    blob = tmp_path / "data" / "evidence" / out["sha256"][:2] / out["sha256"][2:4] / out["sha256"]
    assert blob.stat().st_size == mib * 1024 * 1024
    assert list((tmp_path / "data" / "tmp").iterdir()) == []
