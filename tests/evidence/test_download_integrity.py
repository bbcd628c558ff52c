"""Downloads re-hash the stored bytes as they stream: a file that no longer matches its digest is never served whole
under ``X-Docket-SHA256``. The last block is held back until the digest is checked; on a mismatch the transfer is
cut (the client gets less than Content-Length, or a 409 when nothing was sent yet) and an ``integrity_failed``
custody entry records it. API download, page download and page preview alike."""
from __future__ import annotations

import http.client
import os

import pytest
from django.test import Client

from evidence import storage
from evidence.models import CustodyEvent, EvidenceItem
from tests.evidence.conftest import png_bytes, upload

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
BIG = bytes(range(256)) * (5 * MIB // 512) + b"tail of the statement\n"  # 2.5 MiB: three blocks


def _item(api, team, content: bytes, name: str = "statement.bin") -> EvidenceItem:
    case, users = team
    response = upload(api(users["lead"]), content=content, name=name, case=case.pk, restricted="true")
    assert response.status_code == 201, response.content
    return EvidenceItem.objects.get(pk=response.json()["id"])


def tamper(item: EvidenceItem, *, at: int | None = None, append: bytes = b"", truncate: int | None = None) -> None:
    """Change the stored, read-only file in place (as someone with access to the disk could)."""
    path = storage.blob_path(item.sha256)
    os.chmod(path, 0o640)
    with open(path, "r+b") as fh:
        if at is not None:
            fh.seek(at)
            byte = fh.read(1)
            fh.seek(at)
            fh.write(bytes([byte[0] ^ 0x20]))
        if append:
            fh.seek(0, os.SEEK_END)
            fh.write(append)
        if truncate is not None:
            fh.truncate(truncate)
    os.chmod(path, 0o440)


def _consume(response) -> tuple[bytes, BaseException | None]:
    received = bytearray()
    try:
        for chunk in response.streaming_content:
            received += chunk
    except storage.IntegrityMismatch as exc:
        return bytes(received), exc
    return bytes(received), None


def _actions(item) -> list[str]:
    return list(CustodyEvent.objects.filter(item=item).order_by("seq").values_list("action", flat=True))


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("where", ["api", "page"])
@pytest.mark.parametrize("flip_at", [10, 2 * MIB + 5, len(BIG) - 1], ids=["first-block", "last-block", "last-byte"])
def test_a_changed_file_is_cut_short_and_recorded(team, api, where, flip_at):
    _, users = team
    item = _item(api, team, BIG)
    url = f"/api/v1/evidence/{item.pk}/download/" if where == "api" else f"/evidence/{item.pk}/download/"
    client = api(users["researcher"]) if where == "api" else _page(users["researcher"])

    intact = client.get(url)  # first, intact: the exact bytes, the digest, a custody entry
    assert intact.status_code == 200 and intact["X-Docket-SHA256"] == item.sha256
    assert intact["Content-Length"] == str(len(BIG)) and intact["X-Content-Type-Options"] == "nosniff"
    assert intact["Content-Disposition"].startswith("attachment")
    body, error = _consume(intact)
    assert error is None and body == BIG
    assert _actions(item)[-1] == "downloaded"

    tamper(item, at=flip_at)
    response = client.get(url)
    assert response.status_code == 200  # the headers went out before the end of the file was read
    body, error = _consume(response)
    assert isinstance(error, storage.IntegrityMismatch) and error.reason == "digest"
    assert len(body) < len(BIG) and len(body) <= len(BIG) - MIB // 2  # the last block never left
    assert body == BIG[:len(body)] or flip_at < len(body)
    event = CustodyEvent.objects.filter(item=item).order_by("-seq").first()
    assert event.action == "integrity_failed" and event.username == "researcher"
    assert event.detail["during"] == "download" and event.detail["ok"] is False
    assert event.detail["expected_sha256"] == item.sha256 and event.sha256 == event.detail["actual_sha256"] != item.sha256
    assert event.detail["delivered_bytes"] == len(body)
    assert _actions(item)[-2:] == ["downloaded", "integrity_failed"]
    result = api(users["lead"]).post(f"/api/v1/evidence/{item.pk}/verify/").json()
    assert result["file_ok"] is False and result["custody_ok"] is True  # the chain holds the failure, intact


@pytest.mark.parametrize("where", ["api", "page"])
def test_a_small_changed_file_is_refused_before_the_first_byte(team, api, where):
    _, users = team
    item = _item(api, team, b"short statement\n" * 100)
    tamper(item, at=3)
    url = f"/api/v1/evidence/{item.pk}/download/" if where == "api" else f"/evidence/{item.pk}/download/"
    client = api(users["lead"]) if where == "api" else _page(users["lead"])
    response = client.get(url)
    assert response.status_code == 409
    assert "X-Docket-SHA256" not in response and b"short statement" not in response.content
    if where == "api":
        assert "no longer matches" in response.json()["detail"]
    assert _actions(item)[-1] == "integrity_failed" and "downloaded" not in _actions(item)


@pytest.mark.parametrize("change", [{"append": b"extra"}, {"truncate": MIB}], ids=["grown", "shrunk"])
@pytest.mark.parametrize("where", ["api", "page"])
def test_a_file_of_the_wrong_size_is_refused_before_the_first_byte(team, api, where, change):
    _, users = team
    item = _item(api, team, BIG)
    tamper(item, **change)
    url = f"/api/v1/evidence/{item.pk}/download/" if where == "api" else f"/evidence/{item.pk}/download/"
    client = api(users["lead"]) if where == "api" else _page(users["lead"])
    response = client.get(url)
    assert response.status_code == 409
    event = CustodyEvent.objects.filter(item=item).order_by("-seq").first()
    assert event.action == "integrity_failed" and event.detail["reason"] == "size"
    assert event.detail["actual_size"] != item.size and event.detail["delivered_bytes"] == 0


def test_previews_check_the_bytes_too(team, api):
    _, users = team
    pdf = b"%PDF-1.4\n" + BIG + b"\n%%EOF\n"
    pdf_item = _item(api, team, pdf, name="scan.pdf")
    image_item = _item(api, team, png_bytes(), name="photo.png")
    page = _page(users["coordinator"])
    preview = page.get(f"/evidence/{pdf_item.pk}/preview/")
    assert preview.status_code == 200 and _consume(preview) == (pdf, None)
    assert page.get(f"/evidence/{image_item.pk}/preview/").status_code == 200

    tamper(pdf_item, at=len(pdf) - 3)
    body, error = _consume(page.get(f"/evidence/{pdf_item.pk}/preview/"))
    assert isinstance(error, storage.IntegrityMismatch) and len(body) < len(pdf)
    event = CustodyEvent.objects.filter(item=pdf_item).order_by("-seq").first()
    assert (event.action, event.detail["during"]) == ("integrity_failed", "preview")

    tamper(image_item, at=40)
    assert page.get(f"/evidence/{image_item.pk}/preview/").status_code == 409
    assert _actions(image_item)[-1] == "integrity_failed"


@pytest.mark.django_db(transaction=True)
def test_a_real_http_client_sees_an_incomplete_body(live_server, team, api):
    """Over a socket: the announced Content-Length is not reached, so no client mistakes the body for complete.
    (A server that keeps the connection open after the error leaves the client waiting instead: never complete.)"""
    _, users = team
    item = _item(api, team, BIG)
    page = _page(users["lead"])
    host, port = live_server.url.split("//", 1)[1].split(":")

    def fetch() -> tuple[int, int, int | None, bool]:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", f"/evidence/{item.pk}/download/",
                     headers={"Cookie": f"sessionid={page.cookies['sessionid'].value}", "Connection": "close"})
        response = conn.getresponse()
        announced = response.getheader("Content-Length")
        try:
            body = response.read()
            complete = True
        except http.client.IncompleteRead as exc:
            body, complete = exc.partial, False
        conn.close()
        return response.status, len(body), int(announced) if announced else None, complete

    assert fetch() == (200, len(BIG), len(BIG), True)
    tamper(item, at=len(BIG) - 10)
    status, received, announced, complete = fetch()
    assert status == 200 and announced == len(BIG)
    assert not complete and received < len(BIG)
    assert _actions(item)[-1] == "integrity_failed"
