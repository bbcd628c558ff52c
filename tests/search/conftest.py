"""Search fixtures: every search test runs on whoosh, and also on PostgreSQL's full text when the database is
PostgreSQL (``.ci/run`` does both)."""
from __future__ import annotations

import pytest
from django.db import connection


def _backends():
    return ["whoosh", "postgres"]


@pytest.fixture(params=_backends())
def search_backend(request, settings):
    """The backend under test, selected the way the app selects it (settings.DOCKET_SEARCH_BACKEND)."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend needs PostgreSQL (DATABASE_URL)")
    settings.DOCKET_SEARCH_BACKEND = request.param
    return request.param


# Search tests use real transactions (``transactional_db``): indexing happens in ``transaction.on_commit``,
# which only runs when a transaction really commits.
pytestmark = pytest.mark.django_db(transaction=True)


# --- Helpers shared by the search tests -------------------------------------------------------------------------
import io  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from tests.conftest import system_tool  # noqa: E402


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def api_search(user, **params) -> dict:
    """GET /api/v1/search/ as ``user``; asserts a 200 and returns the JSON."""
    response = api_for(user).get("/api/v1/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def found(user, q, **params) -> set[tuple[str, int]]:
    """(type, id) of every API result for ``q`` as ``user`` (all pages)."""
    data = api_search(user, q=q, page_size=100, **params)
    assert data["count"] == len(data["results"]) or data["count"] > 100
    return {(r["type"], r["id"]) for r in data["results"]}


def page_html(user, q, **params) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode()
    # Only the results part: the page echoes the query in the title and the search boxes.
    form_end = html.index("</form>", html.index('class="filters card"'))
    return html[form_end:]


def upload_evidence(user, content: bytes, name: str, **data):
    """Upload through the real API (storage, extraction on commit, indexing on commit); returns the item."""
    from evidence.models import EvidenceItem

    payload = {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}
    payload.update({k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v is not None})
    response = api_for(user).post("/api/v1/evidence/", payload, format="multipart")
    assert response.status_code == 201, response.content
    return EvidenceItem.objects.get(pk=response.json()["id"])


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="session")
def pdf_from_docx(tmp_path_factory):
    """Make a PDF with a real text layer from paragraphs, through LibreOffice (cached per text)."""
    cache: dict[tuple[str, ...], bytes] = {}

    def make(*paragraphs: str) -> bytes:
        if paragraphs not in cache:
            soffice = system_tool("soffice")
            folder = tmp_path_factory.mktemp("pdf")
            source = folder / "source.docx"
            source.write_bytes(docx_bytes(*paragraphs))
            subprocess.run(
                [soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                 "--outdir", str(folder), str(source)],
                check=True, capture_output=True, timeout=180,
            )
            cache[paragraphs] = (folder / "source.pdf").read_bytes()
        return cache[paragraphs]

    return make


def scanned_pdf(lines: list[str]) -> bytes:
    """A "scanned" PDF: the text drawn into an image (no text layer), as a court decision scan would be."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font_path.exists():
        pytest.skip("DejaVu fonts are needed to draw the scan (.ci/run installs them)")
    font = ImageFont.truetype(str(font_path), 40)
    image = Image.new("RGB", (1700, 120 + 70 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 60 + 70 * i), line, fill="black", font=font)
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=200.0)
    return buf.getvalue()
