"""The custody chain's arithmetic: canonical entries, their hashes and seals, and chain verification.

``entry_hash`` = SHA-256 of the canonical JSON of the entry (sorted keys, no spaces, UTF-8) including
``prev_hash``; the first entry's ``prev_hash`` is 64 zeros. ``seal`` = HMAC-SHA256 of ``entry_hash`` with a key
derived from ``settings.DOCKET_CUSTODY_KEY`` (default: ``SECRET_KEY``), so whoever can write to the database but
does not hold the key cannot rebuild a consistent chain after editing it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

GENESIS = "0" * 64


def _key() -> bytes:
    secret = getattr(settings, "DOCKET_CUSTODY_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"docket-custody-v1\x00" + str(secret).encode()).digest()


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def format_at(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(*, item_id: int, seq: int, at: datetime, username: str, action: str, sha256: str,
                 client_ip: str | None, user_agent: str, detail: dict, prev_hash: str) -> dict[str, Any]:
    return {
        "v": 1, "item": int(item_id), "seq": int(seq), "at": format_at(at), "user": username or "",
        "action": action, "sha256": sha256 or "", "client_ip": client_ip or "", "user_agent": user_agent or "",
        "detail": detail or {}, "prev_hash": prev_hash,
    }


def entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def seal(digest: str) -> str:
    return hmac.new(_key(), digest.encode("ascii"), hashlib.sha256).hexdigest()


def event_fields(event) -> dict[str, Any]:
    return entry_fields(
        item_id=event.item_id, seq=event.seq, at=event.at, username=event.username, action=event.action,
        sha256=event.sha256, client_ip=event.client_ip, user_agent=event.user_agent, detail=event.detail,
        prev_hash=event.prev_hash,
    )


def check_chain(item, events: list, head) -> list[str]:
    """Problems found in an item's custody chain (empty when it is intact). ``events`` in ``seq`` order."""
    problems: list[str] = []
    if not events:
        problems.append("custody log is empty")
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        label = f"custody entry {event.seq} ({event.action})"
        if event.seq != expected_seq:
            problems.append(f"custody entry {expected_seq} is missing (found {event.seq})")
        if event.prev_hash != prev:
            problems.append(f"{label}: does not follow the previous entry")
        digest = entry_hash(event_fields(event))
        if digest != event.entry_hash:
            problems.append(f"{label}: content was changed")
        elif not hmac.compare_digest(seal(digest), event.seal or ""):
            problems.append(f"{label}: seal does not match (forged, or the custody key changed)")
        prev = event.entry_hash
    if events:
        first = events[0]
        if first.action not in ("uploaded", "intake"):  # a file sent through public intake starts there
            problems.append("the first custody entry is not the upload")
        elif first.sha256 != item.sha256:
            problems.append("the stored digest differs from the digest recorded at upload")
    if head is None:
        if events:
            problems.append("custody chain head is missing")
    else:
        last = events[-1] if events else None
        if last is None or head.seq != last.seq or head.entry_hash != last.entry_hash:
            problems.append("custody entries after the last one found were removed")
        if not hmac.compare_digest(seal(head.entry_hash), head.seal or ""):
            problems.append("custody chain head: seal does not match")
    return problems
