"""A hostile upload corpus: never a 5xx, nothing stored on refusal, nothing ever served as HTML."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import storage
from evidence.models import EvidenceItem
from evidence.uploads import EvidenceUploadHandler, UploadTooLarge, sanitize_filename
from tests.evidence.conftest import png_bytes, stored_files, upload

pytestmark = pytest.mark.django_db

POLYGLOT = png_bytes() + b"<html><body><script>alert(document.cookie)</script></body></html>"
PHP = b"<?php system($_GET['c']); ?>\n"


def zip_bomb(inflated: int = 150 * 1024 * 1024) -> bytes:
    """A .docx-looking zip whose document.xml inflates ~1000:1."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(block)):
                member.write(block)
    return buf.getvalue()


def assert_never_html(client, item_id: int) -> None:
    for path in (f"/api/v1/evidence/{item_id}/download/", f"/evidence/{item_id}/download/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "html" not in response["Content-Type"].lower()
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment")
        b"".join(response.streaming_content)


CORPUS = [
    ("polyglot.html", POLYGLOT, "image/png"),
    ("shell.jpg.php", PHP, "text/plain"),
    ("../../../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "text/plain"),
    ("..\\..\\windows\\win.ini", b"[fonts]\n", "text/plain"),
    ("photo\u202egpj.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, None),
    ("x" * 1000 + ".pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    ("tab\tand\nnewline\r.txt", b"plain\n", "text/plain"),
    ("<img src=x onerror=alert(1)>.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "text/plain"),
]


@pytest.mark.parametrize("name,content,media_type", CORPUS, ids=[c[0][:20] for c in CORPUS])
def test_hostile_names_and_contents_are_stored_safely(team, api, client, data_dir, name, content, media_type):
    case, users = team
    response = upload(api(users["lead"]), content=content, name=name, case=case.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    if media_type:
        assert body["media_type"] == media_type
    shown = body["original_filename"]
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")
    assert all(ord(ch) >= 32 for ch in shown) and "\u202e" not in shown
    assert len(shown) <= 200
    for path in stored_files(data_dir):  # every stored file is inside the evidence folder, content-addressed
        assert path.resolve().is_relative_to((data_dir / "evidence").resolve())
    assert storage.blob_path(body["sha256"]).read_bytes() == content
    client.force_login(users["lead"])
    assert_never_html(client, body["id"])
    page = client.get(f"/evidence/{body['id']}/")
    assert page.status_code == 200
    assert b"<img src=x" not in page.content and b"<script>alert" not in page.content


def test_polyglot_preview_is_a_reencoded_png_without_the_html(team, api, client):
    case, users = team
    body = upload(api(users["lead"]), content=POLYGLOT, name="x.png", case=case.pk).json()
    client.force_login(users["lead"])
    response = client.get(f"/evidence/{body['id']}/preview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content.startswith(b"\x89PNG") and b"<script" not in response.content


def test_long_name_keeps_its_extension():
    assert sanitize_filename("a" * 1000 + ".jpeg").endswith(".jpeg")
    assert len(sanitize_filename("a" * 1000 + ".jpeg")) == 200
    assert sanitize_filename("../..") == "upload"
    assert sanitize_filename("evil\x00.php\x01.jpg") == "evil.php.jpg"
    assert sanitize_filename("C:\\Users\\x\\secret.doc") == "secret.doc"


def test_nul_in_the_name_never_breaks_the_upload(team, api, data_dir):
    case, users = team
    response = upload(api(users["lead"]), content=b"abc", name="evil\x00.php.jpg", case=case.pk)
    assert response.status_code == 201
    assert response.json()["original_filename"] == "evil.php.jpg"
    assert response.json()["media_type"] == "text/plain"


def test_empty_file_is_400_and_nothing_is_stored(team, api, data_dir):
    case, users = team
    response = upload(api(users["lead"]), content=b"", name="empty.txt", case=case.pk)
    assert response.status_code == 400
    assert "empty" in response.json()["detail"].lower()
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []


def test_over_the_limit_while_streaming_is_413_and_nothing_is_stored(team, api, data_dir, settings):
    case, users = team
    settings.DOCKET_MAX_UPLOAD_BYTES = 1000
    response = upload(api(users["lead"]), content=b"a" * 1001, case=case.pk)
    assert response.status_code == 413
    assert response.json()["detail"]
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []
    assert upload(api(users["lead"]), content=b"a" * 1000, case=case.pk).status_code == 201


def test_declared_length_over_the_limit_is_refused_before_reading(team, api, data_dir, settings):
    case, users = team
    settings.DOCKET_MAX_UPLOAD_BYTES = 1000
    client = api(users["lead"])
    response = upload(client, content=b"b" * (400 * 1024), case=case.pk)
    assert response.status_code == 413
    assert stored_files(data_dir) == []


def test_body_without_content_length_stores_nothing(team, api, data_dir, settings):
    """A chunked body with no Content-Length is never taken as an upload past the limit."""
    case, users = team
    settings.DOCKET_MAX_UPLOAD_BYTES = 1000
    boundary = "XyZ"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{case.pk}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + b"z" * 5000 + f"\r\n--{boundary}--\r\n".encode()
    client = api(users["lead"])
    response = client.generic("POST", "/api/v1/evidence/", body, content_type=f"multipart/form-data; boundary={boundary}",
                              CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code in (400, 411, 413)
    assert stored_files(data_dir) == []


def test_the_handler_counts_bytes_whatever_the_headers_say(settings, data_dir):
    settings.DOCKET_MAX_UPLOAD_BYTES = 10
    handler = EvidenceUploadHandler(None)
    handler.handle_raw_input(None, {}, None, b"x")
    try:
        handler.new_file("file", "a.bin", "application/octet-stream", None)
    except Exception as exc:  # StopFutureHandlers
        assert type(exc).__name__ == "StopFutureHandlers"
    handler.receive_data_chunk(b"123456", 0)
    with pytest.raises(UploadTooLarge):
        handler.receive_data_chunk(b"123456", 6)
    assert list((data_dir / "tmp").iterdir()) == []


def test_two_files_in_one_upload_are_refused(team, api, data_dir):
    case, users = team
    payload = {"file": [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")], "case": case.pk}
    response = api(users["lead"]).post("/api/v1/evidence/", payload, format="multipart")
    assert response.status_code == 400
    assert stored_files(data_dir) == []


def test_page_upload_over_the_limit_is_413_and_stores_nothing(team, client, data_dir, settings):
    case, users = team
    settings.DOCKET_MAX_UPLOAD_BYTES = 100
    client.force_login(users["lead"])
    response = client.post(f"/evidence/upload/?case={case.pk}",
                           {"file": SimpleUploadedFile("a.txt", b"q" * 500)}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 413
    assert stored_files(data_dir) == []


@pytest.mark.slow
def test_zip_bomb_disguised_as_docx_is_stored_but_never_inflated(team, api, data_dir, django_capture_on_commit_callbacks):
    case, users = team
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api(users["lead"]), content=bomb, name="contract.docx", case=case.pk)
    assert response.status_code == 201
    item = EvidenceItem.objects.get(pk=response.json()["id"])
    assert item.extraction_state == "failed"
    assert "zip bomb" in item.extraction_error
    assert item.extracted_text == ""


class Truncated:
    """A request body that ends (or breaks) before its declared Content-Length."""

    def __init__(self, data: bytes, fail: bool) -> None:
        self.data, self.fail, self.pos = data, fail, 0

    def read(self, size=-1):
        if self.pos >= len(self.data):
            if self.fail:
                raise OSError("connection reset by peer")
            return b""
        size = len(self.data) - self.pos if size is None or size < 0 else size
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk

    readline = read


@pytest.mark.parametrize("fail", [False, True], ids=["ends-early", "connection-reset"])
def test_interrupted_upload_stores_nothing(team, api, data_dir, fail):
    case, users = team
    boundary = "CutShort"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{case.pk}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.bin\"\r\n\r\n"
    ).encode()
    body = head + b"k" * 300_000
    response = api(users["lead"]).generic(
        "POST", "/api/v1/evidence/", b"", CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(len(body) + 500_000), **{"wsgi.input": Truncated(body, fail)},
    )
    assert 400 <= response.status_code < 500
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []
