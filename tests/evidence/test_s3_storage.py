"""Evidence on S3-compatible object storage (``DOCKET_STORAGE=s3``), over HTTP against moto's standalone server:
upload (hashed while it streams in, content-addressed, write-once), download with re-hash, verify (and tampering
caught), extraction, the court bundle, templates, orphans. Nothing lands in the local evidence folder."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from evidence import storage
from evidence.models import CustodyEvent, EvidenceItem
from tests.evidence.conftest import png_bytes, upload
from tests.servers import bucket_keys

pytestmark = pytest.mark.django_db


def local_blobs(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "evidence").rglob("*") if p.is_file() and ".locks" not in p.parts]


def key_of(sha: str) -> str:
    return f"evidence/{sha[:2]}/{sha[2:4]}/{sha}"


def test_upload_stores_the_bytes_in_the_bucket_under_their_digest(s3, team, api, data_dir):
    client, bucket = s3
    case, users = team
    content = png_bytes()
    response = upload(api(users["researcher"]), content=content, name="camera.png", case=case.pk)
    assert response.status_code == 201, response.content
    sha = response.json()["sha256"]
    assert sha == hashlib.sha256(content).hexdigest()
    assert bucket_keys(client, bucket) == [key_of(sha)]
    assert client.get_object(Bucket=bucket, Key=key_of(sha))["Body"].read() == content
    assert local_blobs(data_dir) == []  # nothing on the local disk …
    assert list((data_dir / "tmp").iterdir()) == []  # … and no temporary file left behind
    assert storage.blob_exists(sha) and storage.blob_size(sha) == len(content)


def test_same_bytes_are_one_object_and_an_existing_key_is_never_overwritten(s3, team, api, monkeypatch):
    client, bucket = s3
    case, users = team
    first = upload(api(users["lead"]), content=b"same bytes", case=case.pk).json()
    second = upload(api(users["lead"]), content=b"same bytes", case=case.pk).json()
    assert first["sha256"] == second["sha256"] and second["duplicate_of"] == first["id"]
    assert bucket_keys(client, bucket) == [key_of(first["sha256"])]
    detail = CustodyEvent.objects.get(item_id=second["id"], action="uploaded").detail
    assert detail["stored_new_blob"] is False

    # Two machines racing for one key: the HEAD says "absent" to both; the conditional PUT lets only one win.
    store = storage.blob_storage()
    monkeypatch.setattr(type(store), "exists", lambda self, name: False)
    spooled = storage.spool(io.BytesIO(b"impostor bytes"))
    spooled.sha256 = first["sha256"]  # pretend other bytes claim the stored digest
    assert storage.place(spooled) is False
    body = client.get_object(Bucket=bucket, Key=key_of(first["sha256"]))["Body"].read()
    assert body == b"same bytes"


def test_large_files_go_up_in_parts_and_keep_write_once(s3, tmp_path, monkeypatch):
    client, bucket = s3
    store = storage.blob_storage()
    monkeypatch.setattr(type(store), "single_put_limit", 1024 * 1024)
    monkeypatch.setattr(type(store), "part_size", 5 * 1024 * 1024)
    content = bytes(range(256)) * (45 * 1024)  # 11.25 MiB: three parts
    spooled = storage.spool(io.BytesIO(content))
    assert storage.place(spooled) is True
    with storage.open_blob(spooled.sha256) as fh:
        assert storage.hash_stream(fh) == (hashlib.sha256(content).hexdigest(), len(content))
    monkeypatch.setattr(type(store), "exists", lambda self, name: False)
    again = storage.spool(io.BytesIO(b"x" * (2 * 1024 * 1024)))
    again.sha256 = spooled.sha256
    assert storage.place(again) is False  # the multipart completion is conditional too
    assert client.head_object(Bucket=bucket, Key=key_of(spooled.sha256))["ContentLength"] == len(content)


def test_download_streams_the_exact_bytes_and_records_custody(s3, team, api):
    case, users = team
    content = bytes(range(256)) * 4000
    body = upload(api(users["lead"]), content=content, name="recording.bin", case=case.pk).json()
    response = api(users["observer"]).get(f"/api/v1/evidence/{body['id']}/download/",
                                          HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data == content
    assert hashlib.sha256(data).hexdigest() == response["X-Docket-SHA256"] == body["sha256"]
    assert int(response["Content-Length"]) == len(content)
    event = CustodyEvent.objects.filter(item_id=body["id"]).order_by("-seq").first()
    assert (event.action, event.username) == ("downloaded", "observer")
    # The page download too, and an outsider still gets nothing.
    assert api(users["outsider"]).get(f"/api/v1/evidence/{body['id']}/download/").status_code == 404


def test_verify_rehashes_the_object_and_catches_tampering_in_the_bucket(s3, team, api):
    client, bucket = s3
    case, users = team
    body = upload(api(users["lead"]), content=b"witness statement\n", case=case.pk).json()
    ok = api(users["observer"]).post(f"/api/v1/evidence/{body['id']}/verify/").json()
    assert ok["ok"] is True and ok["actual_sha256"] == body["sha256"]
    # Someone with bucket access replaces the object (bypassing Docket's write-once put).
    client.put_object(Bucket=bucket, Key=key_of(body["sha256"]), Body=b"witness statement, edited\n")
    bad = api(users["observer"]).post(f"/api/v1/evidence/{body['id']}/verify/").json()
    assert bad["ok"] is False
    assert "the stored file does not match its digest" in bad["problems"]
    client.delete_object(Bucket=bucket, Key=key_of(body["sha256"]))
    gone = api(users["observer"]).post(f"/api/v1/evidence/{body['id']}/verify/").json()
    assert "the stored file is missing" in gone["problems"]
    assert api(users["lead"]).get(f"/api/v1/evidence/{body['id']}/download/").status_code == 404


def test_extraction_reads_the_object_through_a_temporary_copy(s3, team, api, data_dir, django_capture_on_commit_callbacks):
    case, users = team
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api(users["lead"]), content="Протокол задержания на станции Парк культуры\n".encode(),
                      name="protocol.txt", case=case.pk).json()
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.extraction_state == "done", item.extraction_error
    assert "Парк культуры" in item.extracted_text
    assert list((data_dir / "tmp").iterdir()) == []  # the temporary copy is gone


def test_the_bundle_streams_every_exhibit_from_the_bucket(s3, team, api):
    case, users = team
    contents = [b"first exhibit", png_bytes(), bytes(range(256)) * 100]
    for i, content in enumerate(contents):
        assert upload(api(users["lead"]), content=content, name=f"e{i}.bin", case=case.pk).status_code == 201
    response = api(users["coordinator"]).get(f"/api/v1/cases/{case.pk}/bundle.zip", HTTP_ACCEPT="application/zip")
    assert response.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    exhibits = sorted(n for n in zf.namelist() if n.startswith("exhibits/"))
    assert [zf.read(n) for n in exhibits] == contents
    sums = dict(line.split("  ")[::-1] for line in zf.read("SHA256SUMS").decode().splitlines())
    assert all(hashlib.sha256(zf.read(n)).hexdigest() == sums[n] for n in exhibits)


def test_orphans_are_found_and_removed_in_the_bucket(s3, team, api):
    client, bucket = s3
    case, users = team
    kept = upload(api(users["lead"]), content=b"kept", case=case.pk).json()
    stray = storage.spool(io.BytesIO(b"stray bytes"))
    assert storage.place(stray) is True
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("evidence_orphans", stdout=out)
    assert f"blob without item: {storage.blob_name(stray.sha256)}" in out.getvalue()
    call_command("evidence_orphans", "--delete", stdout=io.StringIO())
    assert bucket_keys(client, bucket) == [key_of(kept["sha256"])]


def test_templates_live_in_the_bucket_too(s3, team, api, data_dir):
    from tests.documents.conftest import docx_bytes
    from tests.documents.test_templates import fill
    from tests.documents.test_templates import upload as upload_template

    client, bucket = s3
    case, users = team
    answer = upload_template(api(users["coordinator"]), case, docx_bytes("Case: {{ case.title }}"))
    assert answer.status_code == 201, answer.content
    sha = answer.json()["sha256"]
    assert bucket_keys(client, bucket, "templates/") == [f"templates/{sha}.docx"]
    assert list((data_dir / "templates").iterdir()) == []
    filled = fill(api(users["coordinator"]), case, answer.json()["id"], language="en")
    assert filled.status_code == 200, filled.content[:300]
    # A template changed in the bucket is refused, as on disk.
    client.put_object(Bucket=bucket, Key=f"templates/{sha}.docx", Body=docx_bytes("{{ case.reference }}"))
    assert fill(api(users["coordinator"]), case, answer.json()["id"], language="en").status_code == 400


def test_previews_read_from_the_bucket(s3, team, api, client):
    from PIL import Image

    from tests.evidence.test_extraction import make_pdf

    case, users = team
    image_pk = upload(api(users["lead"]), content=png_bytes((40, 30)), name="p.png", case=case.pk).json()["id"]
    pdf_pk = upload(api(users["lead"]), content=make_pdf("hello"), name="r.pdf", case=case.pk).json()["id"]
    client.force_login(users["observer"])
    thumb = client.get(f"/evidence/{image_pk}/preview/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(thumb.content)).size == (40, 30)
    pdf = client.get(f"/evidence/{pdf_pk}/preview/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert CustodyEvent.objects.filter(action="previewed").count() == 2
