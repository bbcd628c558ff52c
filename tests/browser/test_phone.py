"""The pages on a phone (375 px) and from the keyboard, in Chromium: no page scrolls sideways (tables reflow or
scroll inside their own box), the navigation collapses into a menu that opens without JavaScript, the language
switch does not change on arrow keys, the skip link works, and a form posted after the session ended comes back
filled in after signing in again.

Set DOCKET_SCREENSHOTS to a folder to keep a screenshot of every page at 375 and 1280 px in both languages."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone, translation

from cases import services
from cases.models import Case
from deadlines import services as deadline_services
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"
# For the failure message: the innermost elements that stick out on the right.
STICKING_OUT = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture
def world():
    lead = UserFactory(username="lead", password=PASSWORD)
    lawyer = UserFactory(username="lawyer-with-a-rather-long-username", password=PASSWORD)
    case = CaseFactory(lead=lead, title="Воронова против ГУП «Московский метрополитен» (система «Сфера»)",
                       reference="2а-1187/2026", court="Мещанский районный суд города Москвы",
                       summary="Обработка биометрических персональных данных камерами видеонаблюдения " * 4)
    add_member(case, lawyer, "lawyer")
    for stage, court, number in [("first_instance", "Мещанский районный суд города Москвы", "2а-1187/2026"),
                                 ("appeal", "Судебная коллегия по административным делам Московского городского "
                                            "суда", "33а-40512/2026"),
                                 ("echr", "European Court of Human Rights", "12345/26")]:
        services.proceeding_create(user=lead, case=case, stage=stage, court=court, case_number=number,
                                   judge="Кравцова Е. Н.", filed_on=dt.date(2026, 2, 10),
                                   outcome="Отказано в удовлетворении административного искового заявления " * 3)
    person = PersonFactory(user=lead, pseudonym="Заявительница А.", real_name="Анна Сергеевна Воронова",
                           contacts="Только через Центр; Signal через адвоката")
    services.party_create(user=lead, case=case, role="claimant", person=person, notes="Задержана 14 января " * 5)
    for i in range(3):
        incident = IncidentFactory(user=lead, cases=[case], title=f"Задержание на станции «Новослободская» № {i}",
                                   location="Станция метро «Новослободская», выход к Долгоруковской улице",
                                   description="https://example.org/very/long/link/" + "x" * 120)
        services.incident_person_add(user=lead, incident=incident, person=person, part="affected",
                                     notes="Удерживалась 3 часа 10 минут")
    with translation.override("ru"):
        deadline = deadline_services.deadline_create(user=lead, case=case, title="Подать апелляционную жалобу",
                                                     due_date=timezone.localdate() + dt.timedelta(days=5))
    return {"lead": lead, "case": case, "incident": incident, "person": person, "deadline": deadline}


def sign_in(page, base: str, username: str = "lead") -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def main_pages(w) -> dict[str, str]:
    c, i, p = w["case"].pk, w["incident"].pk, w["person"].pk
    return {
        "dashboard": "/", "cases": "/cases/", "case": f"/cases/{c}/", "case-edit": f"/cases/{c}/edit/",
        "members": f"/cases/{c}/members/", "case-history": f"/cases/{c}/history/",
        "documents": f"/cases/{c}/documents/", "incidents": "/incidents/", "incident": f"/incidents/{i}/",
        "incident-new": "/incidents/new/", "incident-history": f"/incidents/{i}/history/", "persons": "/persons/",
        "person": f"/persons/{p}/", "person-merge": f"/persons/{p}/merge/", "deadlines": "/deadlines/",
        "deadline": f"/deadlines/{w['deadline'].pk}/", "trash": "/trash/", "upload": f"/evidence/upload/?case={c}",
        "search": "/search/?q=метро",
    }


def test_case_page_at_375px_has_no_sideways_scroll_and_a_menu(live_server, browser, world):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ru-RU")
    page = context.new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cases/{world['case'].pk}/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.scrollingElement.scrollWidth")
    # The bar's links are folded into a menu that opens without JavaScript.
    assert not page.locator("nav.mainnav").is_visible()
    menu = page.locator("details.navmenu")
    assert menu.is_visible() and not menu.locator("a[href='/persons/']").is_visible()
    page.click("details.navmenu > summary")
    assert menu.locator("a[href='/persons/']").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # Lists reflow to cards: the proceedings' case numbers are on screen, not off to the right.
    number = page.locator("#proceedings td.mono").first.bounding_box()
    assert number["x"] + number["width"] <= 375
    context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_main_page_fits_375px(live_server, browser, world, language):
    shots = os.environ.get("DOCKET_SCREENSHOTS")
    for width in (375, 1280) if shots else (375,):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(page, live_server.url)
        if language == "ru":
            page.click("header button.lang-choice[value=ru]")
            page.wait_for_load_state()
        too_wide = {}
        for name, path in main_pages(world).items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                too_wide[name] = page.evaluate(STICKING_OUT)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shots}/{name}-{language}-{width}.png", full_page=True)
        assert not too_wide, f"wider than {width} px: {too_wide}"
        assert not [e for e in errors if "Content Security Policy" in e], errors
        context.close()


def test_language_switch_does_not_change_on_arrow_keys(live_server, page, world):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cases/")
    switch = page.locator("header button.lang-choice[value=ru]")
    switch.focus()
    for key in ("ArrowDown", "ArrowUp", "ArrowRight", "ArrowLeft", "End", "Home"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.locator("html").get_attribute("lang") == "en" and page.url.endswith("/cases/")
    switch.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru" and page.url.endswith("/cases/")
    assert page.locator("h1").inner_text() == "Дела"


def test_skip_link_is_the_first_stop_and_moves_to_the_content(live_server, page, world):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cases/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link" and page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_form_posted_after_the_session_ended_is_filled_in_again(live_server, page, world):
    case = world["case"]
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/cases/{case.pk}/edit/")
    typed = "Позиция по делу, набранная до окончания сеанса."
    page.fill("#id_summary", typed)
    Session.objects.all().delete()  # the session ends while the lawyer is typing
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/login/"))
    assert "what you typed is kept" in page.locator(".messages").inner_text()
    page.fill("#id_username", "lead")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/edit/\?restore="))
    assert page.locator("#id_summary").input_value() == typed
    assert Case.objects.get(pk=case.pk).summary != typed  # not saved behind the lawyer's back
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    assert Case.objects.get(pk=case.pk).summary == typed
