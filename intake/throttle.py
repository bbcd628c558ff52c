"""Throttling public reports per address without keeping the address.

Counting happens in fixed windows (``DOCKET_INTAKE_RATE``: reports per window, ``DOCKET_INTAKE_WINDOW_SECONDS``).
The counter's key is an HMAC of the address under a random key made for that window alone; the key and the
counters live in Django's cache and expire with the window. After the window nothing is left, and even the site's
own secrets cannot link an old counter to an address: its key is gone.

Behind an onion service every visitor has the same address (127.0.0.1): raise the rate there.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import cache

PREFIX = "docket:intake-throttle"


def _config() -> tuple[int, int]:
    return int(settings.DOCKET_INTAKE_RATE), max(1, int(settings.DOCKET_INTAKE_WINDOW_SECONDS))


def _address(request) -> str:
    # REMOTE_ADDR only: forwarded headers are whatever the client says.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def check(request) -> int | None:
    """Count this report. None when it may go ahead; else the seconds until the window ends."""
    limit, window = _config()
    now = time.time()
    index = int(now // window)
    remaining = int((index + 1) * window - now) + 1
    key = cache.get_or_set(f"{PREFIX}:key:{index}", lambda: secrets.token_hex(32), timeout=remaining)
    digest = hmac.new(key.encode(), _address(request).encode(), hashlib.sha256).hexdigest()[:32]
    counter = f"{PREFIX}:{index}:{digest}"
    cache.add(counter, 0, timeout=remaining)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=remaining)
        count = 1
    return None if count <= limit else remaining
