"""Text and metadata extraction: PDF, DOCX, plain text, EXIF, OCR, hostile input; background state."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence import extraction
from evidence.extraction import ExtractionRefused, extract
from evidence.models import EvidenceItem
from evidence.uploads import sniff_media_type
from tests.conftest import system_tool
from tests.evidence.conftest import upload

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def make_pdf(text: str, title: str = "Camera report", author: str = "Docket") -> bytes:
    """A minimal one-page PDF with ``text`` in Helvetica and an /Info dictionary."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author ({author}) /Producer (docket-tests) >>".encode("latin-1"),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_image(lines: list[str], size=(1400, 400)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(DEJAVU, 64)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * 110), line, fill="black", font=font)
    return image


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_text_utf8_and_cp1251(tmp_path):
    utf = write(tmp_path, "a.txt", "Камеры в метро\nFacial recognition".encode())
    assert sniff_media_type(utf) == "text/plain"
    text, meta = extract(utf, "text/plain")
    assert "Камеры" in text and meta["encoding"] == "utf-8"
    legacy = write(tmp_path, "b.txt", "Протокол задержания у турникета".encode("cp1251"))
    assert sniff_media_type(legacy) == "text/plain"
    text, meta = extract(legacy, "text/plain")
    assert "задержания" in text and meta["encoding"] == "cp1251"


def test_pdf_text_and_properties(tmp_path):
    path = write(tmp_path, "r.pdf", make_pdf("Facial recognition camera at Park Kultury"))
    assert sniff_media_type(path) == "application/pdf"
    text, meta = extract(path, "application/pdf")
    assert "Facial recognition camera" in text
    assert meta["pages"] == 1
    assert meta["pdf"]["title"] == "Camera report" and meta["pdf"]["author"] == "Docket"


