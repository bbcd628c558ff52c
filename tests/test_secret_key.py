"""No key published in the source ever signs or seals anything: without SECRET_KEY, Docket makes a random key once,
keeps it in DOCKET_DATA_DIR (mode 0600) and uses it for sessions, custody seals and calendar URLs; a production start
refuses the published development key and weak keys."""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.keys import PUBLISHED_KEYS, check_key, load_or_create_key

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = "docket-dev-key-change-me-in-production-0123456789abcdef"
STRONG = "k3y-" + "aZ9x" * 16


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with production settings and only the environment given (no DATABASE_URL, no test settings)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DOCKET_", "DJANGO_")) and k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DOCKET_DATA_DIR": str(tmp_path / "site")}, **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=120)


def test_the_old_development_key_is_on_the_published_list():
    assert PUBLISHED in PUBLISHED_KEYS


def test_a_fresh_data_dir_gets_a_random_key_file_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "fresh" / "secret_key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 50 and key not in PUBLISHED_KEYS
    assert load_or_create_key(path) == key  # kept, not remade
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary file left behind
    other = load_or_create_key(tmp_path / "elsewhere" / "secret_key")
    assert other != key


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    barrier = threading.Barrier(8)
    keys: list[str] = []

    def start():
        barrier.wait()
        keys.append(load_or_create_key(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert path.read_text().strip() == keys[0]


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "secret_key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        load_or_create_key(path)


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(ImproperlyConfigured, match="damaged"):
        load_or_create_key(path)
    assert path.read_text() == "short\n"


@pytest.mark.parametrize("production", [True, False])
def test_the_published_key_is_refused_whatever_debug_says(production):
    with pytest.raises(ImproperlyConfigured, match="published"):
        check_key("SECRET_KEY", PUBLISHED, production=production)


@pytest.mark.parametrize("weak", ["short-but-random-Zx81", "a" * 80, "django-insecure-" + "q1w2e3r4t5" * 6])
def test_weak_keys_are_refused_in_production_only(weak):
    with pytest.raises(ImproperlyConfigured, match="too weak"):
        check_key("SECRET_KEY", weak, production=True)
    check_key("SECRET_KEY", weak, production=False)
    check_key("SECRET_KEY", STRONG, production=True)


def test_production_start_refuses_the_published_key(tmp_path):
    result = run_manage(tmp_path, "check", SECRET_KEY=PUBLISHED)
    assert result.returncode != 0
    assert "SECRET_KEY is the development key published" in result.stderr


def test_production_start_refuses_a_weak_key(tmp_path):
    result = run_manage(tmp_path, "check", SECRET_KEY="hunter2hunter2")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


def test_the_published_key_is_refused_as_custody_key_too(tmp_path):
    result = run_manage(tmp_path, "check", DOCKET_CUSTODY_KEY=PUBLISHED)
    assert result.returncode != 0
    assert "DOCKET_CUSTODY_KEY is the development key published" in result.stderr


PRINT_KEYS = """
from django.conf import settings
from deadlines.selectors import feed_secret
from evidence.custody import _key
print(settings.SECRET_KEY)
print(_key().hex())
print(feed_secret("feed-1"))
"""


def test_without_secret_key_the_kept_key_signs_and_seals(tmp_path):
    first = run_manage(tmp_path, "shell", "-v", "0", "-c", PRINT_KEYS)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "site" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret, custody, feed = first.stdout.split()
    assert secret == key_file.read_text().strip()
    # The custody seal key and the calendar URL secret come from the kept key, never from a published one.
    assert custody == hashlib.sha256(b"docket-custody-v1\x00" + secret.encode()).hexdigest()
    assert custody != hashlib.sha256(b"docket-custody-v1\x00" + PUBLISHED.encode()).hexdigest()
    assert feed == hmac.new(secret.encode(), b"docket.deadlines.calendar:feed-1", hashlib.sha256).hexdigest()
    assert feed != hmac.new(PUBLISHED.encode(), b"docket.deadlines.calendar:feed-1", hashlib.sha256).hexdigest()
    again = run_manage(tmp_path, "shell", "-v", "0", "-c", PRINT_KEYS)
    assert again.stdout == first.stdout  # the same key on the next start: seals and URLs keep working
