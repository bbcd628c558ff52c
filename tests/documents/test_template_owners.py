"""Issue 13: a template belongs to a case or to the site, never to everyone; older ones stay with their uploader.
And the signature details each user keeps for their documents."""
from __future__ import annotations

from importlib import import_module

import pytest

from tests.conftest import login_with_two_factors
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import DocumentTemplate, UserProfile
from documents.services import template_context
from tests.documents.conftest import docx_bytes, docx_text
from tests.factories import CaseFactory, UserFactory, add_member

LIST = "/api/v1/document-templates/"


def upload(client, case=None, text="{{ case.title }}", name="Letter"):
    data = {"name": name, "file": SimpleUploadedFile("letter.docx", docx_bytes(text))}
    if case is not None:
        data["case"] = case.pk
    return client.post(LIST, data, format="multipart")


@pytest.fixture
def two_cases(team):
    """The team's case, and another case with its own lead and coordinator (who is also a lawyer on the first)."""
    case, users = team
    other_lead = UserFactory(username="other-lead")
    other = CaseFactory(lead=other_lead, title="Another NGO's case")
    users["other-lead"] = other_lead
    users["staff"] = UserFactory(username="staff", is_staff=True)
    return case, other, users


def ids(client, **params) -> list[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [t["id"] for t in response.json()]


def test_a_case_template_is_seen_and_used_only_by_that_cases_generating_members(two_cases, api):
    case, other, users = two_cases
    secret = upload(api(users["coordinator"]), case, "Client: Ivan Secretov {{ case.title }}").json()["id"]
    assert ids(api(users["lead"])) == [secret] and ids(api(users["lawyer"]), case=case.pk) == [secret]
    # Another case's lead, an observer, a researcher, an outsider: nothing, and a 404 for the id.
    for who in ("other-lead", "observer", "researcher", "outsider"):
        assert secret not in ids(api(users[who]))
        assert api(users[who]).get(f"{LIST}{secret}/").status_code == 404
    # Not usable on another case, even by someone who may generate documents there.
    add_member(other, users["coordinator"], "lawyer")
    fill = api(users["coordinator"]).get(f"/api/v1/cases/{other.pk}/documents/templates/{secret}/fill.docx")
    assert fill.status_code == 404
    assert ids(api(users["coordinator"]), case=other.pk) == []
    # A hidden or missing case in the filter answers the same: an empty list.
    assert ids(api(users["other-lead"]), case=case.pk) == ids(api(users["other-lead"]), case=999999) == []
    assert api(users["lead"]).get(LIST, {"case": "abc"}).status_code == 400


def test_site_templates_are_uploaded_and_managed_by_staff_only(two_cases, api):
    case, other, users = two_cases
    refused = upload(api(users["lead"]))
    assert refused.status_code == 403 and not DocumentTemplate.objects.exists()
    site = upload(api(users["staff"])).json()
    assert site["scope"] == "site" and site["case"] is None
    for who in ("lead", "coordinator", "other-lead"):
        assert site["id"] in ids(api(users[who]))
    assert site["id"] not in ids(api(users["observer"]))  # who may generate documents nowhere sees none
    filled = api(users["other-lead"]).get(f"/api/v1/cases/{other.pk}/documents/templates/{site['id']}/fill.docx")
    assert filled.status_code == 200 and "Another NGO's case" in docx_text(filled.content)
    assert api(users["lead"]).delete(f"{LIST}{site['id']}/").status_code == 403
    assert api(users["staff"]).delete(f"{LIST}{site['id']}/").status_code == 204


def test_a_lead_of_the_case_may_delete_its_templates(two_cases, api):
    case, _other, users = two_cases
    template = upload(api(users["coordinator"]), case).json()["id"]
    assert api(users["lawyer"]).delete(f"{LIST}{template}/").status_code == 403
    assert api(users["lead"]).delete(f"{LIST}{template}/").status_code == 204


def test_older_templates_stay_with_their_uploader_until_attached(two_cases, api):
    """The migration: staff uploads become site-wide; anyone else's stays theirs alone until they attach it."""
    case, other, users = two_cases
    template_file = upload(api(users["coordinator"]), case).json()
    staff_file = upload(api(users["staff"])).json()
    # Back to how every template was before they had an owner.
    DocumentTemplate.objects.update(scope="personal", case=None)
    import_module("documents.migrations.0002_template_owner_and_user_profile").assign_owners(apps, None)
    mine = DocumentTemplate.objects.get(pk=template_file["id"])
    assert mine.scope == "personal" and mine.case is None
    assert DocumentTemplate.objects.get(pk=staff_file["id"]).scope == "site"
    assert mine.history.first().history_change_reason.startswith("templates now belong to a case or the site")

    assert mine.pk in ids(api(users["coordinator"]))
    assert mine.pk not in ids(api(users["lead"])) and mine.pk not in ids(api(users["lawyer"]))
    # Only its uploader attaches it, and only to a case where they may generate documents.
    assert api(users["lead"]).post(f"{LIST}{mine.pk}/attach/", {"case": case.pk}).status_code == 404
    assert api(users["coordinator"]).post(f"{LIST}{mine.pk}/attach/", {"case": other.pk}).status_code == 404
    assert api(users["coordinator"]).post(f"{LIST}{mine.pk}/attach/", {"case": "x"}).status_code == 400
    attached = api(users["coordinator"]).post(f"{LIST}{mine.pk}/attach/", {"case": case.pk})
    assert attached.status_code == 200 and attached.json()["scope"] == "case"
    assert mine.pk in ids(api(users["lead"]))
    again = api(users["coordinator"]).post(f"{LIST}{mine.pk}/attach/", {"case": case.pk})
    assert again.status_code == 403  # it belongs to a case now


def test_attach_through_the_page(two_cases, client):
    case, _other, users = two_cases
    template = DocumentTemplate.objects.create(name="Old", sha256="0" * 64, size=1, uploaded_by=users["lead"],
                                               scope="personal")
    client.force_login(users["lead"])
    page = client.get(f"/cases/{case.pk}/documents/").content.decode()
    assert "Give to this case" in page
    response = client.post(f"/cases/{case.pk}/documents/templates/{template.pk}/attach/")
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.scope, template.case_id) == ("case", case.pk)


