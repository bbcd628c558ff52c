"""Benchmark: evidence download (the stored bytes re-hashed as they stream, last block held back until the digest
matches) against a bare pass over the same file (read → SHA-256).

Two paths: in process (Django's test client, consuming the streamed body) and over HTTP (Django's threaded WSGI
server, the one ``runserver`` uses, and a plain ``http.client`` reader). Prints MiB/s for each, the ratio to the
bare pass, and the extra resident memory during the in-process download (peak RSS − RSS before).
Run: `.venv/bin/python bench/bench_evidence_download.py` (BENCH_MIB=256, BENCH_RUNS=3).
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
MIB = 1024 * 1024
SIZE_MIB = int(os.environ.get("BENCH_MIB", "256"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def bare_pass(path: Path) -> float:
    start = time.perf_counter()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)
    digest.hexdigest()
    return time.perf_counter() - start


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
    from bench_evidence_upload import BOUNDARY, MultipartStream, reset_peak, status_kib
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    from cases.models import Case

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    try:
        call_command("migrate", verbosity=0)
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password-123")
        case = Case.objects.create(title="Bench", created_by=user)
        client = Client()
        client.force_login(user)

        source = data / "source.bin"
        block = os.urandom(MIB)
        with open(source, "wb") as out:
            for i in range(SIZE_MIB):
                out.write(bytes([i % 256]) + block[1:])
        stream = MultipartStream(source, case.pk, 0)
        response = client.generic(
            "POST", "/api/v1/evidence/", b"", CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
            CONTENT_LENGTH=str(stream.length), **{"wsgi.input": stream},
        )
        assert response.status_code == 201, response.content[:300]
        item_id, size, sha = response.json()["id"], response.json()["size"], response.json()["sha256"]
        url = f"/api/v1/evidence/{item_id}/download/"

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
        server.set_app(get_wsgi_application())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        cookie = f"sessionid={client.cookies['sessionid'].value}"

        bare_times, local_times, http_times, extra = [], [], [], []
        for _run in range(RUNS):
            bare_times.append(bare_pass(Path(settings.EVIDENCE_DIR) / sha[:2] / sha[2:4] / sha))

            rss_before = status_kib("VmRSS")
            peak_ok = reset_peak()
            start = time.perf_counter()
            response = client.get(url)
            digest, received = hashlib.sha256(), 0
            for chunk in response.streaming_content:
                digest.update(chunk)
                received += len(chunk)
            local_times.append(time.perf_counter() - start)
            assert received == size and digest.hexdigest() == sha
            if peak_ok:
                extra.append(max(0, status_kib("VmHWM") - rss_before) / 1024)

            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request("GET", url, headers={"Cookie": cookie, "Connection": "close"})
            reply = conn.getresponse()
            digest, received = hashlib.sha256(), 0
            while chunk := reply.read(MIB):
                digest.update(chunk)
                received += len(chunk)
            conn.close()
            http_times.append(time.perf_counter() - start)
            assert reply.status == 200 and received == size and digest.hexdigest() == sha
        server.shutdown()

        mib = size / MIB
        bare, local, over_http = min(bare_times), min(local_times), min(http_times)
        print(f"size: {mib:.0f} MiB, runs: {RUNS} (best of)")
        print(f"bare read+SHA-256:           {mib / bare:8.1f} MiB/s ({bare:.2f} s)")
        print(f"download, in process:        {mib / local:8.1f} MiB/s ({local:.2f} s, ratio {bare / local:.2f})")
        print(f"download, over HTTP (WSGI):  {mib / over_http:8.1f} MiB/s ({over_http:.2f} s, ratio {bare / over_http:.2f})")
        if extra:
            print(f"extra resident memory during the in-process download: {max(extra):.1f} MiB")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
