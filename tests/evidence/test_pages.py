"""Evidence pages: detail (metadata, hash, custody, verify), upload (plain form and XHR), preview, the list include."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from evidence.models import CustodyEvent, EvidenceItem
from evidence.selectors import evidence_list_for_case
from tests.evidence.conftest import png_bytes, stored_files, upload
from tests.evidence.test_extraction import make_pdf

pytestmark = pytest.mark.django_db


def test_detail_page_shows_hash_metadata_and_custody(team, api, client):
    case, users = team
    body = upload(api(users["lead"]), content=png_bytes(), name="still.png", case=case.pk, title="Camera still").json()
    client.force_login(users["observer"])
    page = client.get(f"/evidence/{body['id']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert body["sha256"] in html and "Camera still" in html and "Chain of custody" in html
    assert 'id="verify-button"' in html
    assert "<script>" not in html.replace('<script src=', '')
    client.force_login(users["outsider"])
    assert client.get(f"/evidence/{body['id']}/").status_code == 404


def test_verify_button_records_and_reports(team, api, client):
    case, users = team
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    client.force_login(users["observer"])
    response = client.post(f"/evidence/{pk}/verify/", follow=True)
    assert response.status_code == 200
    assert "Verified" in response.content.decode()
    assert CustodyEvent.objects.filter(item_id=pk, action="verified").count() == 1
    client.force_login(users["outsider"])
    assert client.post(f"/evidence/{pk}/verify/").status_code == 404
    assert CustodyEvent.objects.filter(item_id=pk, action="verified").count() == 1


def test_upload_page_form_post_redirects_to_the_item(team, client, data_dir):
    case, users = team
    client.force_login(users["researcher"])
    page = client.get(f"/evidence/upload/?case={case.pk}")
    assert page.status_code == 200 and b"upload.js" in page.content and b"<progress" in page.content
    response = client.post(f"/evidence/upload/?case={case.pk}", {
        "file": SimpleUploadedFile("notes.txt", b"field notes"), "title": "Field notes", "kind": "testimony",
    })
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert response["Location"] == f"/evidence/{item.pk}/"
    assert (item.title, item.kind, item.exhibits.get().number) == ("Field notes", "testimony", 1)


def test_upload_page_xhr_answers_json(team, client):
    case, users = team
    client.force_login(users["lead"])
    response = client.post(f"/evidence/upload/?case={case.pk}", {"file": SimpleUploadedFile("a.txt", b"abc")},
                           HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 201
    assert response.json()["url"].startswith("/evidence/")


def test_upload_page_denied_pairs(team, client, data_dir):
    case, users = team
    for role in ("outsider", "observer"):
        client.force_login(users[role])
        assert client.get(f"/evidence/upload/?case={case.pk}").status_code == 404
        response = client.post(f"/evidence/upload/?case={case.pk}", {"file": SimpleUploadedFile("a.txt", b"abc")})
        assert response.status_code == 404
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []
    client.logout()
    assert client.get(f"/evidence/upload/?case={case.pk}").status_code == 302


def test_upload_page_csrf_is_enforced(team, data_dir):
    from django.test import Client

    case, users = team
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["lead"])
    response = client.post(f"/evidence/upload/?case={case.pk}", {"file": SimpleUploadedFile("a.txt", b"abc")})
    assert response.status_code == 403
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []


def test_empty_file_on_the_page_is_400(team, client, data_dir):
    case, users = team
    client.force_login(users["lead"])
    response = client.post(f"/evidence/upload/?case={case.pk}", {"file": SimpleUploadedFile("a.txt", b"")})
    assert response.status_code == 400
    assert stored_files(data_dir) == []


def test_pdf_preview_is_sandboxed_and_exactly_application_pdf(team, api, client):
    case, users = team
    pk = upload(api(users["lead"]), content=make_pdf("hello"), name="r.html", case=case.pk).json()["id"]
    client.force_login(users["observer"])
    response = client.get(f"/evidence/{pk}/preview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert CustodyEvent.objects.filter(item_id=pk, action="previewed").count() == 1


def test_no_preview_for_text_and_restricted_preview_denied(team, api, client):
    case, users = team
    text_pk = upload(api(users["lead"]), content=b"<html><script>x</script>", name="a.html", case=case.pk).json()["id"]
    img_pk = upload(api(users["lead"]), content=png_bytes(), case=case.pk, restricted="true").json()["id"]
    client.force_login(users["observer"])
    assert client.get(f"/evidence/{text_pk}/preview/").status_code == 404
    assert client.get(f"/evidence/{img_pk}/preview/").status_code == 404
    assert CustodyEvent.objects.filter(action="previewed").count() == 0


def test_list_include_renders_exhibit_numbers(team, api):
    case, users = team
    for i in range(3):
        upload(api(users["lead"]), content=f"item {i}".encode(), name=f"<b>{i}</b>.txt", case=case.pk)
    html = render_to_string("evidence/_list.html", {"items": evidence_list_for_case(users["observer"], case)})
    assert html.count("/evidence/") == 3
    assert "<b>" not in html
    assert render_to_string("evidence/_list.html", {"items": []}).count("No evidence yet") == 1


def test_edit_page_changes_fields_with_custody_and_denies_others(team, api, client):
    case, users = team
    pk = upload(api(users["lead"]), case=case.pk, title="Old").json()["id"]
    client.force_login(users["observer"])
    assert client.get(f"/evidence/{pk}/edit/").status_code == 404
    assert client.post(f"/evidence/{pk}/edit/", {"title": "Hacked", "kind": "other"}).status_code == 404
    client.force_login(users["researcher"])
    assert client.get(f"/evidence/{pk}/edit/").status_code == 200
    response = client.post(f"/evidence/{pk}/edit/", {"title": "New", "kind": "web_capture", "restricted": "on"})
    assert response.status_code == 302
    item = EvidenceItem.objects.get(pk=pk)
    assert (item.title, item.kind, item.restricted) == ("New", "web_capture", True)
    assert list(item.custody_events.values_list("action", flat=True)) == ["uploaded", "edited", "restricted"]
    assert item.history.first().history_user == users["researcher"]


def test_trash_and_restore_from_the_page(team, api, client):
    case, users = team
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    client.force_login(users["observer"])
    assert client.post(f"/evidence/{pk}/trash/").status_code == 404
    client.force_login(users["lead"])
    assert client.post(f"/evidence/{pk}/trash/").status_code == 302
    assert EvidenceItem.objects.get(pk=pk).deleted_at is not None
    assert evidence_list_for_case(users["lead"], case) == []
    assert client.post(f"/evidence/{pk}/trash/", {"restore": "1"}).status_code == 302
    assert EvidenceItem.objects.get(pk=pk).deleted_at is None