# --- Signature details ---------------------------------------------------------------------------------------------
def test_a_user_edits_their_signature_details_and_documents_carry_them(populated, api, client):
    case, users, _ = populated
    client.force_login(users["coordinator"])
    assert client.get("/documents/signature/").status_code == 200
    response = client.post("/documents/signature/", {
        "full_name": "Воронова Анна Сергеевна", "position": "Представитель административного истца",
        "power_of_attorney": "доверенность от 10 января 2025 г. № 77 АА 1234567", "place": "г. Москва",
        "next": f"/cases/{case.pk}/documents/"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/documents/"
    profile = UserProfile.objects.get(user=users["coordinator"])
    assert profile.history.first().history_user == users["coordinator"]
    text = docx_text(api(users["coordinator"]).get(f"/api/v1/cases/{case.pk}/documents/chronology.docx").content)
    assert "Воронова Анна Сергеевна" in text and "доверенность от 10 января 2025 г." in text
    assert "г. Москва, " in text
    context = template_context(user=users["coordinator"], case=case, language="ru")
    assert context["signature"]["full_name"] == "Воронова Анна Сергеевна"
    # Someone else's details are not theirs to change: the page edits the caller's own only.
    client.force_login(users["lead"])
    client.post("/documents/signature/", {"full_name": "Lead Person"})
    assert UserProfile.objects.get(user=users["coordinator"]).full_name == "Воронова Анна Сергеевна"


def test_signature_page_refuses_bad_input_and_needs_a_login(db, client):
    assert client.get("/documents/signature/").status_code == 302
    user = UserFactory(username="u")
    client.force_login(user)
    response = client.post("/documents/signature/", {"full_name": "x" * 301})
    assert response.status_code == 400 and not UserProfile.objects.exists()
    response = client.post("/documents/signature/", {"full_name": "Ok", "next": "//evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/documents/signature/"


def test_signature_details_in_the_admin_for_superusers_only(db, client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    staff = UserFactory(username="staffer", is_staff=True)
    profile = UserProfile.objects.create(user=staff, full_name="Staff Person")
    login_with_two_factors(client, root)
    assert client.get(f"/admin/documents/userprofile/{profile.pk}/change/").status_code == 200
    assert client.get("/admin/documents/documenttemplate/").status_code == 200
    login_with_two_factors(client, staff)
    assert client.get(f"/admin/documents/userprofile/{profile.pk}/change/").status_code in (403, 404)
    assert client.get("/admin/documents/documenttemplate/").status_code in (403, 404)


def test_a_cyrillic_template_name_is_kept_in_the_file_name(two_cases, api):
    case, _other, users = two_cases
    template = upload(api(users["lead"]), case, name="Иск в суд").json()["id"]
    response = api(users["lead"]).get(f"/api/v1/cases/{case.pk}/documents/templates/{template}/fill.docx",
                                      {"lang": "ru"})
    header = response["Content-Disposition"]
    assert "filename*=UTF-8''" in header and "%D0%98%D1%81%D0%BA_%D0%B2_%D1%81%D1%83%D0%B4.docx" in header
    assert header.startswith('attachment; filename="') and response["Content-Language"] == "ru"
