"""On a phone, in Russian: sign in, follow "Сменить пароль" from the navigation, change the password; the page fits
the screen, and the API token the user had is revoked."""
from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NEW = "a-new-Passphrase-for-2026"


def test_password_change_on_a_phone_in_russian(live_server, browser):
    UserFactory(username="lawyer", password=PASSWORD)
    token = APIClient().post("/api/v1/auth/token/", {"username": "lawyer", "password": PASSWORD},
                             format="json").json()["token"]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = live_server.url
        page.goto(f"{base}/login/")
        page.fill("#id_username", "lawyer")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))

        page.click("text=Сменить пароль")
        page.wait_for_url(re.compile(r"/account/password/$"))
        assert page.locator("h1").inner_text() == "Сменить пароль"
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the password page scrolls sideways on a phone"
        page.fill("#id_old_password", PASSWORD)
        page.fill("#id_new_password1", NEW)
        page.fill("#id_new_password2", NEW)
        page.click("button[type=submit]:has-text('Сменить пароль')")
        page.wait_for_url(re.compile(r"/account/password/done/$"))
        assert page.locator("h1").inner_text() == "Пароль изменён"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert errors == []
    finally:
        context.close()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 401
