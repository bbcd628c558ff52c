"""Exhibit files for the paginated-bundle test and benchmark: PDFs of several pages, images, other files.

``exhibit_files(n)`` yields ``(name, bytes, kind, pages)``: every fourth exhibit is a PDF of 2–4 pages whose every
page says ``EX<n>P<k>`` (so a test can find where each page landed), the others JPEG and PNG images (one page each in
the bundle) and files with no pages (one placeholder page each). ``pad_bytes`` makes each PDF carry an extra
incompressible stream of that size, to build bundles of hundreds of megabytes for the memory benchmark.
``store_exhibits`` stores them as evidence of a case in bulk (blob, item, exhibit number, upload custody event).
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator


def pdf_bytes(number: int, pages: int, *, rotate: int = 0, pad_bytes: int = 0) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842), pageCompression=0)
    for k in range(1, pages + 1):
        canvas.setFont("Helvetica", 20)
        canvas.drawString(72, 500, f"EX{number}P{k}")
        if rotate:
            canvas.setPageRotation(rotate)
        canvas.showPage()
    canvas.save()
    data = buffer.getvalue()
    if pad_bytes:
        data = _pad(data, pad_bytes)
    return data


def _pad(pdf: bytes, size: int) -> bytes:
    """The same PDF with an image of about ``size`` random (incompressible) bytes on its first page, stored
    Flate-compressed as a scan's image would be: a valid stream that PDF tools copy without recompressing."""
    import zlib

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        side = max(1, int((size / 3) ** 0.5))
        image = pikepdf.Stream(doc, b"")
        image.write(zlib.compress(os.urandom(side * side * 3), 1), filter=pikepdf.Name.FlateDecode)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = side, side, 8
        image.ColorSpace = pikepdf.Name.DeviceRGB
        page = doc.pages[0]
        name = page.add_resource(image, pikepdf.Name.XObject, prefix="Pad")
        page.contents_add(f"q 1 0 0 1 10 10 cm {name} Do Q".encode(), prepend=False)
        out = io.BytesIO()
        doc.save(out, compress_streams=False)
        return out.getvalue()


def image_bytes(number: int, fmt: str) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (320 + number % 7 * 40, 240), (number * 37 % 255, 90, 160))
    buffer = io.BytesIO()
    img.save(buffer, fmt)
    return buffer.getvalue()


def exhibit_files(n: int, *, pad_bytes: int = 0) -> Iterator[tuple[str, bytes, str, int]]:
    for number in range(1, n + 1):
        kind = number % 4
        if kind == 1:
            pages = 2 + number % 3
            yield f"decision-{number}.pdf", pdf_bytes(number, pages, pad_bytes=pad_bytes), "pdf", pages
        elif kind == 2:
            yield f"photo-{number}.jpg", image_bytes(number, "JPEG"), "image", 1
        elif kind == 3:
            yield f"plan-{number}.png", image_bytes(number, "PNG"), "image", 1
        else:
            yield f"recording-{number}.ogg", b"OggS" + os.urandom(2000 + number), "other", 1


def store_exhibits(case, user, files) -> list[dict]:
    """Store ``(name, bytes, kind, pages)`` as exhibits of ``case`` (numbers 1, 2, ... after any existing ones)."""
    from django.db.models import Max

    from evidence import storage
    from evidence.models import CaseExhibit, EvidenceItem
    from evidence.services import custody_record
    from evidence.uploads import sniff_media_type

    first = (CaseExhibit.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0) + 1
    made = []
    for offset, (name, content, kind, pages) in enumerate(files):
        spooled = storage.spool(io.BytesIO(content))
        media_type = sniff_media_type(spooled.path)
        storage.place(spooled)
        item = EvidenceItem.objects.create(
            title=f"Exhibit {first + offset} ({kind})", sha256=spooled.sha256, size=spooled.size,
            media_type=media_type, original_filename=name, created_by=user,
        )
        CaseExhibit.objects.create(case=case, item=item, number=first + offset, added_by=user)
        custody_record(item=item, user=user, action="uploaded")
        made.append({"number": first + offset, "item": item, "kind": kind, "pages": pages, "sha256": item.sha256})
    return made
