"""API.md "the paginated court bundle": bundle.pdf — cover, index, exhibits in order, page numbers, bookmarks,
custody events committed before the first byte, and nothing recorded when it cannot be made."""
from __future__ import annotations

import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from bench.bundle_data import exhibit_files, pdf_bytes, store_exhibits
from documents.models import DocumentExport
from evidence import storage
from evidence.models import CustodyEvent
from tests.conftest import system_tool

URL = "/api/v1/cases/{}/bundle.pdf"


def fetch(client, case, **params):
    response = client.get(URL.format(case.pk), params)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    return response, body


def page_texts(tmp_path, body: bytes) -> list[str]:
    """Text of each page (pdftotext, one string per page)."""
    pdftotext = system_tool("pdftotext")
    path = tmp_path / "bundle.pdf"
    path.write_bytes(body)
    out = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, timeout=300, check=True)
    pages = out.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.mark.slow
def test_a_bundle_of_200_exhibits_paginates_indexes_and_bookmarks_every_one(team, api, tmp_path):
    case, users = team
    exhibits = store_exhibits(case, users["lead"], exhibit_files(200))
    response, body = fetch(api(users["coordinator"]), case)
    reader = PdfReader(io.BytesIO(body))
    total = len(reader.pages)
    texts = page_texts(tmp_path, body)
    assert len(texts) == total == int(response["X-Docket-Pages"])

    # Where each exhibit went, as recorded in its custody event; the PDF must agree with it.
    export = DocumentExport.objects.get(kind="bundle")
    events = {e.item_id: e.detail for e in CustodyEvent.objects.filter(action="exported")}
    assert len(events) == 200 and all(d["bundle"] == export.pk and d["format"] == "pdf" for d in events.values())
    placed = sorted((events[x["item"].pk]["first_page"], events[x["item"].pk]["pages"], x) for x in exhibits)
    front = placed[0][0] - 1
    assert front >= 2  # the cover and at least one index page

    # Page count: the front matter plus every exhibit's pages (PDF pages, 1 for an image or another file).
    assert total == front + sum(x["pages"] for x in exhibits)
    expected_page = front + 1
    for first, pages, x in placed:
        assert (first, pages) == (expected_page, x["pages"]), x["number"]
        expected_page += pages
        text = texts[first - 1]
        if x["kind"] == "pdf":
            for k in range(pages):
                assert f"EX{x['number']}P{k + 1}" in texts[first - 1 + k]
        else:
            assert f"Exhibit No. {x['number']}:" in text.replace("\u00a0", " ")
        if x["kind"] == "other":
            assert x["sha256"] in text  # the placeholder page names the file by its whole digest

    # The index: each exhibit's line holds its whole SHA-256 (one string), its first page and its page count.
    index = "\n".join(texts[1:front])
    for first, pages, x in placed:
        line = next(line for line in index.splitlines() if x["sha256"] in line)
        tokens = line.split()
        assert tokens[0] == str(x["number"]) and str(first) in tokens and str(pages) in tokens

    # Every page carries its number; one bookmark per exhibit pointing at its first page.
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"\b{number}\s*/\s*{total}\b", text), number
    outline = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]
    assert outline[:2] == [("Cover", 1), ("Index", 2)]
    assert [(t.replace("\u00a0", " "), p) for t, p in outline[2:]] == [
        (f"Exhibit No. {x['number']}: {x['item'].title}", first) for first, _p, x in placed]


def test_rotated_pages_damaged_pdfs_and_russian_words(team, api, tmp_path):
    case, users = team
    exhibits = store_exhibits(case, users["lead"], [
        ("scan.pdf", pdf_bytes(1, 2, rotate=90), "pdf", 2),
        ("broken.pdf", b"%PDF-1.4 this is not a PDF", "other", 1),
    ])
    response, body = fetch(api(users["lead"]), case, lang="ru")
    assert response["Content-Language"] == "ru"
    reader = PdfReader(io.BytesIO(body))
    texts = page_texts(tmp_path, body)
    total = len(reader.pages)
    assert "Комплект документов для суда" in texts[0] and "Опись" in texts[1]
    scan = [n for n, t in enumerate(texts) if "EX1P1" in t][0]
    assert reader.pages[scan].get("/Rotate") == 90  # kept as it is
    # The stamp is upright for the reader: pdftotext reads it as text on the rotated page too.
    assert re.search(rf"\b{scan + 1}\s*/\s*{total}\b", texts[scan])
    broken = texts[-1]
    assert "не удалось прочитать" in broken and exhibits[1]["sha256"] in broken


def test_nothing_is_recorded_when_a_stored_file_no_longer_matches(team, api):
    case, users = team
    exhibits = store_exhibits(case, users["lead"], list(exhibit_files(3)))
    path = storage.blob_path(exhibits[1]["sha256"])
    path.chmod(0o640)
    path.write_bytes(b"tampered")
    before = CustodyEvent.objects.count()
    response = api(users["lead"]).get(URL.format(case.pk))
    assert response.status_code == 409
    assert "No. 2" in response.json()["detail"].replace("\u00a0", " ")
    assert not DocumentExport.objects.exists()
    assert CustodyEvent.objects.count() == before


@pytest.mark.parametrize(("role", "status"), [("observer", 403), ("researcher", 403), ("outsider", 404)])
def test_who_may_not_generate_documents_gets_no_bundle(team, api, role, status):
    case, users = team
    store_exhibits(case, users["lead"], list(exhibit_files(2)))
    response = api(users[role]).get(URL.format(case.pk))
    assert response.status_code == status
    assert response.json()["detail"]
    assert not CustodyEvent.objects.filter(action="exported").exists()


def test_the_spooled_file_is_removed_after_streaming(team, api, data_dir):
    case, users = team
    store_exhibits(case, users["lead"], list(exhibit_files(4)))
    fetch(api(users["lead"]), case)
    assert not [p for p in (data_dir / "tmp").iterdir() if p.name.startswith("docket-bundle-")]


def test_large_streams_are_spliced_back_byte_for_byte(team, api, tmp_path):
    """Big streams go around pikepdf (memory) and come back exactly; the file is a valid PDF with a right xref."""
    import pikepdf

    case, users = team
    big = pdf_bytes(1, 2, pad_bytes=700_000)
    store_exhibits(case, users["lead"], [("scan.pdf", big, "pdf", 2), *list(exhibit_files(6))[1:]])
    _response, body = fetch(api(users["lead"]), case)
    path = tmp_path / "b.pdf"
    path.write_bytes(body)
    # No recovery allowed: qpdf must find the cross-reference table and every object where it says.
    with pikepdf.open(io.BytesIO(big)) as original, pikepdf.open(path, attempt_recovery=False) as bundle:
        assert bundle.check_pdf_syntax() == []
        want = [bytes(img.read_raw_bytes()) for img in original.pages[0].get_images().values()]
        first = next(n for n, t in enumerate(page_texts(tmp_path, body)) if "EX1P1" in t)
        got = [bytes(img.read_raw_bytes()) for img in bundle.pages[first].get_images().values()]
        assert want and got == want and len(want[0]) > 600_000
    assert len(PdfReader(io.BytesIO(body), strict=True).pages) >= 8