def test_docx_text_and_core_properties(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Witness statement about the metro camera")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Station"
    table.rows[0].cells[1].text = "Mayakovskaya"
    document.core_properties.author = "Researcher A"
    document.core_properties.title = "Statement"
    buf = io.BytesIO()
    document.save(buf)
    path = write(tmp_path, "s.docx", buf.getvalue())
    media_type = sniff_media_type(path)
    assert media_type in extraction.DOCX_TYPES | {"application/zip"}
    text, meta = extract(path, media_type)
    assert "Witness statement" in text and "Mayakovskaya" in text
    assert meta["docx"]["author"] == "Researcher A" and meta["docx"]["title"] == "Statement"


def test_jpeg_exif_camera_and_gps(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "tesseract_available", lambda: False)
    image = Image.new("RGB", (64, 48), "gray")
    exif = Image.Exif()
    exif[0x010F] = "Hikvision"  # Make
    exif[0x0110] = "DS-2CD2043"  # Model
    exif.get_ifd(0x8769)[0x9003] = "2025:03:01 08:15:00"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (55.0, 45.0, 36.0)
    gps[3], gps[4] = "E", (37.0, 36.0, 0.0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    path = write(tmp_path, "p.jpg", buf.getvalue())
    assert sniff_media_type(path) == "image/jpeg"
    text, meta = extract(path, "image/jpeg")
    assert meta["camera"] == {"Make": "Hikvision", "Model": "DS-2CD2043"}
    assert meta["taken_at"] == "2025:03:01 08:15:00"
    assert meta["latitude"] == pytest.approx(55.76) and meta["longitude"] == pytest.approx(37.6)
    assert meta["width"] == 64 and meta["ocr"].startswith("skipped")


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


def test_image_decompression_bomb_is_refused(tmp_path):
    path = write(tmp_path, "bomb.png", png_claiming(60000, 60000))
    with pytest.raises(ExtractionRefused):
        extract(path, "image/png")


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    from tests.evidence.test_hostile_uploads import zip_bomb

    path = write(tmp_path, "bomb.docx", zip_bomb(20 * 1024 * 1024))
    with pytest.raises(ExtractionRefused, match="zip bomb"):
        extract(path, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_text_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "MAX_TEXT", 1000)
    path = write(tmp_path, "long.txt", b"word " * 10000)
    text, _ = extract(path, "text/plain")
    assert len(text) <= 1000


def test_ocr_of_an_image_in_russian_and_english(tmp_path):
    system_tool("tesseract")
    buf = io.BytesIO()
    text_image(["Camera 42 Moscow", "Камера наблюдения"]).save(buf, "PNG")
    path = write(tmp_path, "sign.png", buf.getvalue())
    text, meta = extract(path, "image/png")
    assert "Camera" in text and "Moscow" in text
    assert "Камера" in text
    assert meta["ocr"].startswith("done")


def test_ocr_of_a_scanned_pdf(tmp_path):
    system_tool("tesseract")
    buf = io.BytesIO()
    text_image(["Scanned complaint", "Жалоба"], size=(1400, 300)).save(buf, "PDF", resolution=100)
    path = write(tmp_path, "scan.pdf", buf.getvalue())
    text, meta = extract(path, "application/pdf")
    assert "complaint" in text.lower()
    assert "Жалоба" in text


@pytest.mark.django_db
def test_upload_returns_pending_then_background_extraction_finishes(team, api, django_capture_on_commit_callbacks):
    case, users = team
    content = make_pdf("Searchable words about cameras")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        body = upload(api(users["lead"]), content=content, name="r.pdf", case=case.pk).json()
    assert body["extraction_state"] == "pending"
    for callback in callbacks:
        callback()
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.extraction_state == "done" and "Searchable words" in item.extracted_text
    assert item.metadata["pdf"]["title"] == "Camera report"
    assert item.history.count() == 1  # derived data writes no history rows
    detail = api(users["observer"]).get(f"/api/v1/evidence/{body['id']}/").json()
    assert detail["extraction_state"] == "done" and detail["extracted_text_chars"] > 0


@pytest.mark.django_db
def test_broken_file_marks_extraction_failed_with_the_error(team, api, django_capture_on_commit_callbacks):
    case, users = team
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api(users["lead"]), content=b"%PDF-1.4\ngarbage that is not a pdf", name="x.pdf",
                      case=case.pk).json()
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.extraction_state == "failed"
    assert "Pdf" in item.extraction_error or "EOF" in item.extraction_error


@pytest.mark.django_db
def test_extraction_of_a_missing_file_fails_cleanly(team, api, django_capture_on_commit_callbacks):
    import os

    from evidence import storage
    from evidence.tasks import run_extraction

    case, users = team
    body = upload(api(users["lead"]), content=b"text", case=case.pk).json()
    item = EvidenceItem.objects.get(pk=body["id"])
    os.unlink(storage.blob_path(item.sha256))
    assert run_extraction(item) == "failed"
    item.refresh_from_db()
    assert item.extraction_state == "failed" and "missing" in item.extraction_error


def pdf_with_flate_bomb(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    packed = b"".join(compressor.compress(chunk) for _ in range(inflated // len(chunk))) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.mark.django_db
def test_pdf_stream_bomb_fails_extraction_without_inflating_it(team, api, django_capture_on_commit_callbacks,
                                                               monkeypatch):
    monkeypatch.setattr(extraction, "tesseract_available", lambda: False)
    import resource

    case, users = team
    bomb = pdf_with_flate_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api(users["lead"]), content=bomb, name="bomb.pdf", case=case.pk).json()
    item = EvidenceItem.objects.get(pk=body["id"])
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 150  # never the 200 MiB the stream claims
    assert item.extraction_state in ("failed", "done")
    assert len(item.extracted_text) < 10_000


@pytest.mark.django_db(transaction=True)
def test_database_queue_and_db_worker_run_the_extraction(team, api, settings):
    """With the database backend the upload only enqueues; `manage.py db_worker --batch` does the work."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    case, users = team
    body = upload(api(users["lead"]), content="Показания о камере".encode(), name="s.txt", case=case.pk).json()
    assert body["extraction_state"] == "pending"
    assert DBTaskResult.objects.filter(task_path="evidence.tasks.extract_evidence").count() == 1
    assert EvidenceItem.objects.get(pk=body["id"]).extraction_state == "pending"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.extraction_state == "done" and "камере" in item.extracted_text
