"""The researchers' workflow in Chromium: a member of the public reports a stop in Russian on a phone without
JavaScript; a triager accepts it; a researcher imports a spreadsheet (dry run with a row error, then the real
import) and sees the incidents on the statistics page and the map. Screenshots go to /tmp/docket-shots/."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from cases.models import Incident
from intake.models import Report
from tests.factories import CaseFactory, UserFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/docket-shots")
SHOTS.mkdir(exist_ok=True)


def sign_in(page, live_server, client, user) -> None:
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_report_a_stop_in_russian_on_a_phone_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 740},
                                  locale="ru-RU", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/report/?lang=ru")
    assert page.locator("h1").inner_text() == "Сообщите о задержании по системе распознавания лиц"
    assert page.locator("script").count() == 0
    page.fill("#id_occurred_on", "2026-11-20")
    page.fill("#id_occurred_time", "08:15")
    page.fill("#id_location", "Станция метро «Охотный Ряд», Москва")
    page.check("input[name=category][value=wrongful_stop]")
    page.fill("#id_description", "Двое полицейских остановили меня у турникета и сказали, что камера меня опознала.")
    page.fill("#id_contact", "Signal +7 900 123 45 67")
    page.set_input_files("#id_file", files=[{"name": "photo.txt", "mimeType": "text/plain",
                                             "buffer": "Протокол доставления".encode()}])
    page.screenshot(path=str(SHOTS / "report-ru-375.png"), full_page=True)
    page.click("button[type=submit]")  # the consent box is not ticked yet: the form comes back with the text kept
    assert "Станция метро «Охотный Ряд», Москва" == page.input_value("#id_location")
    assert Report.objects.count() == 0
    page.check("#id_consent")
    page.set_input_files("#id_file", files=[{"name": "photo.txt", "mimeType": "text/plain",
                                             "buffer": "Протокол доставления".encode()}])
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt")
    assert "Спасибо" in page.locator("h1").inner_text()
    receipt = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){5}", receipt)
    report = Report.objects.get()
    assert report.location == "Станция метро «Охотный Ряд», Москва" and report.file_media_type == "text/plain"
    cookies = {c["name"] for c in context.cookies()}
    assert cookies <= {"csrftoken"}, cookies  # no session, no tracking: only the form's CSRF cookie
    page.screenshot(path=str(SHOTS / "report-thanks-375.png"), full_page=True)
    # The reporter checks the receipt later.
    page.goto(f"{live_server.url}/report/status/?lang=ru")
    page.fill("#id_receipt", receipt.lower())
    page.click("button[type=submit]")
    assert "ждёт рассмотрения" in page.locator(".result").inner_text()
    js = browser.new_context(viewport={"width": 375, "height": 740}, locale="ru-RU").new_page()
    js.goto(f"{live_server.url}/report/?lang=ru")
    assert no_horizontal_scroll(js)
    context.close()


def test_triage_accepts_a_report_into_a_case(live_server, page, client):
    from django.contrib.auth.models import Permission

    from rest_framework.test import APIClient

    triager = UserFactory(username="triager")
    triager.user_permissions.add(Permission.objects.get(codename="triage_intake", content_type__app_label="cases"))
    case = CaseFactory(lead=triager, title="Sfera complaints")
    body = {"occurred_at": "2026-11-20T08:15:00+03:00", "location": "Teatralnaya, Moscow",
            "description": "Stopped at the exit after a camera match.", "contact": "phone 123", "consent": True}
    assert APIClient().post("/api/v1/intake/", body, format="json").status_code == 202
    sign_in(page, live_server, client, triager)
    page.goto(f"{live_server.url}/intake/")
    page.screenshot(path=str(SHOTS / "triage-queue-1280.png"), full_page=True)
    page.click("text=Teatralnaya, Moscow")
    page.fill("#id_title", "Stop at Teatralnaya")
    page.select_option("#id_case", str(case.pk))
    page.screenshot(path=str(SHOTS / "triage-report-1280.png"), full_page=True)
    page.click("button:has-text('Accept')")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get(title="Stop at Teatralnaya")
    assert list(incident.cases.all()) == [case] and incident.owner == triager
    assert Report.objects.get().status == "accepted"
    assert "Reporter" in page.content()


def test_import_with_a_dry_run_and_a_row_error_then_statistics_and_map(live_server, page, client):
    researcher = UserFactory(username="researcher")
    case = CaseFactory(lead=UserFactory(username="lead"), title="Metro cameras")
    add_member(case, researcher, "researcher")
    header = ["external_id", "title", "occurred_at", "location", "latitude", "longitude", "category", "agency"]
    rows = [header]
    for i in range(40):
        rows.append([f"P-{i}", f"Stop {i}", dt.datetime(2025, 1 + i % 6, 3, 9, 0), f"Station {i % 4}, Moscow",
                     55.70 + i / 500, 37.55 + i / 400, ["wrongful_stop", "detention"][i % 2], "Metro police"])
    broken = [r[:] for r in rows]
    broken[5][2] = "someday"
    sign_in(page, live_server, client, researcher)
    page.goto(f"{live_server.url}/incidents/import/")
    page.set_input_files("#id_file", files=[{"name": "partner.xlsx", "buffer": xlsx(broken),
                                             "mimeType": "application/octet-stream"}])
    page.select_option("#id_case", str(case.pk))
    assert page.is_checked("#id_dry_run")
    page.click("button:has-text('Upload')")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-errors").inner_text()
    assert "6" in errors and "occurred_at" in errors
    page.screenshot(path=str(SHOTS / "import-errors-1280.png"), full_page=True)
    assert Incident.objects.count() == 0
    page.goto(f"{live_server.url}/incidents/import/")
    page.set_input_files("#id_file", files=[{"name": "partner.xlsx", "buffer": xlsx(rows),
                                             "mimeType": "application/octet-stream"}])
    page.select_option("#id_case", str(case.pk))
    page.click("button:has-text('Upload')")
    page.wait_for_selector("#import-summary")
    assert "create 40 incidents" in page.locator("#import-summary").inner_text()
    assert page.locator("#import-preview tbody tr").count() == 40
    page.screenshot(path=str(SHOTS / "import-dry-run-1280.png"), full_page=True)
    assert Incident.objects.count() == 0
    page.click("button:has-text('Import these rows')")
    page.wait_for_selector("text=Imported:")
    assert Incident.objects.filter(cases=case).count() == 40

    page.goto(f"{live_server.url}/stats/")
    assert "40 incidents you may view" in page.locator("#stats-total").inner_text()
    assert page.locator("svg.chart").count() == 5
    assert "Metro police" in page.locator("#stat-agency").inner_text()
    assert page.locator("#stat-month svg rect").count() >= 6
    page.screenshot(path=str(SHOTS / "stats-1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "stats-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#map .cluster, #map .incident-point")
    page.wait_for_timeout(800)
    assert page.locator("#map .leaflet-overlay-pane path.country").count() > 100  # the bundled basemap
    total = int(page.get_attribute("#map", "data-total"))
    assert total == 40
    page.screenshot(path=str(SHOTS / "map-1280.png"))
    page.locator("#map .cluster").first.click()
    page.wait_for_timeout(800)
    page.goto(f"{live_server.url}/map/?category=detention")
    page.wait_for_selector("#map .cluster, #map .incident-point")
    page.wait_for_timeout(500)
    assert int(page.get_attribute("#map", "data-total")) == 20
    page.set_viewport_size({"width": 375, "height": 800})
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "map-375.png"))
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_coordinates_are_picked_on_the_incident_form(live_server, page, client):
    user = UserFactory(username="logger")
    sign_in(page, live_server, client, user)
    page.goto(f"{live_server.url}/incidents/new/")
    page.wait_for_selector("#coordinate-picker .leaflet-overlay-pane path.country", state="attached")
    page.locator("#coordinate-picker").click(position={"x": 150, "y": 120})
    latitude, longitude = page.input_value("#id_latitude"), page.input_value("#id_longitude")
    assert latitude and longitude and -90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180
    page.fill("#id_title", "Camera spotted")
    page.fill("#id_occurred_at", "2025-03-01T10:00")
    page.click("button:has-text('Log incident')")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    assert Incident.objects.get().latitude == Decimal(latitude)
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


