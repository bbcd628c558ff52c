"""Derived data follow the bytes, and evidence moves only with the right to move it (docs/access-model.md)."""
from __future__ import annotations

import re

import pytest

from cases.models import Role
from evidence import services
from evidence.models import CaseExhibit, CustodyEvent, EvidenceItem
from tests.evidence.conftest import png_bytes, upload
from tests.factories import CaseFactory, IncidentFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Witness statement naming ZEBRAFINCH at the turnstile"
GPS = {"exif": {"GPSInfo": {"lat": 55.7358, "lon": 37.5932}, "BodySerialNumber": "SN-4242"}}


def _restricted_item(users, case) -> EvidenceItem:
    body = upload(_api(users["lead"]), case=case.pk, restricted="true", content=png_bytes(), name="still.png").json()
    item = EvidenceItem.objects.get(pk=body["id"])
    services.evidence_extraction_save(item=item, state=EvidenceItem.Extraction.DONE, text=SECRET_TEXT,
                                      metadata=GPS)
    return EvidenceItem.objects.get(pk=item.pk)


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def _events(item, action) -> list[CustodyEvent]:
    return list(CustodyEvent.objects.filter(item=item, action=action).order_by("seq"))


def test_an_observer_gets_no_derived_data_of_a_restricted_item(team, client):
    case, users = team
    item = _restricted_item(users, case)
    detail = _api(users["observer"]).get(f"/api/v1/evidence/{item.pk}/").json()
    assert detail["restricted"] is True and detail["can_download"] is False
    for name in ("metadata", "extracted_text_chars", "extraction_error"):
        assert name not in detail
    listing = _api(users["observer"]).get(f"/api/v1/evidence/?case={case.pk}").content.decode()
    assert "55.7358" not in listing and "SN-4242" not in listing
    client.force_login(users["observer"])
    page = client.get(f"/evidence/{item.pk}/").content.decode()
    assert "ZEBRAFINCH" not in page and "55.7358" not in page and "SN-4242" not in page
    assert client.get(f"/evidence/{item.pk}/preview/").status_code == 404
    assert not _events(item, CustodyEvent.Action.VIEWED)


def test_a_lawyer_reads_them_and_each_read_is_in_the_custody_log(team, client):
    case, users = team
    item = _restricted_item(users, case)
    detail = _api(users["lawyer"]).get(f"/api/v1/evidence/{item.pk}/").json()
    assert detail["metadata"] == GPS
    viewed = _events(item, CustodyEvent.Action.VIEWED)
    assert [(e.username, e.detail["what"]) for e in viewed] == [("lawyer", ["metadata"])]
    # a list never carries a restricted item's metadata, so a list is not a read of it
    listing = _api(users["lawyer"]).get(f"/api/v1/evidence/?case={case.pk}").json()["results"]
    assert "metadata" not in listing[0]
    assert len(_events(item, CustodyEvent.Action.VIEWED)) == 1
    client.force_login(users["lawyer"])
    page = client.get(f"/evidence/{item.pk}/").content.decode()
    assert "ZEBRAFINCH" in page and "SN-4242" in page
    assert len(_events(item, CustodyEvent.Action.VIEWED)) == 2


def test_the_thumbnails_of_one_page_view_are_one_custody_event(team, client):
    case, users = team
    item = _restricted_item(users, case)
    client.force_login(users["lawyer"])
    page = client.get(f"/evidence/{item.pk}/").content.decode()
    src = re.search(r'src="(/evidence/\d+/preview/\?view=[^"]+)"', page).group(1).replace("&amp;", "&")
    for _ in range(3):
        response = client.get(src)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert len(_events(item, CustodyEvent.Action.PREVIEWED)) == 1
    # a second page view is a second read
    page = client.get(f"/evidence/{item.pk}/").content.decode()
    src = re.search(r'src="(/evidence/\d+/preview/\?view=[^"]+)"', page).group(1).replace("&amp;", "&")
    client.get(src)
    assert len(_events(item, CustodyEvent.Action.PREVIEWED)) == 2
    # a token made for another user does not hide this user's reads
    client.force_login(users["lead"])
    client.get(src)
    client.get(src)
    assert len(_events(item, CustodyEvent.Action.PREVIEWED)) == 4


def test_a_researcher_cannot_carry_a_restricted_exhibit_into_a_case_of_their_own(team):
    """The example of issue 13: link it into their case, add an outsider who downloads it."""
    case, users = team
    item = _restricted_item(users, case)
    theirs = CaseFactory(lead=users["researcher"])
    outsider = UserFactory()
    add_member(theirs, outsider, Role.LAWYER, actor=users["researcher"])
    response = _api(users["researcher"]).post(f"/api/v1/evidence/{item.pk}/link/", {"case": theirs.pk},
                                              format="json")
    assert response.status_code == 403
    assert not CaseExhibit.objects.filter(case=theirs).exists()
    assert _api(outsider).get(f"/api/v1/evidence/{item.pk}/download/").status_code == 404
    # nor through an incident of their own
    own_incident = IncidentFactory(user=users["researcher"])
    response = _api(users["researcher"]).post(f"/api/v1/evidence/{item.pk}/link/", {"incident": own_incident.pk},
                                              format="json")
    assert response.status_code == 403
    assert not item.incidents.exists()
    assert [e.action for e in CustodyEvent.objects.filter(item=item)] == ["uploaded"]


def test_a_lead_may_move_an_exhibit_and_links_within_the_case_need_no_move_right(team):
    case, users = team
    item = _restricted_item(users, case)
    incident = IncidentFactory(user=users["researcher"], cases=[case])
    ok = _api(users["researcher"]).post(f"/api/v1/evidence/{item.pk}/link/", {"incident": incident.pk},
                                        format="json")
    assert ok.status_code == 200, ok.content
    other = CaseFactory(lead=users["lead"])
    ok = _api(users["lead"]).post(f"/api/v1/evidence/{item.pk}/link/", {"case": other.pk}, format="json")
    assert ok.status_code == 200
    assert CaseExhibit.objects.filter(case=other, item=item).exists()


def test_the_orphan_sweep_trashes_items_linked_to_nothing_through_the_service(team, capsys):
    from django.core.management import call_command

    case, users = team
    body = upload(_api(users["lead"]), case=case.pk).json()
    from cases import services as case_services

    case_services.case_trash(user=users["lead"], case=case)
    case_services.case_purge(user=users["lead"], case=case)
    call_command("evidence_orphans", "--delete")
    item = EvidenceItem.objects.get(pk=body["id"])
    assert item.deleted_at is not None
    last = CustodyEvent.objects.filter(item=item).order_by("-seq").first()
    assert last.action == "trashed" and "linked to nothing" in last.detail["reason"]
    assert item.history.first().history_type == "~"
