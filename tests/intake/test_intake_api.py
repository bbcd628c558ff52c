"""POST /api/v1/intake/: a report from a member of the public, without authentication (API.md)."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake import storage
from intake.models import Report
from tests.evidence.conftest import png_bytes
from tests.intake.conftest import REPORT

pytestmark = pytest.mark.django_db


def test_a_report_is_accepted_with_a_receipt_and_keeps_what_was_typed(public):
    response = public.post("/api/v1/intake/", REPORT, format="json")
    assert response.status_code == 202, response.content
    receipt = response.json()["receipt"]
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){5}", receipt)
    report = Report.objects.get()
    assert report.location == REPORT["location"] and report.contact == REPORT["contact"]
    assert report.description == REPORT["description"] and report.consent is True
    assert report.status == "new" and not report.has_file
    assert receipt not in str(Report.objects.values().get())  # only its digest is kept
    assert (report.received_at.minute, report.received_at.second, report.received_at.microsecond) == (0, 0, 0)


def test_receipts_are_not_guessable(public):
    receipts = {public.post("/api/v1/intake/", REPORT, format="json").json()["receipt"] for _ in range(5)}
    assert len(receipts) == 5
    assert not any(str(pk) in r.replace("-", "") for r in receipts for pk in Report.objects.values_list("pk", flat=True)
                   if len(str(pk)) > 2)


def test_a_date_alone_is_enough_and_category_and_contact_are_optional(public):
    body = {"occurred_at": "2026-11-20", "location": "Moscow", "description": "Stopped.", "consent": True}
    assert public.post("/api/v1/intake/", body, format="json").status_code == 202
    assert Report.objects.get().category == "other"


@pytest.mark.parametrize("change, field", [
    ({"consent": False}, "consent"), ({"consent": "yes"}, "consent"), ({"consent": None}, "consent"),
    ({"location": 123}, "location"), ({"description": ["a"]}, "description"), ({"description": "  "}, "description"),
    ({"occurred_at": "yesterday"}, "occurred_at"), ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    ({"category": "alien_abduction"}, "category"), ({"contact": {"a": 1}}, "contact"),
    ({"reporter_ip": "1.2.3.4"}, "reporter_ip"), ({"file": "not a file"}, "file"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_kept(public, change, field):
    response = public.post("/api/v1/intake/", {**REPORT, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Report.objects.count() == 0


@pytest.mark.parametrize("missing", ["occurred_at", "location", "description", "consent"])
def test_required_fields(public, missing):
    body = {k: v for k, v in REPORT.items() if k != missing}
    assert public.post("/api/v1/intake/", body, format="json").status_code == 400
    assert Report.objects.count() == 0


def test_not_json_at_all_is_a_400(public):
    for raw in (b"[1, 2]", b"\"text\"", b"{not json"):
        response = public.post("/api/v1/intake/", raw, content_type="application/json")
        assert response.status_code == 400
    assert Report.objects.count() == 0


def test_multipart_with_a_photo(public, data_dir):
    content = png_bytes()
    body = {**REPORT, "consent": "true", "file": SimpleUploadedFile("IMG_0001.png", content, "image/png")}
    response = public.post("/api/v1/intake/", body, format="multipart")
    assert response.status_code == 202, response.content
    report = Report.objects.get()
    assert report.file_media_type == "image/png" and report.file_size == len(content)
    assert storage.path_of(report.file_sha256).read_bytes() == content
    assert not list((data_dir / "tmp").iterdir())


def test_a_session_or_token_sent_along_is_ignored(public, triager):
    public.force_authenticate(triager)
    assert public.post("/api/v1/intake/", REPORT, format="json").status_code == 202
    assert Report.history.get().history_user is None
