"""Child process for the large-upload test: uploads N MiB through the real view under a tight RLIMIT_AS.

Prints one JSON line. Not a test module (pytest collects test_*.py only)."""
from __future__ import annotations

import hashlib
import json
import os
import resource
import sys

import django

MIB = 1024 * 1024
BOUNDARY = "docketbigboundary"


class Body:
    """A multipart body generated on the fly: never more than one block in memory."""

    def __init__(self, case_id: int, mib: int) -> None:
        self.head = (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{case_id}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.file_size = mib * MIB
        self.length = len(self.head) + self.file_size + len(self.tail)
        self.pos = 0

    @staticmethod
    def block(index: int) -> bytes:
        return bytes([index % 251]) * MIB

    def byte_range(self, start: int, end: int) -> bytes:
        out = []
        head_end = len(self.head)
        file_end = head_end + self.file_size
        while start < end:
            if start < head_end:
                piece = self.head[start:min(end, head_end)]
            elif start < file_end:
                offset = start - head_end
                index, inner = divmod(offset, MIB)
                piece = self.block(index)[inner:inner + min(end - start, MIB - inner)]
            else:
                piece = self.tail[start - file_end:end - file_end]
            out.append(piece)
            start += len(piece)
        return b"".join(out)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.pos
        end = min(self.length, self.pos + size)
        data = self.byte_range(self.pos, end)
        self.pos = end
        return data

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - the multipart parser uses read()
        return self.read(size)

    def expected_sha256(self) -> str:
        digest = hashlib.sha256()
        for index in range(self.file_size // MIB):
            digest.update(self.block(index))
        return digest.hexdigest()


def vm_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    mib, headroom_mib = int(sys.argv[1]), int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from cases.services import case_create

    settings.DOCKET_MAX_UPLOAD_BYTES = (mib + 1) * MIB
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    # A case lead, not staff: staff must sign in with two factors, which this child does not set up.
    user = get_user_model().objects.create_user("lead", "lead@example.org", "irrelevant-pass-123")
    case = case_create(user=user, title="Big")
    client = Client()
    client.force_login(user)
    body = Body(case.pk, mib)
    expected = body.expected_sha256()
    # Warm up the code paths once (imports, template loading) before the limit is set.
    client.get("/api/v1/evidence/")
    limit = vm_kib("VmSize") * 1024 + headroom_mib * MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    control = "not run"
    try:
        bytearray(mib * MIB)
        control = "allocated"
    except MemoryError:
        control = "MemoryError"
    response = client.generic(
        "POST", "/api/v1/evidence/", b"", content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length), CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        **{"wsgi.input": body},
    )
    out = {"status": response.status_code, "control": control, "expected": expected,
           "headroom_mib": headroom_mib, "peak_rss_mib": vm_kib("VmHWM") // 1024}
    if response.status_code == 201:
        data = response.json()
        out.update(sha256=data["sha256"], size=data["size"])
    else:
        out["body"] = response.content[:500].decode(errors="replace")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
