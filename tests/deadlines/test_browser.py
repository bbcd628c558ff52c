"""The deadline form in a real Chromium: choosing a rule and a trigger date previews the computed date and why."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from deadlines.models import Deadline
from tests.conftest import system_tool

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    chromium = system_tool("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context()
        yield context
        context.close()
        browser.close()


def login(context, live_server, client, user):
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_form_previews_the_computed_date_and_saves_it(page, live_server, client, cast):
    login(page, live_server, client, cast.lawyer)
    tab = page.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # the refused preview below logs its 400 in the console; only script errors count
    tab.on("console", lambda msg: errors.append(msg.text)
           if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    tab.goto(f"{live_server.url}/deadlines/new/?case={cast.case.pk}")
    preview = tab.locator("#deadline-preview")
    assert preview.is_hidden()
    tab.fill("#id_title", "Appeal against the decision")
    tab.select_option("#id_rule", "ru-cpc-appeal")
    tab.fill("#id_trigger_date", "2024-11-29")
    tab.locator("#preview-due").filter(has_text="2025-01-09").wait_for(timeout=10000)
    assert preview.is_visible()
    steps = tab.locator("#preview-steps").inner_text()
    assert "2024-12-29" in steps and "2025-01-09" in steps and "New Year" in steps
    assert tab.locator("#id_due_date").is_disabled()
    # another rule: the ECHR counts four months and does not move a Saturday
    tab.select_option("#id_rule", "echr-application")
    tab.locator("#preview-due").filter(has_text="2025-03-29").wait_for(timeout=10000)
    assert "does not move" in tab.locator("#preview-steps").inner_text()
    # a trigger the engine refuses shows the server's message, not a stale date
    tab.fill("#id_trigger_date", "1950-01-01")  # inside the site-wide date range, before the engine's window
    tab.locator("#preview-error").filter(has_text="1991").wait_for(timeout=10000)
    assert tab.locator("#preview-due").inner_text() == "—"
    tab.fill("#id_trigger_date", "2024-11-29")
    tab.select_option("#id_rule", "ru-cpc-appeal")
    tab.locator("#preview-due").filter(has_text="2025-01-09").wait_for(timeout=10000)
    tab.click("form.deadline-form button[type=submit]")
    tab.wait_for_url("**/deadlines/*/")
    d = Deadline.objects.get()
    assert d.due_date == dt.date(2025, 1, 9) and d.rule.code == "ru-cpc-appeal"
    assert "2025" in tab.locator(".due-date").inner_text()
    assert tab.locator("#explanation li").count() >= 5
    assert errors == []
