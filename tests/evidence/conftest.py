"""Evidence test helpers: users in every role on one case, an API client, upload helpers."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import CaseFactory, IncidentFactory, UserFactory, add_member

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def png_bytes(size=(32, 24), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def team(db):
    """A case with one member in each role, plus an outsider."""
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Metro cameras")
    users = {"lead": lead}
    for role in ("lawyer", "researcher", "coordinator", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    users["outsider"] = UserFactory(username="outsider")
    return case, users


@pytest.fixture
def api():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def upload(client, *, content: bytes = b"statement text\n", name: str = "statement.txt", **data):
    payload = {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}
    payload.update({k: v for k, v in data.items() if v is not None})
    return client.post("/api/v1/evidence/", payload, format="multipart")


def stored_files(data_dir: Path) -> list[Path]:
    """Every blob in the evidence folder and every temporary upload left behind."""
    found = [p for p in (data_dir / "evidence").rglob("*") if p.is_file() and ".locks" not in p.parts]
    found += [p for p in (data_dir / "tmp").rglob("*") if p.is_file()]
    return found


@pytest.fixture
def incident_of(db):
    def make(user, cases=()):
        return IncidentFactory(user=user, cases=list(cases))

    return make
