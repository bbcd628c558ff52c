"""Organisation templates: upload validation (docx only, no bombs, no unknown placeholders), sandboxed filling,
and a context that holds only what the caller may see."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services as case_services
from documents.models import DocumentExport, DocumentTemplate
from tests.documents.conftest import docx_bytes, docx_text

LIST = "/api/v1/document-templates/"


def upload(client, case, content: bytes, *, name="Cover letter", filename="cover.docx"):
    """Upload a template to ``case`` (``None``: for the whole site, which only staff may)."""
    data = {"name": name, "file": SimpleUploadedFile(filename, content)}
    if case is not None:
        data["case"] = case.pk
    return client.post(LIST, data, format="multipart")


def fill(client, case, template_id, **params):
    return client.get(f"/api/v1/cases/{case.pk}/documents/templates/{template_id}/fill.docx", params)


def stored(data_dir):
    return sorted(p.name for p in (data_dir / "templates").iterdir())


def test_upload_then_fill_from_a_case(populated, api, data_dir):
    case, users, data = populated
    client = api(users["coordinator"])
    content = docx_bytes(
        "To the {{ case.court }}",
        "Claim in case {{ case.reference }}: {{ case.title }}",
        "{% for e in exhibits %}Exhibit {{ e.number }}: {{ e.title }} ({{ e.sha256 }}){% endfor %}",
        header="{{ case.reference }}",
    )
    response = upload(client, case, content)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"case.court", "case.reference", "case.title", "exhibits"} <= set(body["placeholders"])
    assert stored(data_dir) == [f"{body['sha256']}.docx"]
    assert [t["id"] for t in client.get(LIST).json()] == [body["id"]]

    filled = fill(client, case, body["id"])
    assert filled.status_code == 200
    text = docx_text(filled.content)
    assert "Claim in case 2a-77/2026: Metro cameras" in text
    for item in data["items"]:
        assert item.sha256 in text
    assert "{{" not in text
    assert DocumentExport.objects.filter(kind="template", case=case).count() == 1


def test_values_are_escaped_into_the_xml(populated, api):
    case, users, _ = populated
    case_services.case_update(user=users["lead"], case=case, data={"title": "A & B <v> \"C\""})
    client = api(users["lead"])
    template_id = upload(client, case, docx_bytes("{{ case.title }}")).json()["id"]
    response = fill(client, case, template_id)
    assert response.status_code == 200
    assert 'A & B <v> "C"' in docx_text(response.content)


@pytest.mark.parametrize("text,name", [
    ("{{ case.titel }}", "case.titel"),
    ("{{ claimant_name }}", "claimant_name"),
    ("{% for e in exhibits %}{{ e.hash }}{% endfor %}", "hash"),
])
def test_unknown_placeholder_is_refused_at_upload_naming_it(populated, api, data_dir, text, name):
    case, users, _ = populated
    response = upload(api(users["coordinator"]), case, docx_bytes(text))
    assert response.status_code == 400
    assert name in response.json()["detail"]
    assert not DocumentTemplate.objects.exists()
    assert stored(data_dir) == []


@pytest.mark.parametrize("text", [
    "{{ case.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ exhibits.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{% for i in range(10) %}x{% endfor %}",
    "{{ case.title.format_map(case) }}",
    "{{ case.title * 100000000 }}",
    "{{ 2 ** 100000000 }}",
    "{% for a in exhibits %}{% for b in exhibits %}{% for c in exhibits %}x{% endfor %}{% endfor %}{% endfor %}",
])
def test_a_template_cannot_reach_python_internals(populated, api, text):
    case, users, _ = populated
    response = upload(api(users["coordinator"]), case, docx_bytes(text))
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not DocumentTemplate.objects.exists()


def test_syntax_error_is_a_400(populated, api):
    case, users, _ = populated
    response = upload(api(users["coordinator"]), case, docx_bytes("{% for x in exhibits %}no end"))
    assert response.status_code == 400
    assert "syntax" in response.json()["detail"].lower()


def zip_bytes(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("content", [
    b"plain text, not a docx",
    b"%PDF-1.4\n",
    b"PK\x03\x04 broken zip",
    zip_bytes({"hello.txt": b"a zip but no [Content_Types].xml"}),
    zip_bytes({"[Content_Types].xml": b"<Types/>", "mimetype": b"application/vnd.oasis.opendocument.text"}),
], ids=["text", "pdf", "broken-zip", "zip-no-content-types", "not-word"])
def test_non_docx_is_refused(populated, api, data_dir, content):
    case, users, _ = populated
    response = upload(api(users["coordinator"]), case, content)
    assert response.status_code == 400
    assert "docx" in response.json()["detail"].lower()
    assert stored(data_dir) == []


def test_zip_bomb_is_refused(populated, api, data_dir):
    case, users, _ = populated
    real = zipfile.ZipFile(io.BytesIO(docx_bytes("hello")))
    entries = {info.filename: real.read(info.filename) for info in real.infolist()}
    entries["word/media/bomb.bin"] = b"\0" * (40 * 1024 * 1024)  # 40 MB of zeros deflates to ~40 KB
    bomb = zip_bytes(entries)
    assert len(bomb) < 200 * 1024
    response = upload(api(users["coordinator"]), case, bomb)
    assert response.status_code == 400
    assert "bomb" in response.json()["detail"].lower()
    assert stored(data_dir) == []


def test_oversized_template_is_413(populated, api, settings, data_dir):
    case, users, _ = populated
    settings.DOCKET_MAX_TEMPLATE_BYTES = 1000
    response = upload(api(users["coordinator"]), case, docx_bytes("{{ case.title }}"))
    assert response.status_code == 413
    assert response.json()["detail"]
    assert stored(data_dir) == []


def test_privileged_notes_and_identities_only_for_roles_that_may_see_them(populated, api):
    case, users, data = populated
    lead = users["lead"]
    case_services.party_create(user=lead, case=case, role="claimant", person=data["person"])
    lawyer_client = api(users["lawyer"])
    notes = upload(lawyer_client, case, docx_bytes("{{ case.privileged_notes }}"), name="Notes").json()["id"]
    parties = upload(lawyer_client, case, docx_bytes("{% for p in parties %}{{ p.role }}: {{ p.name }}{% endfor %}"),
                     name="Parties").json()["id"]

    assert "Privileged: strategy" in docx_text(fill(lawyer_client, case, notes).content)
    refused = fill(api(users["coordinator"]), case, notes)
    assert refused.status_code == 400
    assert "privileged_notes" in refused.json()["detail"]

    # The case's proceeding is numbered 2a-1/2025: an administrative case, so its parties are named as the CAS does.
    assert "Administrative claimant: Ivan Secretov" in docx_text(fill(lawyer_client, case, parties).content)
    # The context builder itself: an observer's context holds pseudonyms only and no privileged notes.
    from documents.services import template_context

    observer_ctx = template_context(user=users["observer"], case=case, language="en")
    assert observer_ctx["parties"] == [{"role": "Administrative claimant", "name": "Applicant A"}]
    assert "privileged_notes" not in observer_ctx["case"]


def test_template_permissions(populated, api):
    case, users, _ = populated
    template_id = upload(api(users["coordinator"]), case, docx_bytes("{{ case.title }}")).json()["id"]
    # Users who may not generate documents on the case may neither upload to it nor list its templates.
    assert upload(api(users["observer"]), case, docx_bytes("x")).status_code == 403
    assert upload(api(users["outsider"]), case, docx_bytes("x")).status_code == 404
    assert api(users["observer"]).get(LIST).json() == []
    assert api(users["outsider"]).get(f"{LIST}{template_id}/").status_code == 404
    # Filling needs GENERATE_DOCUMENTS on the case.
    assert fill(api(users["observer"]), case, template_id).status_code == 403
    assert fill(api(users["outsider"]), case, template_id).status_code == 404
    assert fill(api(users["lead"]), case, template_id + 100).status_code == 404
    assert api().get(LIST).status_code == 401
    # A case template is deleted by its uploader or a lead of the case, not by another member.
    assert api(users["lawyer"]).delete(f"{LIST}{template_id}/").status_code == 403
    assert api(users["coordinator"]).delete(f"{LIST}{template_id}/").status_code == 204
    assert api(users["coordinator"]).get(LIST).json() == []
    assert DocumentTemplate.history.filter(id=template_id).count() == 2


def test_fill_reports_a_tampered_template_file(populated, api, data_dir):
    case, users, _ = populated
    client = api(users["coordinator"])
    body = upload(client, case, docx_bytes("{{ case.title }}")).json()
    path = data_dir / "templates" / f"{body['sha256']}.docx"
    path.chmod(0o640)
    path.write_bytes(docx_bytes("{{ something_else }}"))
    response = fill(client, case, body["id"])
    assert response.status_code == 400
    assert "changed" in response.json()["detail"]


def test_table_row_loops_and_deadlines_fill(populated, api):
    """The usual docxtpl idiom — a table row repeated per exhibit — and the deadlines of the case."""
    import io as _io

    from docx import Document

    from deadlines.services import deadline_create

    case, users, data = populated
    deadline_create(user=users["lead"], case=case, title="Appeal", due_date="2025-08-01")
    doc = Document()
    doc.add_paragraph("{% for d in deadlines %}{{ d.title }} by {{ d.due_date }}{% endfor %}")
    table = doc.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "{%tr for e in exhibits %}"
    table.rows[1].cells[0].text = "{{ e.number }}"
    table.rows[1].cells[1].text = "{{ e.sha256 }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    buffer = _io.BytesIO()
    doc.save(buffer)
    client = api(users["coordinator"])
    created = upload(client, case, buffer.getvalue(), name="Exhibits table")
    assert created.status_code == 201, created.json()
    filled = Document(_io.BytesIO(fill(client, case, created.json()["id"]).content))
    assert "Appeal by 1\u00a0August 2025" in filled.paragraphs[0].text
    rows = [[c.text for c in row.cells] for row in filled.tables[0].rows]
    items = sorted(data["items"], key=lambda i: i.exhibit.number)
    assert rows == [[str(i.exhibit.number), i.sha256] for i in items]
