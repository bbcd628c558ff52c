"""What restore refuses — and that a refusal leaves the instance exactly as empty as it was: no rows, no stored file
(blobs this restore had already put are removed again), no key file replaced."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.db import connection

from config.keys import KEY_FILE_NAME
from evidence import storage
from ops.backup import backup_create
from ops.restore import RestoreError, backup_restore, instance_contents
from tests.ops.conftest import read_archive, rewrite, wipe_to_new_instance, write_archive


@pytest.fixture
def archive(settings, tmp_path, site):
    path = tmp_path / "site.docket"
    backup_create(output=str(path), progress=False, stream=io.StringIO())
    wipe_to_new_instance(settings, tmp_path)
    return path


def stored_anything() -> bool:
    return any(True for _ in storage.iter_blobs())


def refuse(settings, path: Path, match: str, *, passphrase=None) -> None:
    key_before = (Path(settings.DATA_DIR) / KEY_FILE_NAME).read_text()
    with pytest.raises(RestoreError, match=match):
        backup_restore(source=str(path), passphrase=lambda: passphrase, progress=False, stream=io.StringIO())
    assert not any(instance_contents().values())
    assert not stored_anything()
    assert (Path(settings.DATA_DIR) / KEY_FILE_NAME).read_text() == key_before
    assert list(Path(settings.UPLOAD_TMP_DIR).iterdir()) == []


def test_a_changed_blob_is_refused(settings, tmp_path, archive):
    def flip(name, data):
        return (b"X" + data[1:]) if name.startswith("files/evidence/") else data

    refuse(settings, rewrite(archive, tmp_path / "x.docket", member=flip), "does not match its SHA-256")


def test_a_changed_database_is_refused(settings, tmp_path, archive):
    def flip(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("database/") else data

    refuse(settings, rewrite(archive, tmp_path / "x.docket", member=flip), "does not match its SHA-256")


def test_a_missing_member_is_refused_and_the_blobs_already_stored_are_removed(settings, tmp_path, archive):
    names = [info.name for info, _ in read_archive(archive)]
    last_file = [n for n in names if n.startswith("files/")][-1]
    cut = rewrite(archive, tmp_path / "x.docket", drop=lambda name: name == last_file)
    refuse(settings, cut, "incomplete")


def test_a_member_the_manifest_does_not_list_is_refused(settings, tmp_path, archive):
    members = read_archive(archive)
    info, data = members[-1]
    import copy

    extra = copy.copy(info)
    extra.name = "files/evidence/../../../etc/passwd"
    refuse(settings, write_archive(tmp_path / "x.docket", [*members, (extra, b"root")]), "does not list")


def test_a_truncated_archive_is_refused(settings, tmp_path, archive):
    data = archive.read_bytes()
    cut = tmp_path / "cut.docket"
    cut.write_bytes(data[: len(data) // 2])
    refuse(settings, cut, "damaged|incomplete|cut short")


def test_row_counts_that_differ_from_the_manifest_are_refused(settings, tmp_path, archive):
    def more_users(doc):
        doc["database"]["tables"]["auth_user"]["rows"] += 1

    refuse(settings, rewrite(archive, tmp_path / "x.docket", manifest=more_users), "auth_user: 5 rows restored")


def test_custody_heads_that_differ_from_the_manifest_are_refused(settings, tmp_path, archive):
    def other_head(doc):
        first = sorted(doc["custody_heads"], key=int)[0]
        doc["custody_heads"][first][1] = "0" * 64

    refuse(settings, rewrite(archive, tmp_path / "x.docket", manifest=other_head), "custody chain heads differ")


def test_a_forged_custody_entry_is_refused(settings, tmp_path, site):
    """An entry edited in the database before the backup: the archive is consistent, the chain is not."""
    from evidence.models import CustodyEvent

    event = CustodyEvent.objects.filter(action="downloaded").first()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CustodyEvent._meta.db_table} SET username = %s WHERE id = %s", ["nobody", event.pk])
    path = tmp_path / "forged.docket"
    backup_create(output=str(path), progress=False, stream=io.StringIO())
    wipe_to_new_instance(settings, tmp_path)
    refuse(settings, path, "content was changed")


def test_another_custody_key_is_refused_with_advice(settings, tmp_path, site):
    path = tmp_path / "k.docket"
    backup_create(output=str(path), progress=False, stream=io.StringIO())
    wipe_to_new_instance(settings, tmp_path)
    settings.DOCKET_CUSTODY_KEY = "a-different-custody-key-" + "k" * 40
    refuse(settings, path, "custody key of the site that was backed up")


def test_another_engine_or_schema_is_refused(settings, tmp_path, archive):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    refuse(settings, rewrite(archive, tmp_path / "e.docket", manifest=lambda d: d.update(engine=other)),
           f"holds a {other} database")

    def newer(doc):
        doc["database"]["migrations"].append(["evidence", "9999_future"])

    refuse(settings, rewrite(archive, tmp_path / "m.docket", manifest=newer), "evidence.9999_future")


def test_not_a_backup_is_refused(settings, tmp_path, archive):
    junk = tmp_path / "junk.docket"
    junk.write_bytes(b"hello, not a tar file" * 100)
    refuse(settings, junk, "not a Docket backup")
    wrong_format = rewrite(archive, tmp_path / "f.docket", manifest=lambda d: d.update(format="other"))
    refuse(settings, wrong_format, "not a Docket backup")


def test_encrypted_archives_need_the_right_passphrase(settings, tmp_path, site):
    path = tmp_path / "enc.docket"
    backup_create(output=str(path), passphrase="the right passphrase", progress=False, stream=io.StringIO())
    wipe_to_new_instance(settings, tmp_path)
    refuse(settings, path, "encrypted: give its passphrase")
    refuse(settings, path, "wrong passphrase", passphrase="a wrong passphrase!")
    data = path.read_bytes()
    cut = tmp_path / "cut.docket"
    cut.write_bytes(data[: len(data) - 100])
    refuse(settings, cut, "damaged|cut short", passphrase="the right passphrase")
    report = backup_restore(source=str(path), passphrase=lambda: "the right passphrase", progress=False,
                            stream=io.StringIO())
    assert report.evidence_items == 4


def test_a_short_passphrase_is_refused_for_backups(settings, tmp_path, site):
    with pytest.raises(Exception, match="at least 12 characters"):
        backup_create(output=str(tmp_path / "s.docket"), passphrase="short", progress=False, stream=io.StringIO())
    assert list(tmp_path.glob("s.docket*")) == []


def test_the_manifest_lists_every_hash_and_head(settings, tmp_path, site):
    from evidence.models import CustodyHead, EvidenceItem

    path = tmp_path / "m.docket"
    backup_create(output=str(path), progress=False, stream=io.StringIO())
    members = dict((info.name, data) for info, data in read_archive(path))
    doc = json.loads(members["manifest.json"])
    import hashlib

    for entry in doc["files"] + doc["keys"] + doc["database"]["members"]:
        assert hashlib.sha256(members[entry["name"]]).hexdigest() == entry["sha256"]
    assert {f["sha256"] for f in doc["files"] if f["store"] == "evidence"} == set(
        EvidenceItem.objects.values_list("sha256", flat=True))
    assert doc["custody_heads"] == {str(h.item_id): [h.seq, h.entry_hash, h.seal] for h in CustodyHead.objects.all()}
    assert doc["key_notes"]["secret_key"] == "file"
    assert "DOCKET_IDENTITY_KEY" in doc["key_notes"]["not_in_archive"]
    assert list(members)[0] == "manifest.json"
