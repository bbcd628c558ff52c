"""Every generated document converts to PDF with LibreOffice headless, without error."""
from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from tests.conftest import system_tool
from tests.documents.conftest import docx_bytes

KINDS = ["exhibit-list", "chronology", "custody-report", "incident-dossier", "template"]


@pytest.mark.slow
def test_every_generated_document_converts_to_pdf(populated, api, tmp_path):
    soffice = system_tool("soffice")
    case, users, data = populated
    client = api(users["lead"])
    files = {}
    for kind in KINDS[:4]:
        response = client.get(f"/api/v1/cases/{case.pk}/documents/{kind}.docx", {"lang": "ru"})
        assert response.status_code == 200
        files[kind] = response.content
    template = client.post("/api/v1/document-templates/", {
        "name": "Claim",
        "file": SimpleUploadedFile("claim.docx", docx_bytes("Иск по делу {{ case.reference }}: {{ case.title }}")),
    }, format="multipart")
    assert template.status_code == 201
    files["template"] = client.get(
        f"/api/v1/cases/{case.pk}/documents/templates/{template.json()['id']}/fill.docx").content

    src = tmp_path / "docx"
    src.mkdir()
    paths = []
    for kind, content in files.items():
        path = src / f"{kind}.docx"
        path.write_bytes(content)
        paths.append(str(path))
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(out), *paths],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for kind in KINDS:
        pdf = out / f"{kind}.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 0, (kind, result.stdout, result.stderr)
        reader = PdfReader(str(pdf))
        assert len(reader.pages) >= 1
        text = " ".join(page.extract_text() for page in reader.pages)
        assert case.title in text
    assert "Иск по делу 2a-77/2026" in " ".join(p.extract_text() for p in PdfReader(str(out / "template.pdf")).pages)
    exhibit_text = " ".join(p.extract_text() for p in PdfReader(str(out / "exhibit-list.pdf")).pages)
    for item in data["items"]:
        assert item.sha256[:32] in exhibit_text and item.sha256[32:] in exhibit_text
