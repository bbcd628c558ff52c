"""Derived data follow the bytes (API.md "Access rules"): a snippet drawn from a restricted item's file text is shown
only to those who may download the item, and showing it is a custody event ("previewed", via search; the query is
not stored). Metadata (EXIF, GPS, device) is never searched nor shown in a snippet."""
from __future__ import annotations

import pytest

from evidence.models import CustodyEvent
from tests.factories import CaseFactory, UserFactory, add_member
from tests.search.conftest import api_search, page_html, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(search_backend):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Дело", summary="")
    users = {"lead": lead}
    for role in ("researcher", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    restricted = upload_evidence(lead, "Показания: секретныйфайл, камерами снимали всех.\n".encode(), "s.txt",
                                 case=case.pk, title="Показания", restricted="true")
    public = upload_evidence(lead, "Отчёт: открытыйфайл о камерах.\n".encode(), "r.txt", case=case.pk,
                             title="Отчёт")
    return {"case": case, "restricted": restricted, "public": public, **users}


def previews(item) -> list[CustodyEvent]:
    return list(CustodyEvent.objects.filter(item=item, action=CustodyEvent.Action.PREVIEWED).order_by("seq"))


def snippet_of(user, q, item) -> str | None:
    for result in api_search(user, q=q)["results"]:
        if (result["type"], result["id"]) == ("evidence", item.pk):
            return result["snippet"]
    return None


def test_a_restricted_snippet_is_shown_to_who_may_download_and_is_a_custody_event(world):
    item = world["restricted"]
    assert previews(item) == []
    snippet = snippet_of(world["researcher"], "секретныйфайл", item)
    assert snippet and "<mark>секретныйфайл</mark>" in snippet
    events = previews(item)
    assert len(events) == 1
    event = events[0]
    assert event.user == world["researcher"] and event.detail == {"via": "search"}
    assert "секретн" not in str(event.detail) and event.sha256 == item.sha256
    # The page is a read too.
    assert "<mark>секретныйфайл</mark>" in page_html(world["lead"], "секретныйфайл")
    assert [e.user for e in previews(item)] == [world["researcher"], world["lead"]]


def test_an_observer_gets_no_restricted_text_and_no_event_is_written(world):
    item, observer = world["restricted"], world["observer"]
    assert snippet_of(observer, "секретныйфайл", item) is None
    snippet = snippet_of(observer, "Показания", item)  # the record itself is visible by its title
    assert snippet is not None and "секретн" not in snippet and "снимали" not in snippet
    assert "снимали" not in page_html(observer, "Показания")
    assert previews(item) == []


def test_a_snippet_from_public_text_is_no_custody_event(world):
    # The restricted item found by its title: the snippet is its file name, not its text.
    snippet = snippet_of(world["researcher"], "s.txt", world["restricted"])
    assert snippet is not None and "секретн" not in snippet
    assert previews(world["restricted"]) == []
    # An unrestricted item's text is for every viewer, and showing it is no custody event.
    assert "<mark>открытыйфайл</mark>" in snippet_of(world["observer"], "открытыйфайл", world["public"])
    assert previews(world["public"]) == []


def test_metadata_is_never_searched(world):
    from evidence.models import EvidenceItem
    from search.indexing import sync_keys

    item = world["public"]
    EvidenceItem.objects.filter(pk=item.pk).update(
        metadata={"Make": "Уникальнаяфотокамера", "GPSLatitude": "55.75583", "BodySerialNumber": "SN9931"})
    sync_keys([f"evidence:{item.pk}"])
    for q in ("Уникальнаяфотокамера", "55.75583", "SN9931"):
        assert api_search(world["lead"], q=q)["results"] == [], q
