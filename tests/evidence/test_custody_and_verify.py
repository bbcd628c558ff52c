"""Custody log and verification: every kind of tampering is detected by the API's verify and by the command."""
from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from evidence import storage
from evidence.models import AppendOnlyError, CustodyEvent, EvidenceItem
from tests.evidence.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(team, api):
    case, users = team
    client = api(users["lead"])
    body = upload(client, content=b"original statement bytes\n" * 100, name="statement.txt", case=case.pk).json()
    for _ in range(2):
        client.get(f"/api/v1/evidence/{body['id']}/download/")
    return EvidenceItem.objects.get(pk=body["id"])


def verify(api, team, item):
    _, users = team
    response = api(users["observer"]).post(f"/api/v1/evidence/{item.pk}/verify/")
    assert response.status_code == 200
    return response.json()


def command_output(*ids) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("verify_evidence", *[str(i) for i in ids], stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


def test_custody_log_lists_uploads_and_downloads_oldest_first(team, api, item):
    _, users = team
    log = api(users["observer"]).get(f"/api/v1/evidence/{item.pk}/custody/").json()
    assert [e["action"] for e in log] == ["uploaded", "downloaded", "downloaded"]
    assert all(set(e) >= {"at", "user", "action", "sha256"} for e in log)
    assert log[0]["user"] == "lead" and log[0]["sha256"] == item.sha256
    assert "client_ip" not in log[0]  # addresses only for those who may edit
    assert api(users["lead"]).get(f"/api/v1/evidence/{item.pk}/custody/").json()[0]["client_ip"] == "127.0.0.1"
    assert log[1]["prev_hash"] == log[0]["entry_hash"]
    assert api(users["outsider"]).get(f"/api/v1/evidence/{item.pk}/custody/").status_code == 404


def test_intact_item_verifies_and_the_verification_is_recorded(team, api, item):
    result = verify(api, team, item)
    assert result == result | {"ok": True, "expected_sha256": item.sha256, "actual_sha256": item.sha256}
    last = CustodyEvent.objects.filter(item=item).order_by("-seq").first()
    assert (last.action, last.username, last.detail["ok"]) == ("verified", "observer", True)
    assert command_output()[0] == 0


def test_outsider_cannot_verify_and_nothing_is_written(team, api, item):
    _, users = team
    before = CustodyEvent.objects.count()
    assert api(users["outsider"]).post(f"/api/v1/evidence/{item.pk}/verify/").status_code == 404
    assert CustodyEvent.objects.count() == before


def _writable(path):
    os.chmod(path, 0o640)


def flip_a_byte(item):
    path = storage.blob_path(item.sha256)
    _writable(path)
    with open(path, "r+b") as fh:
        fh.seek(10)
        byte = fh.read(1)
        fh.seek(10)
        fh.write(bytes([byte[0] ^ 0x01]))


def edit_stored_hash(item):
    # Someone with database access points the row at other (also stored) bytes' digest.
    EvidenceItem.objects.filter(pk=item.pk).update(sha256="a" * 64)


def edit_stored_hash_and_move_file(item):
    fake = "b" * 64
    target = storage.blob_path(fake)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.link(storage.blob_path(item.sha256), target)
    EvidenceItem.objects.filter(pk=item.pk).update(sha256=fake)


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def edit_custody_entry(item):
    raw("UPDATE evidence_custodyevent SET username = %s WHERE item_id = %s AND seq = 2", ["someone_else", item.pk])


def edit_custody_entry_and_rehash(item):
    """Rewrite an entry and recompute its hash (but not the secret-keyed seal)."""
    from evidence import custody

    event = CustodyEvent.objects.get(item=item, seq=2)
    event.username = "someone_else"
    digest = custody.entry_hash(custody.event_fields(event))
    raw("UPDATE evidence_custodyevent SET username = %s, entry_hash = %s WHERE id = %s",
        ["someone_else", digest, event.pk])


def delete_middle_custody_entry(item):
    raw("DELETE FROM evidence_custodyevent WHERE item_id = %s AND seq = 2", [item.pk])


def delete_last_custody_entry(item):
    raw("DELETE FROM evidence_custodyevent WHERE item_id = %s AND seq = 3", [item.pk])


def delete_the_file(item):
    os.unlink(storage.blob_path(item.sha256))


TAMPERING = [flip_a_byte, edit_stored_hash, edit_stored_hash_and_move_file, edit_custody_entry,
             edit_custody_entry_and_rehash, delete_middle_custody_entry, delete_last_custody_entry, delete_the_file]


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.__name__ for t in TAMPERING])
def test_tampering_is_detected_by_verify_and_by_the_command(team, api, item, tamper):
    assert command_output(item.pk)[0] == 0
    tamper(item)
    item.refresh_from_db()
    result = verify(api, team, item)
    assert result["ok"] is False
    assert result["problems"]
    code, output = command_output()
    assert code == 1
    assert "FAIL" in output and f"#{item.pk}" in output


def test_missing_file_gives_ok_false_and_null_actual_never_500(team, api, item):
    delete_the_file(item)
    result = verify(api, team, item)
    assert result["ok"] is False and result["actual_sha256"] is None
    assert result["expected_sha256"] == item.sha256
    _, users = team
    assert api(users["lead"]).get(f"/api/v1/evidence/{item.pk}/download/").status_code == 404


def test_custody_entries_cannot_be_changed_or_deleted_through_the_app(item):
    event = CustodyEvent.objects.filter(item=item).first()
    event.username = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        CustodyEvent.objects.filter(item=item).update(username="x")
    with pytest.raises(AppendOnlyError):
        CustodyEvent.objects.filter(item=item).delete()
