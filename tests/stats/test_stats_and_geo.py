"""Statistics and the map count and show only the incidents the caller may view (an outsider sees zero), with the
incident list's filters; no identity in any property."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from stats import selectors
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def at(year: int, month: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, 10, 9, 0))


@pytest.fixture
def world(db):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    observer = UserFactory(username="observer")
    add_member(case, observer, "observer")
    made = [
        IncidentFactory(user=lead, cases=[case], occurred_at=at(2025, 1), category="wrongful_stop",
                        location="Park Kultury station, Moscow", agency="Metro police", system_involved="Sfera",
                        latitude=Decimal("55.735"), longitude=Decimal("37.593"), title="Stop one"),
        IncidentFactory(user=lead, cases=[case], occurred_at=at(2025, 1), category="wrongful_stop",
                        location="Nevsky prospekt, Saint Petersburg", agency="Metro police",
                        latitude=Decimal("59.93"), longitude=Decimal("30.36"), title="Stop two"),
        IncidentFactory(user=lead, cases=[case], occurred_at=at(2025, 3), category="detention", location="Kazan",
                        title="Detention without coordinates"),
    ]
    person = PersonFactory(user=lead, pseudonym="Applicant A", real_name="REAL-NAME-SECRET")
    services.incident_person_add(user=lead, incident=made[0], person=person, part="affected")
    other = CaseFactory(lead=UserFactory(username="other"))
    IncidentFactory(user=other.created_by, cases=[other], occurred_at=at(2025, 2), category="data_leak",
                    location="Hidden place, Moscow", agency="HIDDEN-AGENCY", latitude=Decimal("55.7"),
                    longitude=Decimal("37.6"), title="HIDDEN-INCIDENT")
    return {"lead": lead, "observer": observer, "case": case, "other": other}


def client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def buckets(user, by: str, **params) -> dict[str, int]:
    response = client(user).get("/api/v1/stats/incidents/", {"by": by, **params})
    assert response.status_code == 200, response.content
    assert response.json()["by"] == by
    return {b["key"]: b["count"] for b in response.json()["buckets"]}


def test_counts_by_each_dimension_over_visible_incidents(world):
    observer = world["observer"]
    assert buckets(observer, "month") == {"2025-01": 2, "2025-03": 1}
    assert buckets(observer, "category") == {"wrongful_stop": 2, "detention": 1}
    assert buckets(observer, "agency") == {"Metro police": 2, "": 1}
    assert buckets(observer, "system") == {"Sfera": 1, "": 2}
    assert buckets(observer, "city") == {"Moscow": 1, "Saint Petersburg": 1, "Kazan": 1}
    assert buckets(observer, "month", category="detention") == {"2025-03": 1}
    assert buckets(observer, "category", occurred_from="2025-02-01") == {"detention": 1}


def test_an_outsider_counts_zero_and_a_hidden_case_filter_answers_as_a_missing_one(world):
    outsider = UserFactory(username="outsider")
    for by in selectors.DIMENSIONS:
        assert buckets(outsider, by) == {}
    assert client(outsider).get("/api/v1/incidents/geo.json").json()["features"] == []
    observer = world["observer"]
    assert buckets(observer, "category", case=world["other"].pk) == buckets(observer, "category", case=987654) == {}
    geo_hidden = client(observer).get(f"/api/v1/incidents/geo.json?case={world['other'].pk}").json()
    geo_missing = client(observer).get("/api/v1/incidents/geo.json?case=987654").json()
    assert geo_hidden == geo_missing == {"type": "FeatureCollection", "features": []}


def test_bad_parameters_are_400_and_anonymous_401(world):
    api = client(world["observer"])
    assert api.get("/api/v1/stats/incidents/?by=colour").status_code == 400
    assert api.get("/api/v1/stats/incidents/?by=month&case=x").status_code == 400
    assert api.get("/api/v1/incidents/geo.json?zoom=99&bbox=0,0,1,1").status_code == 400
    assert api.get("/api/v1/incidents/geo.json?zoom=3&bbox=a,b,c").status_code == 400
    assert api.get("/api/v1/incidents/geo.json?zoom=3&bbox=0,10,1,5").status_code == 400
    assert client().get("/api/v1/stats/incidents/?by=month").status_code == 401
    assert client().get("/api/v1/incidents/geo.json").status_code == 401


def test_geojson_points_have_no_identities(world):
    response = client(world["observer"]).get("/api/v1/incidents/geo.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    titles = sorted(f["properties"]["title"] for f in data["features"])
    assert titles == ["Stop one", "Stop two"]  # the third has no coordinates, the hidden one is hidden
    first = next(f for f in data["features"] if f["properties"]["title"] == "Stop one")
    assert first["geometry"] == {"type": "Point", "coordinates": [37.593, 55.735]}
    text = response.content.decode()
    assert "REAL-NAME-SECRET" not in text and "Applicant A" not in text and "HIDDEN" not in text


def test_clusters_at_low_zoom_points_at_high_zoom(world):
    api = client(world["lead"])
    for i in range(20):
        IncidentFactory(user=world["lead"], cases=[world["case"]], latitude=Decimal("55.75") + Decimal(i) / 10000,
                        longitude=Decimal("37.62"), title=f"Crowd {i}")
    world_view = api.get("/api/v1/incidents/geo.json?zoom=3&bbox=-180,-90,180,90").json()
    assert world_view["total"] == 22
    clusters = [f for f in world_view["features"] if f["properties"].get("cluster")]
    assert clusters and sum(f["properties"]["count"] for f in clusters) + (
        len(world_view["features"]) - len(clusters)) == 22
    assert len(world_view["features"]) < 5
    close = api.get("/api/v1/incidents/geo.json?zoom=18&bbox=37.59,55.73,37.60,55.74").json()
    assert [f["properties"]["title"] for f in close["features"]] == ["Stop one"]
    outsider = client(UserFactory(username="nobody")).get("/api/v1/incidents/geo.json?zoom=3&bbox=-180,-90,180,90")
    assert outsider.json()["features"] == [] and outsider.json()["total"] == 0


def test_pages(world, client):
    client.force_login(world["observer"])
    page = client.get("/stats/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Metro police" in html and "HIDDEN-AGENCY" not in html
    assert 'id="stat-city"' in html and "Saint Petersburg" in html
    csv = client.get("/stats/incidents.csv?by=category")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "wrongful_stop" in csv.content.decode("utf-8-sig")
    map_page = client.get("/map/?category=wrongful_stop")
    assert map_page.status_code == 200 and 'id="map"' in map_page.content.decode()
    assert "img-src 'self' data: blob:;" in map_page["Content-Security-Policy"]
    client.force_login(UserFactory(username="outsider2"))
    assert "No incidents yet" in client.get("/stats/").content.decode()


def test_a_tile_server_is_off_by_default_and_allowed_by_the_csp_only_when_set(world, client, settings):
    client.force_login(world["observer"])
    assert 'data-tiles=""' in client.get("/map/").content.decode()
    settings.DOCKET_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = client.get("/map/")
    assert "tiles.example.org" in page["Content-Security-Policy"]
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page.content.decode()
