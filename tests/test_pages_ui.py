"""The pages in Russian and for keyboards: the language switch, the skip link, dates in the locale's formats, no
untranslated text on the main pages, and the members form (a list of users, observer first, leads only)."""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone, translation

from cases import services
from deadlines import services as deadline_services
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

NOMINATIVE_MONTHS = "Январь|Февраль|Март|Апрель|Май|Июнь|Июль|Август|Сентябрь|Октябрь|Ноябрь|Декабрь"


class _Text(HTMLParser):
    """The text a reader sees: element text and the attributes read aloud or shown (title, placeholder, labels)."""

    SKIP = {"script", "style"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt", "data-confirm") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def world():
    lead = UserFactory(username="lead")
    observer = UserFactory(username="observer")
    case = CaseFactory(lead=lead, title="Жалоба на систему «Сфера»", reference="2а-1187/2026",
                       court="Мещанский районный суд г. Москвы", jurisdiction="RU",
                       summary="Обработка биометрических данных", privileged_notes="Стратегия")
    add_member(case, observer, "observer")
    services.proceeding_create(user=lead, case=case, stage="appeal", court="Московский городской суд",
                               case_number="33-4471/2026", judge="Иванова И. И.", filed_on=dt.date(2026, 12, 4))
    incident = IncidentFactory(user=lead, cases=[case], title="Задержание на станции «Новослободская»",
                               location="Станция метро «Новослободская»", description="Ложное срабатывание",
                               occurred_at=dt.datetime(2026, 12, 4, 8, 42, tzinfo=dt.timezone.utc))
    person = PersonFactory(user=lead, pseudonym="Заявительница А.", real_name="Анна Воронова", contacts="Сигнал")
    services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    with translation.override("ru"):  # a deadline's explanation is written in its author's language
        deadline = deadline_services.deadline_create(user=lead, case=case, title="Апелляционная жалоба",
                                                     due_date=timezone.localdate() + dt.timedelta(days=3))
    return {"lead": lead, "observer": observer, "case": case, "incident": incident, "person": person,
            "deadline": deadline}


def russian(user) -> Client:
    client = Client()
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    return client


def main_pages(w) -> list[str]:
    c, i, p = w["case"].pk, w["incident"].pk, w["person"].pk
    return ["/", "/cases/", f"/cases/{c}/", f"/cases/{c}/edit/", f"/cases/{c}/members/", f"/cases/{c}/history/",
            f"/cases/{c}/documents/", "/incidents/", f"/incidents/{i}/", f"/incidents/{i}/history/",
            "/incidents/new/", "/persons/", f"/persons/{p}/", f"/persons/{p}/merge/", f"/persons/{p}/history/",
            "/deadlines/", f"/deadlines/{w['deadline'].pk}/", "/trash/", f"/evidence/upload/?case={c}"]


# --- The language switch ---------------------------------------------------------------------------------------
def test_language_switch_is_a_button_per_language_not_a_select(world):
    client = Client()
    client.force_login(world["lead"])
    page = client.get("/cases/").content.decode()
    form = page[page.index('<form class="lang"'):]
    form = form[:form.index("</form>")]
    assert "<select" not in form and "data-autosubmit" not in page
    assert re.findall(r'<button name="language" value="(\w+)"', form) == ["en", "ru"]
    assert 'value="en" lang="en" class="lang-choice" aria-current="true"' in form
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/cases/?status=filed"})
    assert response.status_code == 302 and response["Location"] == "/cases/?status=filed"
    page = client.get("/cases/?status=filed").content.decode()
    assert '<html lang="ru">' in page and "<h1>Дела</h1>" in page
    assert 'value="ru" lang="ru" class="lang-choice" aria-current="true"' in page
    # The documents page chooses the documents' language with links, not a select that submits itself.
    docs = client.get(f"/cases/{world['case'].pk}/documents/").content.decode()
    assert 'href="?lang=en"' in docs and 'href="?lang=ru"' in docs and 'id="doc-lang"' not in docs


def test_skip_link_and_collapsing_navigation(world):
    client = Client()
    client.force_login(world["lead"])
    page = client.get("/").content.decode()
    body = page[page.index("<body>"):]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'class="skip-link" href="#content"' in first_link
    assert '<main id="content" tabindex="-1">' in page
    assert '<details class="navmenu">' in page and "<summary>Menu</summary>" in page
    assert page.count('href="/persons/"') == 2  # once in the bar, once in the phone menu
    assert 'href="/" aria-current="page"' in page


# --- Dates -----------------------------------------------------------------------------------------------------
def test_dates_in_russian_use_the_genitive_and_the_year_mark(world):
    client = russian(world["lead"])
    incidents = client.get("/incidents/").content.decode()
    assert "4 декабря 2026 г. 8:42" in incidents
    case_page = client.get(f"/cases/{world['case'].pk}/").content.decode()
    assert "4 декабря 2026 г." in case_page  # the proceeding's filing date
    due = world["deadline"].due_date
    months = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря"]
    dashboard = client.get("/").content.decode()
    assert f"{due.day} {months[due.month - 1]}<" in dashboard  # the upcoming widget: day and month
    detail = client.get(f"/deadlines/{world['deadline'].pk}/").content.decode()
    assert f"{due.day} {months[due.month - 1]} {due.year} г." in detail
    for url in main_pages(world):
        text = visible_text(client.get(url).content.decode())
        assert not re.search(rf"\b\d{{1,2}} ({NOMINATIVE_MONTHS})\b", text), url
        assert not re.search(r"\b\d{1,2} (Янв|Фев|Мар|Апр|Июн|Июл|Авг|Сен|Окт|Ноя|Дек)\b", text), url


def test_dates_in_english_are_day_month_year(world):
    client = Client()
    client.force_login(world["lead"])
    assert "4 Dec 2026, 08:42" in client.get("/incidents/").content.decode()
    assert "Dec. 4" not in client.get(f"/cases/{world['case'].pk}/").content.decode()


# --- Translations ----------------------------------------------------------------------------------------------
ALLOWED_LATIN = {
    "Docket", "English", "lead", "observer", "SHA", "docx", "zip", "pdf", "ZIP", "ECHR", "RU", "MIME", "amicus",
    "curiae", "ISO", "alpha", "case", "title", "reference", "for", "exhibits", "number", "sha", "endfor", "text", "plain",
    "CSV", "XLSX", "PDF",  # file formats, named as they are in Russian too
    "manage",  # manage.py run_scheduled: a command is typed as it is, in any language
}


def test_main_pages_in_russian_have_no_untranslated_text(world):
    client = russian(world["lead"])
    found = {}
    for url in main_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        words = set(re.findall(r"\b[A-Za-z]{3,}\b", visible_text(response.content.decode())))
        if words - ALLOWED_LATIN:
            found[url] = sorted(words - ALLOWED_LATIN)
    assert not found, found


# --- Members ---------------------------------------------------------------------------------------------------
def test_members_are_chosen_from_a_list_and_start_as_observers(world):
    UserFactory(username="newcomer")
    UserFactory(username="gone", is_active=False)
    client = Client()
    client.force_login(world["lead"])
    page = client.get(f"/cases/{world['case'].pk}/members/").content.decode()
    select = page[page.index('<select name="add-username"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r'<option value="([^"]*)"', select)
    assert options == ["", "newcomer"]  # active users not on the case yet; no free text, no deactivated accounts
    assert re.search(r'<option value="observer" selected>', page)
    assert client.post(f"/cases/{world['case'].pk}/members/", {
        "action": "add", "add-username": "newcomer"}).status_code == 200  # the role must be chosen (it is)
    client.post(f"/cases/{world['case'].pk}/members/", {"action": "add", "add-username": "newcomer",
                                                         "add-role": "observer"})
    assert world["case"].memberships.get(user__username="newcomer").role == "observer"
    # Nobody but a lead sees the list of accounts.
    observer = Client()
    observer.force_login(world["observer"])
    assert observer.get(f"/cases/{world['case'].pk}/members/").status_code == 404
    case_page = observer.get(f"/cases/{world['case'].pk}/").content.decode()
    assert "newcomer" in case_page and 'name="add-username"' not in case_page and "gone" not in case_page
