"""The Documents tab of a case: who sees what, and the forms that upload, fill and make a dossier."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import DocumentTemplate
from tests.documents.conftest import docx_bytes


def page(case):
    return reverse("case-documents", args=[case.pk])


@pytest.mark.parametrize("role", ["lead", "lawyer", "coordinator"])
def test_generating_roles_see_every_download(populated, client, role):
    case, users, _ = populated
    client.force_login(users[role])
    response = client.get(page(case))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("api-exhibit-list", "api-chronology", "api-custody-report", "api-bundle"):
        assert reverse(name, args=[case.pk]) in html
    assert reverse("case-documents-dossier", args=[case.pk]) in html
    assert "documents/documents.js" in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style


@pytest.mark.parametrize("role", ["researcher", "observer"])
def test_members_who_cannot_generate_see_why_and_no_links(populated, client, role):
    case, users, _ = populated
    client.force_login(users[role])
    response = client.get(page(case))
    assert response.status_code == 200
    assert reverse("api-bundle", args=[case.pk]) not in response.content.decode()


def test_outsider_and_anonymous_are_kept_out(populated, client):
    case, users, _ = populated
    client.force_login(users["outsider"])
    assert client.get(page(case)).status_code == 404
    client.logout()
    assert client.get(page(case)).status_code == 302


def test_upload_and_fill_through_the_page(populated, client):
    case, users, _ = populated
    client.force_login(users["coordinator"])
    response = client.post(reverse("case-documents-template-upload", args=[case.pk]),
                           {"name": "Cover letter", "file": SimpleUploadedFile("c.docx", docx_bytes("{{ case.title }}"))})
    assert response.status_code == 302
    template = DocumentTemplate.objects.get()
    html = client.get(page(case)).content.decode()
    assert "Cover letter" in html and "uploaded" in html
    filled = client.get(reverse("case-documents-template-fill", args=[case.pk, template.pk]))
    assert filled.status_code == 200 and filled["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_refused_upload_is_explained_on_the_page(populated, client):
    case, users, _ = populated
    client.force_login(users["coordinator"])
    response = client.post(reverse("case-documents-template-upload", args=[case.pk]),
                           {"name": "Bad", "file": SimpleUploadedFile("c.docx", docx_bytes("{{ case.titel }}"))},
                           follow=True)
    assert "case.titel" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_dossier_form_with_a_bad_period_comes_back_with_a_message(populated, client):
    case, users, _ = populated
    client.force_login(users["lead"])
    url = reverse("case-documents-dossier", args=[case.pk])
    response = client.get(url, {"from": "2025-05-01", "to": "2025-01-01"}, follow=True)
    assert "could not be made" in response.content.decode()
    ok = client.get(url, {"category": "wrongful_stop"})
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxmlformats")


def test_observer_cannot_post_uploads(populated, client):
    case, users, _ = populated
    client.force_login(users["observer"])
    response = client.post(reverse("case-documents-template-upload", args=[case.pk]),
                           {"name": "X", "file": SimpleUploadedFile("c.docx", docx_bytes("x"))})
    assert response.status_code == 403
    assert not DocumentTemplate.objects.exists()


def test_the_page_says_which_procedure_names_the_parties_and_who_signs(populated, client, monkeypatch):
    from documents import conversion

    case, users, _ = populated
    monkeypatch.setattr(conversion, "soffice_path", lambda: "/usr/bin/soffice")
    client.force_login(users["lead"])
    html = client.get(page(case)).content.decode()
    assert "Code of Administrative Procedure of the Russian Federation" in html and "2a-1/2025" in html
    assert reverse("documents-signature") in html and "are not complete" in html
    for name in ("api-exhibit-list-pdf", "api-chronology-pdf", "api-custody-report-pdf", "api-bundle-pdf"):
        assert reverse(name, args=[case.pk]) in html
    chosen = client.get(page(case), {"procedure": "echr", "lang": "ru"}).content.decode()
    assert "procedure=echr" in chosen and "chosen when the document was requested" in chosen
    monkeypatch.setattr(conversion, "soffice_path", lambda: None)
    html = client.get(page(case)).content.decode()
    assert reverse("api-exhibit-list-pdf", args=[case.pk]) not in html and "LibreOffice" in html
