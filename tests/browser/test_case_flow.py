"""A lawyer signs in through the real form, opens a case, adds a member, logs an incident linked to the case and
reads the history — in Chromium, without the admin. Also checks that pages load no blocked inline script/style."""
from __future__ import annotations

import re

import pytest

from cases.models import Case, CaseMembership, Incident
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_lawyer_case_flow(live_server, page):
    UserFactory(username="lawyer", password=PASSWORD)
    UserFactory(username="researcher", password=PASSWORD)
    base = live_server.url

    # Sign in through the real form (django-axes sees the request).
    page.goto(f"{base}/cases/")
    assert "/login/" in page.url
    page.fill("#id_username", "lawyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/cases/$"))
    assert page.locator("h1").inner_text() == "Cases"
    assert page.locator(".empty").count() == 1

    # Open a case.
    page.click("text=New case")
    page.fill("#id_title", "Voronova v. Moscow Metro (Sfera)")
    page.fill("#id_reference", "2-1187/2025")
    page.fill("#id_court", "Meshchansky District Court of Moscow")
    page.fill("#id_jurisdiction", "RU")
    page.select_option("#id_status", "filed")
    page.fill("#id_summary", "Обработка биометрических данных камерами видеонаблюдения в метро.")
    page.fill("#id_privileged_notes", "Strategy: exhaust remedies, then Strasbourg.")
    page.click("button:has-text('Create case')")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(title="Voronova v. Moscow Metro (Sfera)")
    assert page.locator("h1").inner_text() == case.title
    assert "Case created" in page.locator(".messages").inner_text()

    # Add a member on the members page.
    page.click(".page-head >> text=Members")
    page.select_option("#id_add-username", "researcher")
    assert page.locator("#id_add-role").input_value() == "observer"  # the least powerful role first
    page.select_option("#id_add-role", "researcher")
    page.click("button:has-text('Add member')")
    page.wait_for_selector(".messages")
    assert CaseMembership.objects.get(case=case, user__username="researcher").role == "researcher"
    assert "researcher" in page.locator("table").inner_text()

    # Log an incident linked to the case, from the case page.
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("#incidents >> text=Log an incident")
    page.fill("#id_title", "Passenger detained at Novoslobodskaya after a false match")
    page.fill("#id_occurred_at", "2025-01-14T08:42")
    page.select_option("#id_category", "detention")
    page.fill("#id_location", "Novoslobodskaya metro station")
    page.fill("#id_latitude", "55.7796")
    page.fill("#id_longitude", "37.6014")
    # The case is preselected because we came from its page.
    assert page.locator("#id_cases input:checked").count() == 1
    assert page.locator("#id_cases label:has(input:checked)").inner_text().strip() == str(case)
    page.click("button:has-text('Log incident')")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get(title__startswith="Passenger detained")
    assert list(incident.cases.all()) == [case]
    assert "55.779600, 37.601400" in page.locator("dl.facts").inner_text()

    # A bad edit in the browser: latitude 123 is refused and shown on the form.
    page.click(".page-head >> text=Edit")
    page.fill("#id_latitude", "123")
    page.click("button:has-text('Save')")
    assert "less than or equal to 90" in page.locator(".errorlist").first.inner_text()
    incident.refresh_from_db()
    assert str(incident.latitude) == "55.779600"

    # The case page lists the incident; the history shows who did what.
    page.goto(f"{base}/cases/{case.pk}/")
    assert "Passenger detained" in page.locator("#incidents").inner_text()
    page.screenshot(path="/tmp/docket-case.png", full_page=True)
    page.click(".page-head >> text=History")
    page.wait_for_url(re.compile(r"/history/$"))
    history = page.locator("table.history").inner_text()
    assert "lawyer" in history and "researcher" in history
    assert "Voronova v. Moscow Metro (Sfera)" in history

    # The stylesheet applied (no CSP-blocked assets): the top bar has the brand colour.
    colour = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert colour == "rgb(31, 58, 95)"
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_confirm_dialog_guards_purge(live_server, page, client):
    """The trash's "Delete for good" asks first (static JS, CSP-clean); dismissing keeps the case."""
    from cases import services
    from tests.factories import CaseFactory

    lead = UserFactory(username="lead", password=PASSWORD)
    case = CaseFactory(lead=lead, title="Case to purge")
    services.case_trash(user=lead, case=case)
    client.force_login(lead)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/trash/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('Delete for good')")
    page.wait_for_timeout(300)
    assert Case.objects.filter(pk=case.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Delete for good')")
    page.wait_for_selector(".messages")
    assert not Case.objects.filter(pk=case.pk).exists()
