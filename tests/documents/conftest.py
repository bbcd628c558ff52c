"""Documents test helpers: a case with a member in every role, exhibits with real stored bytes, .docx builders."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from rest_framework.test import APIClient

from cases import services as case_services
from evidence.services import evidence_upload
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

ROLES = ("lawyer", "researcher", "coordinator", "observer")


@pytest.fixture
def team(db):
    """A case with one member in each role, plus an outsider."""
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Metro cameras", reference="2a-77/2026")
    users = {"lead": lead}
    for role in ROLES:
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


def add_exhibit(case, user, *, content: bytes, name: str, title: str = "", incident=None, **fields):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return evidence_upload(user=user, uploaded_file=upload, title=title, case=case, incident=incident, **fields)


@pytest.fixture
def populated(team):
    """Three exhibits (one restricted), two incidents with persons, a proceeding."""
    case, users = team
    lead = users["lead"]
    inc1 = IncidentFactory(user=lead, cases=[case], title="Stop at Park Kultury", location="Moscow, Park Kultury",
                           occurred_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9, 30)))
    inc2 = IncidentFactory(user=lead, cases=[case], title="Camera deployment on line 5", location="Kazan",
                           category="camera_deployment",
                           occurred_at=timezone.make_aware(dt.datetime(2025, 5, 10, 12, 0)))
    person = PersonFactory(user=lead, pseudonym="Applicant A", real_name="Ivan Secretov")
    case_services.incident_person_add(user=lead, incident=inc1, person=person, part="affected")
    e1 = add_exhibit(case, lead, content=b"statement of the applicant\n", name="statement.txt",
                     title="Applicant's statement", incident=inc1,
                     obtained_at=timezone.make_aware(dt.datetime(2025, 3, 2, 10, 0)))
    e2 = add_exhibit(case, lead, content=b"%PDF-1.4 fake but bytes are bytes\n", name="Решение суда.pdf",
                     title="Решение суда", obtained_at=timezone.make_aware(dt.datetime(2025, 6, 1, 10, 0)))
    e3 = add_exhibit(case, lead, content=b"restricted witness recording", name="witness.ogg",
                     title="Witness recording", restricted=True,
                     obtained_at=timezone.make_aware(dt.datetime(2025, 4, 1, 10, 0)))
    case_services.proceeding_create(user=lead, case=case, stage="first_instance", court="Tverskoy court",
                                    case_number="2a-1/2025", filed_on=dt.date(2025, 4, 15),
                                    decided_on=dt.date(2025, 7, 1), outcome="Claim dismissed.")
    return case, users, {"incidents": [inc1, inc2], "items": [e1, e2, e3], "person": person}


def docx_bytes(*paragraphs: str, header: str | None = None) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if header is not None:
        doc.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def make_many_exhibits(case, user, n: int) -> list[EvidenceItem]:
    """``n`` exhibits sharing a few small stored blobs, created in bulk (with their upload custody event)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.models import CaseExhibit, EvidenceItem
    from evidence.services import custody_record, evidence_upload

    seeds = [evidence_upload(user=user, uploaded_file=SimpleUploadedFile(f"seed{k}.txt", f"blob {k}\n".encode()),
                             case=case) for k in range(3)]
    now = timezone.now()
    first = max(CaseExhibit.objects.filter(case=case).values_list("number", flat=True)) + 1
    items = EvidenceItem.objects.bulk_create([
        EvidenceItem(title=f"Photo {k}", kind="photo", sha256=seeds[k % 3].sha256, size=seeds[k % 3].size,
                     media_type="text/plain", original_filename=f"photo {k}.txt", created_by=user, obtained_at=now)
        for k in range(n - 3)
    ])
    CaseExhibit.objects.bulk_create([CaseExhibit(case=case, item=item, number=first + k) for k, item in enumerate(items)])
    for item in items:
        custody_record(item=item, user=user, action="uploaded")
    return seeds + list(items)
