"""Re-seal every custody chain head in its own domain (evidence/custody.py, "v2").

Before v2 a head's seal was its last entry's seal, so deleting the last entries and copying the previous entry's
seal into the head went unnoticed. Only heads whose old seal verifies are re-sealed: a head that was already
broken stays broken (and keeps failing verification) rather than being laundered. Entries are never rewritten;
their old seals still verify. Run it with the production custody key (``DOCKET_CUSTODY_KEY`` or ``SECRET_KEY``)
in the environment: under another key no head verifies, so none is re-sealed.

The arithmetic is copied here, frozen, rather than imported from the app (which may change).
"""
import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def _key() -> bytes:
    secret = getattr(settings, "DOCKET_CUSTODY_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"docket-custody-v1\x00" + str(secret).encode()).digest()


def _v1(key: bytes, digest: str) -> str:
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


def _head_v2(key: bytes, item_id: int, seq: int, digest: str) -> str:
    message = b"docket-custody-head-v2\x00" + f"{int(item_id)}:{int(seq)}:{digest}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def reseal_heads(apps, schema_editor):
    CustodyHead = apps.get_model("evidence", "CustodyHead")
    key = _key()
    for head in CustodyHead.objects.order_by("pk").iterator(chunk_size=500):
        if hmac.compare_digest(_v1(key, head.entry_hash), head.seal or ""):
            CustodyHead.objects.filter(pk=head.pk).update(seal=_head_v2(key, head.item_id, head.seq, head.entry_hash))


def unseal_heads(apps, schema_editor):
    CustodyHead = apps.get_model("evidence", "CustodyHead")
    key = _key()
    for head in CustodyHead.objects.order_by("pk").iterator(chunk_size=500):
        if hmac.compare_digest(_head_v2(key, head.item_id, head.seq, head.entry_hash), head.seal or ""):
            CustodyHead.objects.filter(pk=head.pk).update(seal=_v1(key, head.entry_hash))


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_bounded_dates")]

    operations = [migrations.RunPython(reseal_heads, unseal_heads)]
