"""Bounded input (config/inputs.py): each class of value that used to give a 5xx is a clear 4xx, through the API
and the pages, and a refused request changes nothing.

Classes: dates far out of range (a deadline due 9999-12-31 took every member's calendar feed down), deeply
nested JSON (a RecursionError in the parser), coordinates like 1e308 (the decimal quantize overflowed), ids
beyond 2**63-1 (in a URL path, a query string, a JSON body, a form field), the dossier's ``?incidents=`` list,
and the rest of the sweep: page numbers and sizes, NUL bytes in query strings, over-long strings and bodies.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import Incident, Proceeding
from deadlines.models import Deadline
from evidence.models import EvidenceItem
from tests.evidence.conftest import upload
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db

HUGE_IDS = [2**63, 2**70, 10**24]
MAX_ID = 2**63 - 1
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2200, 12, 31)  # the documented range (config/inputs.py)


@pytest.fixture
def world():
    lead = UserFactory(username="bounds-lead")
    case = CaseFactory(lead=lead)
    incident = IncidentFactory(user=lead, cases=[case])
    person = PersonFactory(user=lead)
    api = APIClient()
    api.force_authenticate(lead)
    page = Client()
    page.force_login(lead)
    return {"lead": lead, "case": case, "incident": incident, "person": person, "api": api, "page": page}


def _refused(response, before, *, status=400):
    assert response.status_code == status, response.content[:500]
    assert response.json()["detail"]
    assert history_counts() == before


# --- The helpers ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    (1, 1), ("42", 42), (" 7 ", 7), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID), (MAX_ID + 1, None), (2**70, None),
    ("1" * 25, None), ("0" * 40 + "5", 5), (0, None), (-3, None), ("-3", None), (True, None), (1.0, None),
    ("1e3", None), ("١٢", None), ("", None), (None, None), ([1], None),
])
def test_parse_id(value, expected):
    from config.inputs import parse_id

    assert parse_id(value) == expected


# --- Dates ------------------------------------------------------------------------------------------------------
def test_deadline_due_9999_is_refused_by_the_api_and_the_page(world):
    api, case = world["api"], world["case"]
    before = history_counts()
    response = api.post("/api/v1/deadlines/", {"case": case.pk, "title": "far", "due_date": "9999-12-31"},
                        format="json")
    _refused(response, before)
    assert "due_date" in response.json()["errors"]
    assert "1900-01-01" in response.json()["detail"] and "2200-12-31" in response.json()["detail"]
    response = api.post("/api/v1/deadlines/", {"case": case.pk, "title": "far", "due_date": "9999-12-31"},
                        format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["errors"]["due_date"] == ["Укажите дату в пределах от 1900-01-01 до 2200-12-31."]

    page = world["page"].post("/deadlines/new/", {"case": case.pk, "title": "far", "kind": "other",
                                                  "due_date": "9999-12-31", "status": "open"})
    assert page.status_code == 200 and "2200-12-31" in page.content.decode()
    assert not Deadline.objects.exists() and history_counts() == before


def test_dates_at_the_bounds_are_accepted_and_beyond_them_refused(world):
    """The bounds refuse nothing sane: dates at both ends, a proceeding, a computed deadline, a consent date."""
    api, case = world["api"], world["case"]
    assert api.post(f"/api/v1/cases/{case.pk}/proceedings/", {"stage": "first_instance", "filed_on": "2024-05-01"},
                    format="json").status_code == 201
    assert api.post("/api/v1/deadlines/", {"case": case.pk, "title": "t", "rule": "ru-cpc-appeal",
                                           "trigger_date": "2025-03-03"}, format="json").status_code == 201
    case_services.person_create(user=world["lead"], pseudonym="Q", consent_given=True,
                                consent_date=dt.date(1950, 1, 1))
    for day in (DATE_MIN, DATE_MAX):
        response = api.post("/api/v1/deadlines/", {"case": case.pk, "title": "edge", "due_date": day.isoformat()},
                            format="json")
        assert response.status_code == 201, response.content
    for day in (DATE_MIN - dt.timedelta(days=1), DATE_MAX + dt.timedelta(days=1)):
        response = api.post("/api/v1/deadlines/", {"case": case.pk, "title": "edge", "due_date": day.isoformat()},
                            format="json")
        assert response.status_code == 400, response.content


def test_calendar_feed_survives_an_out_of_range_deadline_already_stored(world):
    """A row written before dates were bounded (9999-12-31, with and without a time) must not take the feed down."""
    api, case, lead = world["api"], world["case"], world["lead"]
    ids = [api.post("/api/v1/deadlines/", {"case": case.pk, "title": title, "due_date": "2026-03-02",
                                           "due_time": due_time}, format="json").json()["id"]
           for title, due_time in (("END-OF-TIME", None), ("END-OF-TIME-TIMED", "23:30"))]
    Deadline.objects.filter(pk__in=ids).update(due_date=dt.date.max)  # as an old database might hold it
    Deadline.objects.create(case=case, title="BEGINNING", due_date=dt.date.min, due_time=dt.time(0, 5),
                            created_by=lead)
    url = api.get("/api/v1/calendar/").json()["url"].replace("http://testserver", "")
    response = Client().get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "END-OF-TIME" in body and "END-OF-TIME-TIMED" in body and "BEGINNING" in body
    assert "DTSTART;VALUE=DATE:99991231" in body


@pytest.mark.parametrize("url_name,field,body", [
    ("incidents", "occurred_at", {"title": "t", "occurred_at": "9999-12-31T23:59:59Z"}),
    ("incidents", "occurred_at", {"title": "t", "occurred_at": "1812-09-14T10:00:00+03:00"}),
    ("proceedings", "filed_on", {"stage": "first_instance", "filed_on": "9999-12-31"}),
    ("proceedings", "hearing_on", {"stage": "first_instance", "hearing_on": "0001-01-01"}),
    ("persons", "consent_date", {"pseudonym": "P", "consent_given": True, "consent_date": "2201-01-01"}),
    ("deadlines", "trigger_date", {"title": "t", "rule": "ru-cpc-appeal", "trigger_date": "9999-12-31"}),
])
def test_every_date_input_is_bounded_in_the_api(world, url_name, field, body):
    case = world["case"]
    url = {"incidents": "/api/v1/incidents/", "proceedings": f"/api/v1/cases/{case.pk}/proceedings/",
           "persons": "/api/v1/persons/", "deadlines": "/api/v1/deadlines/"}[url_name]
    if url_name == "deadlines":
        body = {**body, "case": case.pk}
    before = history_counts()
    response = world["api"].post(url, body, format="json")
    _refused(response, before)
    assert field in response.json()["errors"]


def test_evidence_obtained_at_is_bounded_in_the_api_and_the_page(world):
    api, case = world["api"], world["case"]
    item = upload(api, case=case.pk).json()
    before = history_counts()
    _refused(api.patch(f"/api/v1/evidence/{item['id']}/", {"obtained_at": "9999-12-31T10:00:00Z"}, format="json"),
             before)
    _refused(upload(api, case=case.pk, obtained_at="0001-01-01T00:00:00Z"), before)
    page = world["page"].post(f"/evidence/{item['id']}/edit/", {"kind": "other", "obtained_at": "9999-12-31T10:00"})
    assert page.status_code == 200 and "2200-12-31" in page.content.decode()
    assert EvidenceItem.objects.get(pk=item["id"]).obtained_at is None
    assert history_counts() == before


def test_proceeding_and_incident_pages_refuse_out_of_range_dates(world):
    page, case = world["page"], world["case"]
    before = history_counts()
    response = page.post(f"/cases/{case.pk}/proceedings/new/", {"stage": "first_instance", "filed_on": "9999-12-31"})
    assert response.status_code == 200 and "2200-12-31" in response.content.decode()
    response = page.post("/incidents/new/", {"title": "t", "occurred_at": "9999-12-31T10:00", "category": "other"})
    assert response.status_code == 200 and "2200-12-31" in response.content.decode()
    assert not Proceeding.objects.exists() and Incident.objects.count() == 1
    assert history_counts() == before


def test_date_filters_are_bounded(world):
    api = world["api"]
    for url in ("/api/v1/incidents/?occurred_from=9999-12-31", "/api/v1/incidents/?occurred_to=0001-01-01",
                f"/api/v1/cases/{world['case'].pk}/documents/incident-dossier.docx?from=9999-12-31"):
        response = api.get(url)
        assert response.status_code == 400, (url, response.content[:300])
        assert response.json()["detail"]
    assert world["page"].get("/incidents/?occurred_from=9999-12-31").status_code == 200  # the form shows the error


# --- Deep JSON --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b'{"title": "t", "x": ' + b"[" * 33 + b"]" * 33 + b"}",
])
@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/incidents/", "/api/v1/deadlines/"])
def test_too_deep_json_is_400(world, raw, url):
    before = history_counts()
    response = world["api"].generic("POST", url, raw, content_type="application/json")
    _refused(response, before)
    assert "nest" in response.json()["detail"]


def test_json_nests_at_most_32_levels(world):
    body = b'{"title": "deep enough", "summary": "s", "x": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = world["api"].generic("POST", "/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"] == {"x": ["Unknown field."]}  # parsed
    body = body.replace(b"[", b"[[", 1).replace(b"]", b"]]", 1)
    response = world["api"].generic("POST", "/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 400 and "32 levels" in response.json()["detail"]


def test_over_long_strings_and_bodies_are_refused(world, settings):
    before = history_counts()
    body = json.dumps({"title": "t", "summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}).encode()
    response = world["api"].generic("POST", "/api/v1/cases/", body, content_type="application/json")
    _refused(response, before, status=413)
    for field in ("title", "summary", "reference"):
        _refused(world["api"].post("/api/v1/cases/", {"title": "t", field: "x" * 1_000_000}, format="json"), before)
    _refused(world["api"].post("/api/v1/cases/", {"title": "t\x00"}, format="json"), before)


# --- Coordinates ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1e308, -1e308, 181, -180.0000001, 1e20])
def test_latitude_out_of_range_is_400_before_any_arithmetic(world, value):
    before = history_counts()
    response = world["api"].post("/api/v1/incidents/", {"title": "t", "occurred_at": "2025-01-01T00:00:00Z",
                                                        "latitude": value}, format="json")
    _refused(response, before)
    assert "latitude" in response.json()["errors"]
    response = world["api"].patch(f"/api/v1/incidents/{world['incident'].pk}/", {"longitude": value * 1.5},
                                  format="json")
    _refused(response, before)
    response = world["api"].post("/api/v1/incidents/", {"title": "t", "occurred_at": "2025-01-01T00:00:00Z",
                                                        "latitude": 55.7558261, "longitude": -180}, format="json")
    assert response.status_code == 201  # in range: kept, to six decimals
    assert response.json()["latitude"] == 55.755826 and response.json()["longitude"] == -180


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e308", "nan"])
def test_non_finite_coordinates_are_refused_in_forms_and_json(world, value):
    before = history_counts()
    raw = b'{"title": "t", "occurred_at": "2025-01-01T00:00:00Z", "latitude": NaN}'
    _refused(world["api"].generic("POST", "/api/v1/incidents/", raw, content_type="application/json"), before)
    _refused(world["api"].post("/api/v1/incidents/", {"title": "t", "occurred_at": "2025-01-01T00:00:00Z",
                                                      "latitude": value}, format="json"), before)
    _refused(world["api"].post("/api/v1/incidents/", {"title": "t", "occurred_at": "2025-01-01T00:00:00Z",
                                                      "latitude": value}), before)  # a form body
    page = world["page"].post("/incidents/new/", {"title": "t", "occurred_at": "2025-01-01T10:00",
                                                  "category": "other", "latitude": value})
    assert page.status_code == 200 and Incident.objects.count() == 1
    assert history_counts() == before



# --- Ids --------------------------------------------------------------------------------------------------------
def _id_patterns(resolver=None, prefix=""):
    """Every URL pattern with an ``<id:…>`` part, as a route template."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _id_patterns(entry, route)
        elif isinstance(entry, URLPattern) and "<id:" in route:
            yield route


