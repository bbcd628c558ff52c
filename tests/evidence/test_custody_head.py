"""The custody chain head is sealed in its own domain: truncating a chain and copying the previous entry's seal into
the head is detected (API verify and ``manage.py verify_evidence``); chains sealed before (v1) still verify once
the migration has re-sealed their heads, and a head that was already broken is not laundered by it."""
from __future__ import annotations

import hashlib
import hmac
import importlib

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.db import connection

from evidence.models import CustodyEvent, CustodyHead, EvidenceItem
from tests.evidence.conftest import upload
from tests.evidence.test_custody_and_verify import command_output, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(team, api):
    case, users = team
    client = api(users["lead"])
    body = upload(client, content=b"witness statement\n" * 50, name="w.txt", case=case.pk).json()
    for _ in range(3):
        assert client.get(f"/api/v1/evidence/{body['id']}/download/").status_code == 200
    return EvidenceItem.objects.get(pk=body["id"])


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _v1(digest: str) -> str:
    """The seal of the first scheme (entries and heads alike), computed independently of the app."""
    secret = getattr(settings, "DOCKET_CUSTODY_KEY", "") or settings.SECRET_KEY
    key = hashlib.sha256(b"docket-custody-v1\x00" + str(secret).encode()).digest()
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


def truncate_and_copy_previous_seal(item, keep: int):
    """What someone with database access but without the key can do: delete the last entries and make the head
    point at the new last entry, with that entry's own seal."""
    raw("DELETE FROM evidence_custodyevent WHERE item_id = %s AND seq > %s", [item.pk, keep])
    last = CustodyEvent.objects.get(item=item, seq=keep)
    raw("UPDATE evidence_custodyhead SET seq = %s, entry_hash = %s, seal = %s WHERE item_id = %s",
        [last.seq, last.entry_hash, last.seal, item.pk])


@pytest.mark.parametrize("keep", [1, 3])
def test_truncating_the_chain_and_copying_the_previous_seal_is_detected(team, api, item, keep):
    assert command_output(item.pk)[0] == 0
    truncate_and_copy_previous_seal(item, keep)
    result = verify(api, team, item)
    assert result["ok"] is False and result["file_ok"] is True and result["custody_ok"] is False
    assert any("chain head" in p for p in result["problems"]), result["problems"]
    code, output = command_output(item.pk)
    assert code == 1 and f"FAIL  #{item.pk}" in output and "chain head" in output
    # The verification was recorded on top of the forged head: that new entry says so, and it stays detected.
    last = CustodyEvent.objects.filter(item=item).order_by("-seq").first()
    assert last.action == "verified" and last.detail["ok"] is False
    assert verify(api, team, item)["ok"] is False


def test_the_head_seal_is_not_the_last_entry_seal(item):
    head = CustodyHead.objects.get(item=item)
    last = CustodyEvent.objects.filter(item=item).order_by("-seq").first()
    assert (head.seq, head.entry_hash) == (last.seq, last.entry_hash)
    assert head.seal != last.seal
    assert head.seal != _v1(head.entry_hash) and last.seal != _v1(last.entry_hash)  # both in their v2 domains


def _make_legacy(item):
    """Rewrite an item's seals as the first scheme wrote them (before migration 0003)."""
    for event in CustodyEvent.objects.filter(item=item):
        raw("UPDATE evidence_custodyevent SET seal = %s WHERE id = %s", [_v1(event.entry_hash), event.pk])
    head = CustodyHead.objects.get(item=item)
    raw("UPDATE evidence_custodyhead SET seal = %s WHERE item_id = %s", [_v1(head.entry_hash), item.pk])


def _migration():
    return importlib.import_module("evidence.migrations.0003_custody_head_v2")


def test_old_chains_verify_after_the_migration_reseals_their_heads(team, api, item):
    _, users = team
    _make_legacy(item)
    broken = EvidenceItem.objects.get(pk=upload(api(users["lead"]), content=b"other", case=team[0].pk).json()["id"])
    _make_legacy(broken)
    raw("UPDATE evidence_custodyhead SET seal = %s WHERE item_id = %s", ["0" * 64, broken.pk])  # already tampered
    assert command_output(item.pk)[0] == 1  # a v1 head fails the v2 check until the migration has run

    _migration().reseal_heads(global_apps, None)

    assert command_output(item.pk)[0] == 0  # the v1 entries still verify; the head is v2 now
    assert verify(api, team, item)["ok"] is True
    assert CustodyHead.objects.get(item=broken).seal == "0" * 64  # not laundered
    assert command_output(broken.pk)[0] == 1
    # New entries after the migration carry v2 seals and the chain stays intact.
    assert api(users["lead"]).get(f"/api/v1/evidence/{item.pk}/download/").status_code == 200
    assert command_output(item.pk)[0] == 0
    truncate_and_copy_previous_seal(item, 2)
    assert command_output(item.pk)[0] == 1


def test_the_migration_is_reversible(item):
    head = CustodyHead.objects.get(item=item)
    _migration().unseal_heads(global_apps, None)
    assert CustodyHead.objects.get(item=item).seal == _v1(head.entry_hash)
    _migration().reseal_heads(global_apps, None)
    assert CustodyHead.objects.get(item=item).seal == head.seal
