"""The restore drill: back up a site, wipe it (a new machine: empty database, empty data folder, a different key),
restore, and find every row, every stored file and every custody chain as they were, and search working again.
Runs on the suite's database (SQLite; PostgreSQL in .ci/run's second pass) and with evidence on S3.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from rest_framework.test import APIClient

from config.keys import KEY_FILE_NAME
from evidence import storage
from evidence.models import CustodyEvent, CustodyHead, EvidenceItem
from evidence.services import evidence_check
from ops.backup import backup_create
from ops.restore import backup_restore, instance_contents
from tests.ops.conftest import all_counts, wipe_to_new_instance
from tests.servers import bucket_keys, s3_client


def drill(settings, tmp_path: Path, site: dict, *, passphrase: str | None = None, new_bucket=None) -> dict:
    before = all_counts()
    heads = sorted(CustodyHead.objects.values_list("item_id", "seq", "entry_hash", "seal"))
    blobs = sorted(set(EvidenceItem.objects.values_list("sha256", flat=True)))
    old_key = (Path(settings.DATA_DIR) / KEY_FILE_NAME).read_text()
    archive = tmp_path / "site.docket"
    from intake import storage as intake_storage
    from intake.models import Report

    pending = Report.objects.exclude(file_sha256="").get(status=Report.Status.NEW)
    assert intake_storage.exists(pending.file_sha256)
    report = backup_create(output=str(archive), passphrase=passphrase, progress=False, stream=io.StringIO())
    assert report.files == len(blobs) + 2  # the evidence blobs, the template and the waiting report's file
    assert report.evidence_items == len(site["items"])

    wipe_to_new_instance(settings, tmp_path)
    if new_bucket:
        new_bucket()
    assert not any(instance_contents().values())
    assert (Path(settings.DATA_DIR) / KEY_FILE_NAME).read_text() != old_key
    with pytest.raises(Exception):
        storage.open_blob(blobs[0]).close()
    assert not intake_storage.exists(pending.file_sha256)

    log = io.StringIO()
    restored = backup_restore(source=str(archive), passphrase=lambda: passphrase, progress=True, stream=log)
    assert all_counts() == before  # every table, row for row
    with intake_storage.open_file(pending.file_sha256) as fh:  # the report can still be triaged
        assert hashlib.sha256(fh.read()).hexdigest() == pending.file_sha256
    assert sorted(CustodyHead.objects.values_list("item_id", "seq", "entry_hash", "seal")) == heads
    for item in EvidenceItem.objects.all():
        assert evidence_check(item)["ok"], item.pk
    assert (Path(settings.DATA_DIR) / KEY_FILE_NAME).read_text() == old_key
    assert settings.SECRET_KEY == old_key.strip()
    assert restored.files == report.files and "Indexed" in restored.indexed
    assert "100%" in log.getvalue()  # progress was shown
    # Search works again, through the permission filter, for a member of the case.
    client = APIClient()
    client.force_authenticate(site["users"]["lawyer"])
    found = client.get("/api/v1/search/", {"q": "Парк культуры"}).json()
    assert found["count"] >= 1, found
    return {"archive": archive, "blobs": blobs}


def test_restore_drill_on_this_database(settings, tmp_path, site):
    result = drill(settings, tmp_path, site)
    for sha in result["blobs"]:
        assert storage.blob_path(sha).is_file()
    # The restored site keeps working: a new upload gets the next id and a chain of its own.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.services import evidence_upload

    item = evidence_upload(user=site["users"]["lead"], uploaded_file=SimpleUploadedFile("n.txt", b"new after restore"),
                           case=site["case"].pk)
    assert item.pk > max(i.pk for i in site["items"])
    assert evidence_check(item)["ok"]


def test_restore_drill_encrypted(settings, tmp_path, site):
    drill(settings, tmp_path, site, passphrase="a long passphrase for the drill")


def test_restore_drill_with_evidence_on_s3(settings, tmp_path, s3_endpoint, s3, site):
    client, bucket = s3
    assert len(bucket_keys(client, bucket, "evidence/")) == 3  # four items, two of them the same bytes
    new = {}

    def new_bucket():
        new["bucket"] = bucket + "-new"
        s3_client(s3_endpoint).create_bucket(Bucket=new["bucket"])
        for alias in ("evidence", "templates"):
            options = {**settings.STORAGES[alias]["OPTIONS"], "bucket_name": new["bucket"]}
            settings.STORAGES = {**settings.STORAGES, alias: {**settings.STORAGES[alias], "OPTIONS": options}}

    result = drill(settings, tmp_path, site, new_bucket=new_bucket)
    keys = bucket_keys(client, new["bucket"])
    assert [k for k in keys if k.startswith("evidence/")] == sorted(
        f"evidence/{s[:2]}/{s[2:4]}/{s}" for s in result["blobs"])
    assert len([k for k in keys if k.startswith("templates/")]) == 1
    local = [p for p in Path(django_settings.EVIDENCE_DIR).rglob("*") if p.is_file() and ".locks" not in p.parts]
    assert local == []


def test_restore_refuses_a_non_empty_instance_and_changes_nothing(settings, tmp_path, site):
    archive = tmp_path / "a.docket"
    backup_create(output=str(archive), progress=False, stream=io.StringIO())
    before = all_counts()
    with pytest.raises(Exception) as refused:
        call_command("restore", str(archive), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert "not empty" in str(refused.value) and "users: 5" in str(refused.value)
    assert all_counts() == before


def test_commands_write_and_restore_an_archive_with_progress(settings, tmp_path, site):
    archive = tmp_path / "cmd.docket"
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out, stderr=err)
    assert "Backup written to" in out.getvalue() and "NOT encrypted" in out.getvalue()
    assert "backup" in err.getvalue() and "100%" in err.getvalue()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(Exception, match="already exists"):
        call_command("backup", "--output", str(archive), stdout=io.StringIO(), stderr=io.StringIO())
    wipe_to_new_instance(settings, tmp_path)
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(archive), stdout=out, stderr=err)
    assert "every one verified" in out.getvalue()
    assert "DOCKET_IDENTITY_KEY is not in the archive" in out.getvalue()
    assert "verify" in err.getvalue() and "100%" in err.getvalue()
    assert CustodyEvent.objects.count() > 0


def test_a_damaged_blob_stops_the_backup_and_leaves_no_archive(settings, tmp_path, site):
    sha = site["items"][1].sha256
    path = storage.blob_path(sha)
    path.chmod(0o640)
    path.write_bytes(b"x" + path.read_bytes()[1:])
    archive = tmp_path / "bad.docket"
    with pytest.raises(Exception, match="no longer matches its digest"):
        backup_create(output=str(archive), progress=False, stream=io.StringIO())
    assert list(tmp_path.glob("bad.docket*")) == []


def test_the_archive_is_never_in_clear_when_encrypted(settings, tmp_path, site):
    archive = tmp_path / "enc.docket"
    backup_create(output=str(archive), passphrase="correct horse battery staple", progress=False,
                  stream=io.StringIO())
    data = archive.read_bytes()
    assert data.startswith(b"DKTENC01")
    for needle in (b"Ivan Secretov", "Парк культуры".encode(), b"manifest.json", site["items"][0].sha256.encode(),
                   (Path(settings.DATA_DIR) / KEY_FILE_NAME).read_bytes().strip()):
        assert needle not in data
    assert hashlib.sha256(data).hexdigest()  # (the bytes exist; nothing else is readable)


def test_writes_while_the_snapshot_is_taken_stay_out_of_it(settings, tmp_path, site, monkeypatch):
    """The snapshot is one instant: a user created by the site between two tables of the dump (PostgreSQL: after
    the first table's COPY) is in neither the manifest's counts nor the data, and the archive restores."""
    from django.contrib.auth import get_user_model

    from ops import dbsnapshot
    from tests.factories import UserFactory

    User = get_user_model()
    before = User.objects.count()
    seal = dbsnapshot.Member.seal
    late = []

    def seal_then_write(member):
        if not late:
            late.append(UserFactory(username="late-arrival"))  # committed by the site's own connection
        return seal(member)

    monkeypatch.setattr(dbsnapshot.Member, "seal", seal_then_write)
    archive = tmp_path / "during.docket"
    backup_create(output=str(archive), progress=False, stream=io.StringIO())
    monkeypatch.undo()
    assert late and User.objects.count() == before + 1
    wipe_to_new_instance(settings, tmp_path)
    backup_restore(source=str(archive), progress=False, stream=io.StringIO())
    assert User.objects.count() == before
    assert not User.objects.filter(username="late-arrival").exists()
