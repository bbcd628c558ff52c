"""manage.py evidence_orphans both ways, extract_evidence, and concurrent uploads numbering exhibits."""
from __future__ import annotations

import io
import os
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from evidence import services, storage
from evidence.models import CaseExhibit, EvidenceItem
from tests.evidence.conftest import stored_files, upload


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_orphans_both_ways(team, api, data_dir):
    case, users = team
    kept = upload(api(users["lead"]), content=b"kept", case=case.pk).json()
    lost = upload(api(users["lead"]), content=b"lost", case=case.pk).json()
    assert run("evidence_orphans")[0] == 0
    os.unlink(storage.blob_path(lost["sha256"]))
    stray = storage.spool(io.BytesIO(b"stray bytes"))
    storage.place(stray)
    code, output = run("evidence_orphans")
    assert code == 1
    assert f"item without blob: #{lost['id']}" in output and stray.sha256 in output
    code, output = run("evidence_orphans", "--delete")
    assert not storage.blob_exists(stray.sha256)
    assert storage.blob_exists(kept["sha256"])
    item = EvidenceItem.objects.get(pk=lost["id"])
    assert item.deleted_at is not None  # trashed, never destroyed
    assert item.custody_events.order_by("-seq").first().action == "trashed"


@pytest.mark.django_db
def test_extract_evidence_command(team, api):
    case, users = team
    pk = upload(api(users["lead"]), content="Текст показаний".encode(), case=case.pk).json()["id"]
    assert EvidenceItem.objects.get(pk=pk).extraction_state == "pending"
    code, output = run("extract_evidence", "--pending")
    assert code == 0 and f"#{pk}: done" in output
    assert "показаний" in EvidenceItem.objects.get(pk=pk).extracted_text


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_never_share_an_exhibit_number(team, data_dir):
    """Threads upload to one case at once; the row lock on the case gives each a distinct number.
    (SQLite's in-memory test database locks whole tables instead of waiting, so this runs on PostgreSQL.)"""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database (CI runs the suite on PostgreSQL too)")
    case, users = team
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(3):
                services.evidence_upload(
                    user=users["lead"], case=case,
                    uploaded_file=SimpleUploadedFile(f"{n}-{i}.txt", f"thread {n} item {i}".encode()),
                )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(CaseExhibit.objects.filter(case=case).values_list("number", flat=True))
    assert numbers == list(range(1, 13))
    assert len(stored_files(data_dir)) == 12
