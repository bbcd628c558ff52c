"""Backup and restore test helpers: a site with real data built through the services, a fresh empty instance to
restore into, and tools to take an archive apart and put it back together (to damage it on purpose)."""
from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from config.keys import KEY_FILE_NAME, load_or_create_key
from ops import dbsnapshot


def point_settings_at(settings, data: Path) -> None:
    """Make ``data`` this process's DOCKET_DATA_DIR (as a new machine would have), with its own secret key file."""
    for sub in ("evidence", "tmp", "index", "templates"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    settings.DATA_DIR = data
    settings.EVIDENCE_DIR = data / "evidence"
    settings.UPLOAD_TMP_DIR = data / "tmp"
    settings.FILE_UPLOAD_TEMP_DIR = str(data / "tmp")
    settings.SEARCH_INDEX_DIR = data / "index"
    settings.DOCUMENT_TEMPLATES_DIR = data / "templates"
    settings.SECRET_KEY = load_or_create_key(data / KEY_FILE_NAME)


@pytest.fixture
def site(settings, data_dir, transactional_db):
    """A small but complete site: members in every role, incidents, a person, evidence (a duplicate, a restricted
    and a trashed item, downloads and verifications in the custody logs), a deadline, a document template."""
    from cases import services as case_services
    from deadlines.services import deadline_create
    from documents.services import template_upload
    from evidence import services as ev
    from tests.documents.conftest import docx_bytes
    from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

    point_settings_at(settings, data_dir)
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Metro cameras", reference="2a-77/2026")
    users = {"lead": lead}
    for role in ("lawyer", "researcher", "coordinator", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Park Kultury",
                               occurred_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9, 30)))
    person = PersonFactory(user=lead, pseudonym="Applicant A", real_name="Ivan Secretov")
    case_services.incident_person_add(user=lead, incident=incident, person=person, part="affected")

    def add(content: bytes, name: str, **fields):
        return ev.evidence_upload(user=lead, uploaded_file=SimpleUploadedFile(name, content), case=case, **fields)

    items = [
        add("Протокол задержания на станции Парк культуры\n".encode(), "protocol.txt", incident=incident),
        add(bytes(range(256)) * 300, "recording.bin", restricted=True),
        add("Протокол задержания на станции Парк культуры\n".encode(), "copy.txt"),  # same bytes: one blob
        add(b"to be trashed", "old.txt", incident=incident),
    ]
    ev.evidence_trash(user=lead, item=items[3])
    ev.evidence_verify(item=items[0], user=users["observer"])
    ev.evidence_open_for_download(user=users["lawyer"], item=items[1]).close()
    deadline_create(user=lead, case=case, title="Appeal", due_date=dt.date(2026, 12, 20))
    template_upload(user=users["coordinator"], name="Cover", case=case,
                    uploaded_file=SimpleUploadedFile("cover.docx", docx_bytes("Case: {{ case.title }}")))
    # A public report with a file, still waiting for triage: its file is in the intake store, not yet evidence.
    from intake import services as intake_services

    spooled = storage_spool(io.BytesIO("Фото камеры у выхода №3\n".encode()))
    intake_services.report_submit(data={"description": "Камера у выхода", "consent": True, "location": "Москва",
                                        "occurred_at": timezone.make_aware(dt.datetime(2025, 3, 2, 8, 0))},
                                  spooled=spooled,
                                  filename="camera.txt")
    return {"case": case, "users": users, "items": items, "incident": incident, "person": person}


def storage_spool(fileobj):
    from evidence.storage import spool

    return spool(fileobj)


def all_counts() -> dict[str, int]:
    tables = [n for n in dbsnapshot.target_tables() if n != dbsnapshot.MIGRATIONS_TABLE]
    return dbsnapshot.table_counts(tables)


def wipe_to_new_instance(settings, tmp_path: Path, name: str = "new-machine") -> Path:
    """Empty the database (as a freshly migrated one) and move to a new, empty data folder with its own key."""
    call_command("flush", interactive=False, verbosity=0)
    data = tmp_path / name
    point_settings_at(settings, data)
    return data


def read_archive(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path, "r|") as tar:
        return [(m, tar.extractfile(m).read()) for m in tar]


def write_archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def rewrite(src: Path, dst: Path, *, manifest=None, member=None, drop=None) -> Path:
    """A copy of an archive with its manifest edited (``manifest(doc)``), a member's bytes replaced
    (``member(name, data) -> data``) or members left out (``drop(name) -> bool``)."""
    out = []
    for info, data in read_archive(src):
        if drop and drop(info.name):
            continue
        if info.name == "manifest.json" and manifest:
            doc = json.loads(data)
            manifest(doc)
            data = json.dumps(doc).encode()
        elif member:
            data = member(info.name, data)
        out.append((info, data))
    return write_archive(dst, out)
