"""The custody chain's arithmetic: canonical entries, their hashes and seals, and chain verification.

``entry_hash`` = SHA-256 of the canonical JSON of the entry (sorted keys, no spaces, UTF-8) including
``prev_hash``; the first entry's ``prev_hash`` is 64 zeros. Seals are HMAC-SHA256 with a key derived from
``settings.DOCKET_CUSTODY_KEY`` (default: ``SECRET_KEY``), so whoever can write to the database but does not hold
the key cannot rebuild a consistent chain after editing it.

Entries and the chain head are sealed in separate domains, so that no seal of one kind is ever valid as the
other:

- an entry: ``HMAC(key, b"docket-custody-entry-v2\x00" + "<item>:<seq>:<entry_hash>")``; entries written before
  v2 carry ``HMAC(key, entry_hash)`` and still verify;
- the head: ``HMAC(key, b"docket-custody-head-v2\x00" + "<item>:<seq>:<entry_hash>")``. Before v2 the head's seal
  was the last entry's seal, so deleting the last entries and copying the previous entry's seal into the head
  went unnoticed; now a head can only be sealed by the key holder (migration ``evidence 0003`` re-sealed the heads
  that verified under the old scheme). An entry appended to a head whose seal does not verify carries
  ``appended_to_unsealed_head`` in its (sealed) detail, so the next download or verification cannot paper over a
  truncation: verification keeps reporting it.
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


ENTRY_DOMAIN = b"docket-custody-entry-v2\x00"
HEAD_DOMAIN = b"docket-custody-head-v2\x00"


def _mac(domain: bytes, item_id: int, seq: int, digest: str) -> str:
    message = domain + f"{int(item_id)}:{int(seq)}:{digest}".encode("ascii")
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def seal_entry(*, item_id: int, seq: int, digest: str) -> str:
    """The seal of a custody entry (v2)."""
    return _mac(ENTRY_DOMAIN, item_id, seq, digest)


def seal_head(*, item_id: int, seq: int, digest: str) -> str:
    """The seal of an item's chain head: its latest entry's number and hash, in the head's own domain."""
    return _mac(HEAD_DOMAIN, item_id, seq, digest)


def seal_v1(digest: str) -> str:
    """The seal entries (and heads) carried before v2: verified for old entries, never written."""
    return hmac.new(_key(), digest.encode("ascii"), hashlib.sha256).hexdigest()


BROKEN_HEAD_MARK = "appended_to_unsealed_head"


def head_ok(*, item_id: int, head) -> bool:
    return hmac.compare_digest(seal_head(item_id=item_id, seq=head.seq, digest=head.entry_hash), head.seal or "")


def entry_seal_ok(event, digest: str) -> bool:
    given = event.seal or ""
    return hmac.compare_digest(seal_entry(item_id=event.item_id, seq=event.seq, digest=digest), given) or (
        hmac.compare_digest(seal_v1(digest), given)
    )


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
        elif not entry_seal_ok(event, digest):
            problems.append(f"{label}: seal does not match (forged, or the custody key changed)")
        if isinstance(event.detail, dict) and event.detail.get(BROKEN_HEAD_MARK):
            problems.append(f"{label}: was appended to a chain head whose seal did not match "
                            "(entries before it were removed, or the head was forged)")
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
        expected = seal_head(item_id=item.pk, seq=head.seq, digest=head.entry_hash)
        if not hmac.compare_digest(expected, head.seal or ""):
            problems.append("custody chain head: seal does not match (entries removed, or the custody key changed)")
    return problems