def test_every_id_in_a_path_is_an_id_converter_and_huge_ids_are_404(world):
    """One mechanism: every URL with an id takes it through ``<id:…>``, so 2**63 and beyond answer 404 (as missing),
    through the API and the pages, for GET and POST alike, and nothing changes."""
    import re

    routes = []

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not route.startswith("admin/"):
                    walk(entry, route)
            else:
                routes.append(route)

    walk(get_resolver())
    assert [r for r in routes if "<int:" in r] == []
    assert len(list(_id_patterns())) > 40
    before = history_counts()
    for huge in HUGE_IDS:
        for route in _id_patterns():
            url = "/" + re.sub(r"<id:\w+>", str(huge), route).replace("<str:username>", "someone")
            for client in (world["api"], world["page"]):
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    assert response.status_code == 404, (method, url, response.status_code)
    assert history_counts() == before


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_query_strings_are_400_or_missing(world, huge):
    api, case = world["api"], world["case"]
    for url in (f"/api/v1/incidents/?case={huge}", f"/api/v1/evidence/?case={huge}",
                f"/api/v1/evidence/?incident={huge}", f"/api/v1/deadlines/?case={huge}",
                f"/api/v1/cases/{case.pk}/documents/custody-report.docx?exhibit={huge}"):
        response = api.get(url)
        assert response.status_code == 400, (url, response.content[:300])
        assert response.json()["detail"]
    for url in (f"/evidence/upload/?case={huge}", f"/deadlines/new/?case={huge}", f"/persons/new/?case={huge}",
                f"/incidents/new/?case={huge}", f"/incidents/?case={huge}", f"/search/?q=x&case={huge}"):
        assert world["page"].get(url).status_code in (200, 400, 404), url


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_json_bodies_are_400_and_change_nothing(world, huge):
    api, case, incident = world["api"], world["case"], world["incident"]
    item = upload(api, case=case.pk).json()["id"]
    before = history_counts()
    for url, body in [
        ("/api/v1/incidents/", {"title": "t", "occurred_at": "2025-01-01T00:00:00Z", "cases": [huge]}),
        (f"/api/v1/cases/{case.pk}/parties/", {"role": "claimant", "person": huge}),
        (f"/api/v1/incidents/{incident.pk}/persons/", {"person": huge, "part": "affected"}),
        ("/api/v1/deadlines/", {"case": huge, "title": "t", "due_date": "2026-01-01"}),
        ("/api/v1/deadlines/", {"case": case.pk, "title": "t", "due_date": "2026-01-01", "proceeding": huge}),
        (f"/api/v1/evidence/{item}/link/", {"case": huge}),
        (f"/api/v1/evidence/{item}/link/", {"incident": huge}),
    ]:
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (url, response.content[:300])
        assert response.json()["detail"]
    _refused(api.patch(f"/api/v1/incidents/{incident.pk}/", {"cases": [case.pk, huge]}, format="json"), before)
    _refused(upload(api, case=huge), before)
    assert history_counts() == before


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_form_fields_are_form_errors(world, huge):
    page, case = world["page"], world["case"]
    before = history_counts()
    response = page.post("/incidents/new/", {"title": "t", "occurred_at": "2025-01-01T10:00", "category": "other",
                                             "cases": [case.pk, huge]})
    assert response.status_code == 200
    response = page.post("/incidents/new/", {"title": "t", "occurred_at": "2025-01-01T10:00", "category": "other",
                                             "persons": [huge], "persons_part": "affected"})
    assert response.status_code == 200
    response = page.post("/deadlines/new/", {"case": huge, "title": "t", "kind": "other", "due_date": "2026-01-01",
                                             "status": "open", "proceeding": huge})
    assert response.status_code == 200
    response = page.post(f"/incidents/{world['incident'].pk}/persons/add/", {"person": huge, "part": "affected"})
    assert response.status_code in (200, 400)
    assert history_counts() == before


