"""The public intake's protections: throttle per address without keeping it, nothing about the reporter stored,
hostile files refused as for evidence (nothing left on disk on refusal)."""
from __future__ import annotations

import io
import logging

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from intake.models import Report
from tests.evidence.conftest import png_bytes, stored_files
from tests.evidence.test_hostile_uploads import POLYGLOT
from tests.intake.conftest import REPORT, authed

pytestmark = pytest.mark.django_db

REPORTER_IP = "203.0.113.77"
REPORTER_AGENT = "Mozilla/5.0 (ReporterPhone-UNIQUE-AGENT-7731)"


def everything_stored(data_dir) -> str:
    """The whole database (every table) as text, plus the names and bytes of every stored file."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out, indent=0)
    text = out.getvalue()
    for path in data_dir.rglob("*"):
        if path.is_file():
            text += f"\n{path}\n" + path.read_bytes().decode("latin-1")
    return text


def test_nothing_about_the_reporter_is_stored_or_logged(client, data_dir, triager, caplog, settings):
    caplog.set_level(logging.DEBUG)
    headers = {"REMOTE_ADDR": REPORTER_IP, "HTTP_USER_AGENT": REPORTER_AGENT,
               "HTTP_X_FORWARDED_FOR": "198.51.100.23", "HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9",
               "HTTP_REFERER": "http://reporter-referer.example/"}
    body = {**REPORT, "consent": "true", "file": SimpleUploadedFile("photo.png", png_bytes(), "image/png")}
    assert client.post("/api/v1/intake/", body, **headers).status_code == 202
    page = client.get("/report/", **headers)
    token = page.cookies["csrftoken"].value
    form = {"occurred_on": "2026-11-20", "location": "Teatralnaya", "category": "wrongful_stop",
            "description": "Stopped at the exit.", "consent": "on", "csrfmiddlewaretoken": token}
    assert client.post("/report/", form, **headers).status_code == 202
    # Triage and accept (the triager's own request is recorded as any user's, from another address).
    api = authed(triager)
    for report in Report.objects.all():
        assert api.post(f"/api/v1/intake/{report.pk}/accept/", {}, format="json",
                        REMOTE_ADDR="10.9.8.7").status_code == 201
    stored = everything_stored(data_dir)
    for trace in (REPORTER_IP, "198.51.100.23", "ReporterPhone-UNIQUE-AGENT", "reporter-referer", "ru-RU"):
        assert trace not in stored, trace
        assert trace not in caplog.text, trace
    assert not any(trace in str(key) for key in cache._cache for trace in (REPORTER_IP, "198.51.100.23"))
    from evidence.models import CustodyEvent

    intake_entry = CustodyEvent.objects.get(action="intake")
    assert intake_entry.client_ip is None and intake_entry.user_agent == "" and intake_entry.user is None
    for row in Report.history.filter(history_type="+"):
        assert row.history_user is None and row.history_date.minute == 0 and row.history_date.second == 0


def test_throttle_per_address_with_a_clear_message(settings):
    from rest_framework.test import APIClient

    settings.DOCKET_INTAKE_RATE = 2
    first, other = APIClient(REMOTE_ADDR="192.0.2.1"), APIClient(REMOTE_ADDR="192.0.2.2")
    assert [first.post("/api/v1/intake/", REPORT, format="json").status_code for _ in range(2)] == [202, 202]
    refused = first.post("/api/v1/intake/", REPORT, format="json")
    assert refused.status_code == 429
    assert "try again in" in refused.json()["detail"] and "minutes" in refused.json()["detail"]
    assert Report.objects.count() == 2
    assert other.post("/api/v1/intake/", REPORT, format="json").status_code == 202
    # The page answers 429 too, in the reporter's language, and keeps nothing.
    from django.test import Client

    page = Client(REMOTE_ADDR="192.0.2.1").post("/report/?lang=ru", {"location": "x"})
    assert page.status_code == 429 and "Слишком много" in page.content.decode()
    assert Report.objects.count() == 3


def test_the_throttle_keeps_a_keyed_hash_that_expires_with_the_window(settings, monkeypatch):
    import time

    from rest_framework.test import APIClient

    from intake import throttle

    settings.DOCKET_INTAKE_RATE = 1
    settings.DOCKET_INTAKE_WINDOW_SECONDS = 60
    client = APIClient(REMOTE_ADDR="192.0.2.50")
    assert client.post("/api/v1/intake/", REPORT, format="json").status_code == 202
    keys = [k for k in cache._cache if throttle.PREFIX in k]
    assert keys and not any("192.0.2.50" in k for k in keys)
    assert all(cache._expire_info[k] <= time.time() + 61 for k in keys)  # nothing outlives the window
    assert client.post("/api/v1/intake/", REPORT, format="json").status_code == 429
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)  # the next window: a new key, a fresh count
    assert client.post("/api/v1/intake/", REPORT, format="json").status_code == 202


HOSTILE = [
    ("empty.jpg", b"", 400),
    ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, 415),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 60, 415),
    ("script.sh", b"\x7fELF\x02\x01\x01" + b"\x00" * 60, 415),
]


@pytest.mark.parametrize("name, content, status", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused_and_nothing_is_left_on_disk(public, data_dir, name, content, status):
    body = {**REPORT, "consent": "true", "file": SimpleUploadedFile(name, content, "image/jpeg")}
    response = public.post("/api/v1/intake/", body, format="multipart")
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert Report.objects.count() == 0
    assert stored_files(data_dir) == [] and not (data_dir / "intake").exists() or not any(
        p.is_file() for p in (data_dir / "intake").rglob("*"))


def test_too_large_while_streaming_is_413_and_nothing_is_kept(public, data_dir, settings):
    settings.DOCKET_INTAKE_MAX_UPLOAD_BYTES = 1000
    body = {**REPORT, "consent": "true", "file": SimpleUploadedFile("big.png", png_bytes() + b"a" * 2000, "image/png")}
    response = public.post("/api/v1/intake/", body, format="multipart")
    assert response.status_code == 413
    assert Report.objects.count() == 0 and stored_files(data_dir) == []


def test_two_files_are_refused(public, data_dir):
    from django.test.client import encode_multipart

    boundary = "BoUnDaRy"
    body = encode_multipart(boundary, {**{k: str(v) for k, v in REPORT.items()}, "consent": "true"})
    extra = b"".join(
        b"--BoUnDaRy\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
        b"Content-Type: image/png\r\n\r\n" + png_bytes() + b"\r\n" for _ in range(2))
    body = extra + body
    response = public.generic("POST", "/api/v1/intake/", body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert Report.objects.count() == 0 and stored_files(data_dir) == []


def test_a_polyglot_is_kept_as_the_image_it_is_and_never_served_as_a_page(public, triager):
    body = {**REPORT, "consent": "true", "file": SimpleUploadedFile("x.html", POLYGLOT, "text/html")}
    assert public.post("/api/v1/intake/", body, format="multipart").status_code == 202
    report = Report.objects.get()
    assert report.file_media_type == "image/png"
    response = authed(triager).get(f"/api/v1/intake/{report.pk}/file/")
    assert response.status_code == 200
    assert "html" not in response["Content-Type"] and response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
