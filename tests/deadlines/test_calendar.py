"""The private calendar feed: RFC 5545, every open deadline the user may see, revocable, permission at read time."""
from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from cases import services as case_services
from deadlines import services
from deadlines.models import CalendarFeed
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def feed_path(api, user) -> str:
    r = api(user).get("/api/v1/calendar/")
    assert r.status_code == 200
    url = r.json()["url"]
    assert url.startswith("http")
    return url[url.index("/deadlines/"):]


def events(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    assert r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_feed_holds_every_open_deadline_without_a_session(cast, api, client):
    a = services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", rule="ru-cpc-appeal",
                                 trigger_date=dt.date(2025, 3, 14))
    b = services.deadline_create(user=cast.lead, case=cast.case, title="Hearing", due_date=dt.date(2025, 4, 1),
                                 due_time=dt.time(10, 30), kind="hearing")
    c = services.deadline_create(user=cast.lead, case=cast.case, title="Filed", due_date=dt.date(2025, 4, 2))
    services.deadline_complete(user=cast.lead, deadline=c)
    other = CaseFactory()  # not the observer's
    services.deadline_create(user=other.created_by, case=other, title="Secret", due_date=dt.date(2025, 4, 3))
    path = feed_path(api, cast.observer)
    evs = events(client, path)  # anonymous client
    assert len(evs) == 2
    ea = next(e for uid, e in evs.items() if uid.startswith(f"deadline-{a.pk}@"))
    assert ea["dtstart"].dt == dt.date(2025, 4, 14) and not isinstance(ea["dtstart"].dt, dt.datetime)
    assert ea["dtend"].dt == dt.date(2025, 4, 15)
    assert "ru-cpc-appeal" in str(ea["description"]) and "Metro face recognition" in str(ea["description"])
    eb = next(e for uid, e in evs.items() if uid.startswith(f"deadline-{b.pk}@"))
    assert isinstance(eb["dtstart"].dt, dt.datetime)
    assert all("Secret" not in str(e["summary"]) for e in evs.values())
    # stable UIDs and the same URL across reads
    assert set(events(client, path)) == set(evs)
    assert feed_path(api, cast.observer) == path


def test_revoked_url_is_404_and_the_new_one_works(cast, api, client):
    services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", due_date=dt.date(2025, 4, 1))
    old = feed_path(api, cast.lawyer)
    r = api(cast.lawyer).post("/api/v1/calendar/revoke/")
    assert r.status_code == 200
    new = r.json()["url"]
    assert client.get(old).status_code == 404
    assert len(events(client, new[new.index("/deadlines/"):])) == 1
    r2 = api(cast.lawyer).delete("/api/v1/calendar/")
    assert r2.status_code == 200 and r2.json()["url"] != new
    assert client.get(new[new.index("/deadlines/"):]).status_code == 404


def test_wrong_secret_or_unknown_id_is_404(cast, api, client):
    path = feed_path(api, cast.lawyer)
    prefix, secret = path.rsplit("/", 1)
    assert client.get(prefix + "/" + "0" * 64 + ".ics").status_code == 404
    assert client.get("/deadlines/calendar/nope/" + secret).status_code == 404
    assert client.get(path).status_code == 200


def test_secret_is_not_stored(cast, api):
    path = feed_path(api, cast.lawyer)
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=cast.lawyer)
    assert secret not in feed.public_id and len(secret) >= 64


def test_removed_member_feed_no_longer_shows_the_case(cast, api, client):
    services.deadline_create(user=cast.lead, case=cast.case, title="Appeal", due_date=dt.date(2025, 4, 1))
    path = feed_path(api, cast.observer)
    assert len(events(client, path)) == 1
    case_services.member_remove(actor=cast.lead, case=cast.case, user=cast.observer)
    assert len(events(client, path)) == 0


def test_inactive_user_feed_is_404(cast, api, client):
    path = feed_path(api, cast.observer)
    cast.observer.is_active = False
    cast.observer.save()
    assert client.get(path).status_code == 404


def test_calendar_url_needs_authentication(db, api):
    assert api().get("/api/v1/calendar/").status_code == 401
    assert api().post("/api/v1/calendar/revoke/").status_code == 401
