"""POST /api/v1/evidence/: the contract, permissions, exhibit numbers, duplicates."""
from __future__ import annotations

import hashlib

import pytest

from evidence import storage
from evidence.models import CaseExhibit, CustodyEvent, EvidenceItem
from tests.evidence.conftest import png_bytes, stored_files, upload

pytestmark = pytest.mark.django_db


def test_upload_returns_the_contract_fields_and_stores_the_bytes(team, api, data_dir):
    """A researcher's upload answers 201 with the digest of the bytes, sniffed type and exhibit number 1."""
    case, users = team
    content = png_bytes()
    response = upload(api(users["researcher"]), content=content, name="photo.txt", case=case.pk, title="Camera")
    assert response.status_code == 201, response.content
    body = response.json()
    for field in ("id", "sha256", "size", "media_type", "original_filename", "exhibit_number", "created_at"):
        assert field in body
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content)
    assert body["media_type"] == "image/png"  # from the bytes, not the ".txt" name
    assert body["original_filename"] == "photo.txt"
    assert body["exhibit_number"] == 1
    assert body["duplicate_of"] is None
    assert body["kind"] == "photo"
    path = storage.blob_path(body["sha256"])
    assert path.read_bytes() == content
    assert (path.stat().st_mode & 0o777) == 0o440
    assert list((data_dir / "tmp").iterdir()) == []
    event = CustodyEvent.objects.get(item_id=body["id"])
    assert (event.action, event.username, event.sha256) == ("uploaded", "researcher", body["sha256"])


def test_exhibit_numbers_are_sequential_per_case_and_never_reused(team, api):
    case, users = team
    client = api(users["lawyer"])
    numbers = [upload(client, content=f"doc {i}".encode(), case=case.pk).json()["exhibit_number"] for i in range(3)]
    assert numbers == [1, 2, 3]
    from evidence import services
    from tests.factories import IncidentFactory

    item3 = EvidenceItem.objects.get(exhibits__number=3)
    incident = IncidentFactory(user=users["lead"], cases=[case])
    services.evidence_link_incident(user=users["lead"], item=item3, incident=incident)
    services.evidence_unlink_case(user=users["lead"], item=item3, case=case)
    assert upload(client, content=b"doc 4", case=case.pk).json()["exhibit_number"] == 4
    services.evidence_link_case(user=users["lead"], item=item3, case=case)
    assert CaseExhibit.objects.get(item=item3, case=case).number == 3


def test_same_bytes_are_stored_once_and_reported_as_duplicate(team, api, data_dir):
    case, users = team
    client = api(users["lead"])
    first = upload(client, content=b"same bytes", case=case.pk).json()
    second = upload(client, content=b"same bytes", case=case.pk).json()
    assert second["duplicate_of"] == first["id"]
    assert second["sha256"] == first["sha256"]
    assert len([p for p in stored_files(data_dir)]) == 1


def test_duplicate_in_a_case_the_uploader_cannot_see_is_not_revealed(team, api):
    case, users = team
    from tests.factories import CaseFactory

    other = CaseFactory(lead=users["outsider"])
    upload(api(users["outsider"]), content=b"secret bytes", case=other.pk)
    body = upload(api(users["lead"]), content=b"secret bytes", case=case.pk).json()
    assert body["duplicate_of"] is None


@pytest.mark.parametrize("role", ["outsider"])
def test_upload_to_a_case_the_user_cannot_see_is_404_and_stores_nothing(team, api, data_dir, role):
    case, users = team
    response = upload(api(users[role]), case=case.pk)
    assert response.status_code == 404
    assert response.json()["detail"]
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []


def test_upload_to_a_missing_case_looks_the_same_as_a_forbidden_one(team, api, data_dir):
    case, users = team
    forbidden = upload(api(users["outsider"]), case=case.pk)
    missing = upload(api(users["outsider"]), case=case.pk + 1000)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert stored_files(data_dir) == []


@pytest.mark.parametrize("role", ["observer", "coordinator"])
def test_roles_without_edit_evidence_cannot_upload(team, api, data_dir, role):
    case, users = team
    response = upload(api(users[role]), case=case.pk)
    assert response.status_code == 403
    assert EvidenceItem.objects.count() == 0
    assert stored_files(data_dir) == []


def test_upload_needs_a_case_or_an_incident(team, api, data_dir):
    case, users = team
    response = upload(api(users["lead"]))
    assert response.status_code == 400
    assert "case" in response.json()["errors"]
    assert stored_files(data_dir) == []


def test_upload_without_a_file_is_400(team, api):
    case, users = team
    response = api(users["lead"]).post("/api/v1/evidence/", {"case": case.pk}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_anonymous_upload_is_401(team, api, data_dir):
    case, users = team
    response = upload(api(None), case=case.pk)
    assert response.status_code == 401
    assert stored_files(data_dir) == []


def test_upload_to_an_incident_needs_change_incident(team, api, incident_of):
    case, users = team
    incident = incident_of(users["lead"], [case])
    ok = upload(api(users["researcher"]), incident=incident.pk, content=b"witness statement")
    assert ok.status_code == 201, ok.content
    assert ok.json()["exhibit_number"] is None
    assert ok.json()["incidents"] == [incident.pk]
    assert upload(api(users["observer"]), incident=incident.pk, content=b"x").status_code == 403
    assert upload(api(users["outsider"]), incident=incident.pk, content=b"y").status_code == 404
    assert EvidenceItem.objects.count() == 1


def test_unlinked_incident_evidence_is_for_its_author(api, incident_of):
    from tests.factories import UserFactory

    author, stranger = UserFactory(), UserFactory()
    incident = incident_of(author)
    body = upload(api(author), incident=incident.pk, content=b"note").json()
    assert api(author).get(f"/api/v1/evidence/{body['id']}/").status_code == 200
    assert api(stranger).get(f"/api/v1/evidence/{body['id']}/").status_code == 404


def test_unknown_fields_and_bad_ids_are_400(team, api, data_dir):
    case, users = team
    assert upload(api(users["lead"]), case="abc").status_code == 400
    assert upload(api(users["lead"]), case=case.pk, sha256="0" * 64).status_code == 400
    assert upload(api(users["lead"]), case=case.pk, kind="weapon").status_code == 400
    assert stored_files(data_dir) == []


def test_openapi_schema_describes_the_evidence_endpoints(team, api):
    case, users = team
    response = api(users["lead"]).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/evidence/", "/api/v1/evidence/{id}/", "/api/v1/evidence/{id}/download/",
                 "/api/v1/evidence/{id}/custody/", "/api/v1/evidence/{id}/verify/"):
        assert path in paths
    assert "multipart/form-data" in paths["/api/v1/evidence/"]["post"]["requestBody"]["content"]
