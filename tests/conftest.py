"""Shared fixtures: every test gets its own data folder (files, index) and talks to the real database."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    """Point every stored file and the search index at a fresh temporary folder."""
    data = tmp_path / "data"
    for sub in ("evidence", "tmp", "index", "templates"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    settings.DATA_DIR = data
    settings.EVIDENCE_DIR = data / "evidence"
    settings.UPLOAD_TMP_DIR = data / "tmp"
    settings.FILE_UPLOAD_TEMP_DIR = str(data / "tmp")
    settings.SEARCH_INDEX_DIR = data / "index"
    settings.DOCUMENT_TEMPLATES_DIR = data / "templates"
    return data


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (a user id of an earlier test's database is another user here)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's default language: a page request of an earlier test in the same worker may
    have left another language active in the thread (LocaleMiddleware activates it and nothing switches back)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


def system_tool(name: str) -> str | None:
    """Path of a system program the suite drives for real; skip (or, in CI, fail) when it is missing."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("DOCKET_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(f"{name} is required in CI but is not installed")
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


# Real servers for the S3 and Redis tests (started on demand, once per session): see tests/servers.py.
from tests.servers import redis_url, s3, s3_endpoint  # noqa: E402,F401

# --- Two-factor sign-in -----------------------------------------------------------------------------------------
def confirmed_device(user):
    """A confirmed authenticator for ``user`` (made once), as after setting up two-factor sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True)


def totp_code(device, step: int = 0) -> str:
    """The code the authenticator app shows now (``step``: that many 30-second steps later, for a second use)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + step * device.step
    return f"{totp.token():0{device.digits}d}"


def login_with_two_factors(client, user):
    """Sign ``client`` in as ``user`` with a session verified by a second factor (staff need one for every page)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