@pytest.mark.parametrize("incidents", ["1" * 25, str(2**63), f"1,{2**70}", "0", "-1", "x"])
def test_dossier_incidents_list_is_400_for_what_cannot_be_an_id(world, incidents):
    case = world["case"]
    response = world["api"].get(f"/api/v1/cases/{case.pk}/documents/incident-dossier.docx?incidents={incidents}")
    assert response.status_code == 400, response.content[:300]
    assert "incidents" in response.json()["errors"]
    response = world["page"].get(f"/cases/{case.pk}/documents/dossier/?incidents={incidents}", follow=True)
    assert response.status_code == 200 and "incident ids" in response.content.decode()
    response = world["api"].get(f"/api/v1/cases/{case.pk}/documents/incident-dossier.docx"
                                f"?incidents={world['incident'].pk}")
    assert response.status_code == 200 and response.content[:2] == b"PK"  # real ids still work



def test_verify_evidence_command_refuses_ids_that_cannot_exist(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("verify_evidence", str(2**70))


# --- The rest of the sweep --------------------------------------------------------------------------------------
SWEEP = [f"page={2**70}", "page=1e999", "page=-1", "page=" + "9" * 5000, f"page_size={2**70}", "page_size=-5",
         "page_size=" + "9" * 5000, "q=%00", "q=a%00b", "status=%00", "jurisdiction=%00", "case=%00",
         "occurred_from=%00", "q=" + "x" * 100_000]


def test_api_query_strings_are_bounded(world):
    """Page numbers and sizes, NUL bytes, long values: a 4xx naming the problem or a bounded page, never a 5xx;
    an id or a date out of range in a filter is a 400."""
    api = world["api"]
    for path in ("/api/v1/cases/", "/api/v1/incidents/", "/api/v1/persons/", "/api/v1/evidence/",
                 "/api/v1/deadlines/", "/api/v1/search/"):
        for query in SWEEP:
            response = api.get(f"{path}?{query}")
            assert response.status_code < 500, (path, query[:40])
            if response.status_code >= 400:
                assert response.json()["detail"]
            else:
                assert len(response.json().get("results", [])) <= 500
    for query in (f"case={2**70}", "occurred_from=9999-12-31", "occurred_to=1066-10-14"):
        response = api.get(f"/api/v1/incidents/?{query}")
        assert response.status_code == 400 and response.json()["detail"], query


def test_page_query_strings_are_bounded(world):
    page, case = world["page"], world["case"]
    for path in ("/cases/", "/incidents/", "/search/", "/deadlines/", "/trash/", "/evidence/upload/",
                 "/deadlines/new/", "/incidents/new/", "/persons/new/", f"/cases/{case.pk}/documents/dossier/"):
        for query in SWEEP + [f"case={2**70}", f"incidents={10**24}", f"incident={2**64}"]:
            assert page.get(f"{path}?{query}").status_code < 500, (path, query[:40])


def test_reminder_lead_days_are_bounded(world):
    api = world["api"]
    before = history_counts()
    _refused(api.put("/api/v1/deadline-reminders/", {"lead_days": [2**70]}, format="json"), before)
    _refused(api.put("/api/v1/deadline-reminders/", {"lead_days": ["7"]}, format="json"), before)
    _refused(api.put("/api/v1/deadline-reminders/", {"lead_days": list(range(11))}, format="json"), before)
