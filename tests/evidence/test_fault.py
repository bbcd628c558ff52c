"""A failure between writing the file and committing the row leaves neither behind."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from evidence import services
from evidence.models import CaseExhibit, CustodyEvent, EvidenceItem
from tests.evidence.conftest import stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(RuntimeError):
    pass


def test_exception_after_the_file_is_written_leaves_no_row_and_no_file(team, data_dir, monkeypatch):
    case, users = team
    seen = {}

    def failing_custody(**kwargs):
        seen["files"] = stored_files(data_dir)  # the blob is in place at this point
        raise Boom("disk full while logging")

    monkeypatch.setattr(services, "custody_record", failing_custody)
    with pytest.raises(Boom):
        services.evidence_upload(user=users["lead"], uploaded_file=SimpleUploadedFile("a.txt", b"fragile bytes"),
                                 case=case)
    assert len(seen["files"]) == 1
    assert EvidenceItem.objects.count() == 0
    assert CaseExhibit.objects.count() == 0
    assert CustodyEvent.objects.count() == 0
    assert stored_files(data_dir) == []


def test_failure_keeps_a_blob_another_item_still_uses(team, data_dir, monkeypatch, api):
    case, users = team
    first = upload(api(users["lead"]), content=b"shared bytes", case=case.pk).json()
    monkeypatch.setattr(services, "custody_record", lambda **kw: (_ for _ in ()).throw(Boom()))
    response = None
    with pytest.raises(Boom):
        response = upload(api(users["lead"]), content=b"shared bytes", case=case.pk)
    assert response is None
    assert EvidenceItem.objects.count() == 1
    assert len(stored_files(data_dir)) == 1
    assert EvidenceItem.objects.get().sha256 == first["sha256"]


def test_an_outer_rollback_leaves_a_blob_the_orphan_command_finds(team, data_dir):
    import io

    from django.core.management import call_command

    case, users = team
    with pytest.raises(Boom), transaction.atomic():
        services.evidence_upload(user=users["lead"], uploaded_file=SimpleUploadedFile("a.txt", b"rolled back"),
                                 case=case)
        raise Boom()
    assert EvidenceItem.objects.count() == 0
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("evidence_orphans", stdout=out)
    assert "blob without item" in out.getvalue()
    call_command("evidence_orphans", "--delete", stdout=io.StringIO())
    assert stored_files(data_dir) == []
