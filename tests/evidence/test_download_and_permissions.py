"""Download, restricted items, list and detail visibility, edits — allowed/denied pairs and query counts."""
from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence import services
from evidence.models import CustodyEvent, EvidenceItem
from evidence.permissions import can_download, evidence_for, evidence_perms_map
from evidence.selectors import evidence_list_for_case, evidence_list_for_incident, exhibits_for_case
from tests.evidence.conftest import upload
from tests.factories import CaseFactory, IncidentFactory, add_member

pytestmark = pytest.mark.django_db


def test_download_returns_the_exact_bytes_with_headers_and_a_custody_event(team, api):
    case, users = team
    content = bytes(range(256)) * 1000
    body = upload(api(users["lead"]), content=content, name="recording.bin", case=case.pk).json()
    response = api(users["observer"]).get(f"/api/v1/evidence/{body['id']}/download/",
                                          HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data == content
    assert response["X-Docket-SHA256"] == hashlib.sha256(content).hexdigest()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="recording.bin"' in response["Content-Disposition"]
    event = CustodyEvent.objects.filter(item_id=body["id"]).order_by("-seq").first()
    assert (event.action, event.username) == ("downloaded", "observer")


def test_outsider_download_is_404_and_writes_no_custody_event(team, api):
    case, users = team
    body = upload(api(users["lead"]), case=case.pk).json()
    before = CustodyEvent.objects.count()
    assert api(users["outsider"]).get(f"/api/v1/evidence/{body['id']}/download/").status_code == 404
    assert api(users["outsider"]).get(f"/api/v1/evidence/{body['id']}/").status_code == 404
    assert api(None).get(f"/api/v1/evidence/{body['id']}/download/").status_code == 401
    assert CustodyEvent.objects.count() == before


@pytest.mark.parametrize("role,allowed", [
    ("lead", True), ("lawyer", True), ("researcher", True), ("coordinator", True), ("observer", False),
    ("outsider", False),
])
def test_restricted_download_by_role(team, api, client, role, allowed):
    case, users = team
    body = upload(api(users["lead"]), case=case.pk, restricted="true").json()
    assert body["restricted"] is True
    before = CustodyEvent.objects.count()
    response = api(users[role]).get(f"/api/v1/evidence/{body['id']}/download/")
    assert response.status_code == (200 if allowed else 404)
    client.force_login(users[role])
    assert client.get(f"/evidence/{body['id']}/download/").status_code == (200 if allowed else 404)
    assert CustodyEvent.objects.count() == before + (2 if allowed else 0)
    detail = api(users[role]).get(f"/api/v1/evidence/{body['id']}/")
    assert detail.status_code == (404 if role == "outsider" else 200)
    if role == "observer":
        assert detail.json()["can_download"] is False


def test_restricted_item_of_an_incident_follows_the_incident_case(team, api, incident_of):
    case, users = team
    incident = incident_of(users["lead"], [case])
    body = upload(api(users["lead"]), incident=incident.pk, restricted="true").json()
    item = EvidenceItem.objects.get(pk=body["id"])
    assert can_download(users["coordinator"], item)
    assert not can_download(users["observer"], item)
    assert item in evidence_for(users["observer"])


def test_list_shows_only_visible_items(team, api):
    case, users = team
    upload(api(users["lead"]), content=b"mine", case=case.pk)
    other = CaseFactory(lead=users["outsider"])
    upload(api(users["outsider"]), content=b"theirs", case=other.pk)
    lead_list = api(users["lead"]).get("/api/v1/evidence/").json()
    assert lead_list["count"] == 1
    assert api(users["outsider"]).get("/api/v1/evidence/").json()["count"] == 1
    assert api(users["lead"]).get(f"/api/v1/evidence/?case={other.pk}").json()["count"] == 0


def _fill(case, user, n):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for i in range(n):
        services.evidence_upload(user=user, uploaded_file=SimpleUploadedFile(f"{i}.txt", f"item {i}".encode()),
                                 case=case)


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_is_constant(team, api, n):
    case, users = team
    _fill(case, users["lead"], n)
    client = api(users["observer"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/evidence/?case={case.pk}")
    assert response.status_code == 200
    assert response.json()["count"] == n
    assert len(ctx.captured_queries) <= 12, [q["sql"][:200] for q in ctx.captured_queries]
    numbers = sorted(r["exhibit_number"] for r in response.json()["results"])
    assert numbers == list(range(1, n + 1))


@pytest.mark.parametrize("n", [5, 50])
def test_case_evidence_selector_query_count(team, n, django_assert_max_num_queries):
    case, users = team
    _fill(case, users["lead"], n)
    with django_assert_max_num_queries(3):
        items = evidence_list_for_case(users["observer"], case)
    assert [i.exhibit_number for i in items] == list(range(1, n + 1))
    assert evidence_list_for_case(users["outsider"], case) == []
    assert exhibits_for_case(user=users["outsider"], case=case) == []


def test_incident_evidence_selector(team, api, incident_of):
    case, users = team
    incident = incident_of(users["lead"], [case])
    upload(api(users["lead"]), incident=incident.pk, case=case.pk)
    items = evidence_list_for_incident(users["observer"], incident)
    assert len(items) == 1 and items[0].exhibit_number == 1
    assert evidence_list_for_incident(users["outsider"], incident) == []


def test_perms_map(team, api):
    case, users = team
    body = upload(api(users["lead"]), case=case.pk, restricted="true").json()
    pk = body["id"]
    assert evidence_perms_map(users["lead"], [pk])[pk] == {"view", "edit", "download"}
    assert evidence_perms_map(users["observer"], [pk])[pk] == {"view"}
    assert evidence_perms_map(users["coordinator"], [pk])[pk] == {"view", "download"}
    assert evidence_perms_map(users["outsider"], [pk])[pk] == frozenset()


def test_patch_by_editor_and_denied_pairs(team, api):
    case, users = team
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    ok = api(users["researcher"]).patch(f"/api/v1/evidence/{pk}/", {"title": "CCTV still", "restricted": True},
                                        format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["title"] == "CCTV still" and ok.json()["restricted"] is True
    actions = list(CustodyEvent.objects.filter(item_id=pk).values_list("action", flat=True))
    assert actions == ["uploaded", "edited", "restricted"]
    assert api(users["observer"]).patch(f"/api/v1/evidence/{pk}/", {"title": "x"}, format="json").status_code == 403
    assert api(users["outsider"]).patch(f"/api/v1/evidence/{pk}/", {"title": "x"}, format="json").status_code == 404
    assert api(users["lead"]).patch(f"/api/v1/evidence/{pk}/", {"sha256": "0" * 64}, format="json").status_code == 400
    assert EvidenceItem.objects.get(pk=pk).title == "CCTV still"


def test_trash_and_restore(team, api):
    case, users = team
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    assert api(users["observer"]).delete(f"/api/v1/evidence/{pk}/").status_code == 403
    assert api(users["lead"]).delete(f"/api/v1/evidence/{pk}/").status_code == 204
    assert api(users["lead"]).get("/api/v1/evidence/").json()["count"] == 0
    assert api(users["lead"]).get("/api/v1/evidence/?trashed=1").json()["count"] == 1
    assert api(users["lead"]).post(f"/api/v1/evidence/{pk}/restore/").status_code == 200
    assert api(users["lead"]).get("/api/v1/evidence/").json()["count"] == 1


def test_link_and_unlink_through_the_api(team, api):
    case, users = team
    second = CaseFactory(lead=users["lead"])
    add_member(second, users["observer"], "observer")
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    linked = api(users["lead"]).post(f"/api/v1/evidence/{pk}/link/", {"case": second.pk}, format="json")
    assert linked.status_code == 200
    assert {(e["case"], e["number"]) for e in linked.json()["exhibits"]} == {(case.pk, 1), (second.pk, 1)}
    assert api(users["observer"]).post(f"/api/v1/evidence/{pk}/unlink/", {"case": second.pk},
                                       format="json").status_code == 403
    assert api(users["lead"]).post(f"/api/v1/evidence/{pk}/unlink/", {"case": second.pk}, format="json").status_code == 200
    last = api(users["lead"]).post(f"/api/v1/evidence/{pk}/unlink/", {"case": case.pk}, format="json")
    assert last.status_code == 400  # an item must stay linked somewhere
    actions = list(CustodyEvent.objects.filter(item_id=pk).values_list("action", flat=True))
    assert actions == ["uploaded", "linked", "unlinked"]


def test_trashed_case_hides_its_evidence(team, api):
    from cases.services import case_trash

    case, users = team
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    case_trash(user=users["lead"], case=case)
    assert api(users["observer"]).get(f"/api/v1/evidence/{pk}/").status_code == 404


def test_incident_shared_evidence_visibility(api):
    from tests.factories import UserFactory

    author, reader = UserFactory(), UserFactory()
    incident = IncidentFactory(user=author)
    from cases.services import incident_share

    incident_share(actor=author, incident=incident, user=reader)
    pk = upload(api(author), incident=incident.pk, restricted="true").json()["id"]
    assert api(reader).get(f"/api/v1/evidence/{pk}/").status_code == 200
    assert api(reader).get(f"/api/v1/evidence/{pk}/download/").status_code == 404
    assert api(author).get(f"/api/v1/evidence/{pk}/download/").status_code == 200


def test_filtering_by_a_case_the_user_cannot_see_reveals_nothing(team, api):
    """An item shared by two cases is not listed under the case the caller may not view."""
    case, users = team
    hidden = CaseFactory(lead=users["lead"])
    pk = upload(api(users["lead"]), case=case.pk).json()["id"]
    services.evidence_link_case(user=users["lead"], item=EvidenceItem.objects.get(pk=pk), case=hidden)
    assert api(users["lead"]).get(f"/api/v1/evidence/?case={hidden.pk}").json()["count"] == 1
    assert api(users["observer"]).get(f"/api/v1/evidence/?case={hidden.pk}").json()["count"] == 0
    detail = api(users["observer"]).get(f"/api/v1/evidence/{pk}/").json()
    assert [e["case"] for e in detail["exhibits"]] == [case.pk]


def test_admin_is_closed_to_staff_and_changes_nothing(team, api, client):
    """Even a member of the case, staff with every evidence permission, opens no evidence screen in the admin."""
    case, users = team
    mine = upload(api(users["lead"]), content=b"visible", case=case.pk).json()["id"]
    other = CaseFactory(lead=users["outsider"])
    theirs = upload(api(users["outsider"]), content=b"hidden", case=other.pk).json()["id"]
    staff = users["observer"]
    staff.is_staff = True
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="evidence"))
    from tests.conftest import login_with_two_factors

    login_with_two_factors(client, staff)  # staff sign in with two factors; even then the admin stays closed
    assert client.get("/admin/evidence/evidenceitem/").status_code == 403
    for item in (mine, theirs):
        assert client.get(f"/admin/evidence/evidenceitem/{item}/change/").status_code == 403
        assert client.get(f"/admin/evidence/evidenceitem/{item}/history/").status_code == 403
        assert client.post(f"/admin/evidence/evidenceitem/{item}/change/", {"title": "x"}).status_code == 403
        assert EvidenceItem.objects.get(pk=item).title != "x"
    assert client.get("/admin/evidence/custodyevent/").status_code == 403
