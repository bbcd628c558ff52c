#!/usr/bin/env python
"""Render the demo case's court documents to PDF and PNG, to look at them (not a test, asserts nothing).

Loads the demo (``load_demo``) into a temporary DOCKET_DATA_DIR in Moscow time, adds exhibits of every kind (a PDF
of three pages, a rotated scan, a JPEG whose EXIF says to turn it, a PNG, a recording, a damaged PDF), gives the demo
lead a signature profile, then writes the exhibit list, chronology and custody report (.docx and PDF/A, through
LibreOffice) and bundle.pdf in Russian and English into OUT, and renders every page with ``pdftoppm -r 60 -png``.

``.venv/bin/python bench/render_documents.py [OUT]`` (default ./bench/out/documents)
"""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench" / "out" / "documents")
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="docket-render-"))
    os.environ.update(DOCKET_DATA_DIR=str(data), TIME_ZONE="Europe/Moscow", DJANGO_SETTINGS_MODULE="config.settings",
                      LOG_LEVEL="ERROR")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone
    from PIL import Image

    from bench.bundle_data import pdf_bytes
    from cases.models import Case
    from documents import services
    from documents.models import UserProfile
    from evidence.services import evidence_upload

    try:
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        user = get_user_model().objects.get(username="demo-lead")
        case = Case.objects.get(reference="DRDC-2025/014")
        UserProfile.objects.create(user=user, full_name="Воронова Анна Сергеевна",
                                   position="Адвокат, представитель заявителя",
                                   power_of_attorney="доверенность от 10 января 2025 г. № 77 АА 1234567",
                                   place="г. Москва")

        def image(fmt: str, size, orientation: int = 1) -> bytes:
            img = Image.new("RGB", size, (200, 30, 30) if fmt == "JPEG" else (30, 120, 200))
            for x in range(0, size[0], 40):
                for y in range(size[1] // 3):
                    img.putpixel((x, y), (0, 0, 0))
            buffer, exif = io.BytesIO(), Image.Exif()
            exif[0x0112] = orientation
            img.save(buffer, fmt, exif=exif)
            return buffer.getvalue()

        night = timezone.make_aware(dt.datetime(2025, 3, 1, 1, 30))
        for name, content, title, obtained in [
            ("Решение Мещанского районного суда.pdf", pdf_bytes(1, 3), "Решение Мещанского районного суда г. Москвы",
             night),
            ("scan-rotated.pdf", pdf_bytes(2, 2, rotate=90), "Протокол задержания (скан, повёрнут)", night),
            ("camera.jpg", image("JPEG", (800, 600), orientation=6), "Фото камеры у выхода (EXIF: повернуть)", None),
            ("map.png", image("PNG", (600, 900)), "Схема станции", None),
            ("recording.ogg", b"OggS" + os.urandom(4000), "Аудиозапись разговора с сотрудником", None),
            ("broken.pdf", b"%PDF-1.4 not really a pdf", "Повреждённый PDF", None),
        ]:
            evidence_upload(user=user, uploaded_file=SimpleUploadedFile(name, content), title=title, case=case,
                            obtained_at=obtained)
        for lang in ("ru", "en"):
            for stem, make in (("exhibit-list", services.exhibit_list_generate),
                               ("chronology", services.chronology_generate),
                               ("custody-report", services.custody_report_generate)):
                for fmt in ("docx", "pdf"):
                    (out / f"{stem}-{lang}.{fmt}").write_bytes(make(user=user, case=case, language=lang,
                                                                     fmt=fmt).content)
            bundle = services.bundle_pdf_prepare(user=user, case=case, language=lang)
            (out / f"bundle-{lang}.pdf").write_bytes(b"".join(bundle.chunks()))
        for pdf in sorted(out.glob("*.pdf")):
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / pdf.stem)], check=True)
        print(f"{len(list(out.glob('*.png')))} pages rendered in {out}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
