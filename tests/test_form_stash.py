"""A form submitted after the session expired keeps the typed text after signing in again (config.form_stash):
only for the same account, only once, only on the page it was typed on, never replayed, never with a forged
CSRF token, never passwords or files, and not kept longer than needed."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from cases.models import Case
from config import form_stash
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TYPED = "Новая позиция: камеры в метро нарушают ст. 8 Конвенции — typed before the session ended"


@pytest.fixture
def lead():
    return UserFactory(username="lead", password=PASSWORD)


@pytest.fixture
def case(lead):
    return CaseFactory(lead=lead, title="Original title", summary="Original summary")


def sign_in(client: Client, username: str, next_url: str = "") -> object:
    return client.post("/login/", {"username": username, "password": PASSWORD, "next": next_url})


def expire_sessions() -> None:
    """What a session reaching its end looks like to the server: the session row is gone."""
    Session.objects.all().delete()


def post_after_expiry(client: Client, case: Case):
    expire_sessions()
    response = client.post(f"/cases/{case.pk}/edit/", {
        "title": "Edited title", "summary": TYPED, "status": "filed", "jurisdiction": "RU",
        "privileged_notes": "PRIV-typed",
    })
    assert response.status_code == 302
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert urlsplit(response["Location"]).path == "/login/"
    assert next_url.startswith(f"/cases/{case.pk}/edit/?restore=")
    return next_url


def test_typed_text_comes_back_after_signing_in_again(client, lead, case):
    sign_in(client, "lead")
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 200
    next_url = post_after_expiry(client, case)
    login_page = client.get(f"/login/?next={next_url}").content.decode()
    assert "what you typed is kept" in login_page
    response = sign_in(client, "lead", next_url)
    assert response.status_code == 302 and response["Location"] == next_url
    page = client.get(next_url).content.decode()
    assert TYPED in page and "Edited title" in page and "PRIV-typed" in page
    assert "is back in the form" in page
    case.refresh_from_db()
    assert case.summary == "Original summary" and case.title == "Original title"  # nothing saved, nothing replayed
    # Once only: the same address shows the stored case again.
    again = client.get(next_url).content.decode()
    assert TYPED not in again and "Original summary" in again
    # The signed-in session has its normal length again.
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    # Saving the restored form works as any form does.
    form = dict(re.findall(r'name="(csrfmiddlewaretoken)" value="([^"]+)"', page))
    assert client.post(f"/cases/{case.pk}/edit/", {**form, "title": "Edited title", "summary": TYPED,
                                                    "status": "filed", "jurisdiction": "RU"}).status_code == 302
    case.refresh_from_db()
    assert case.summary == TYPED


def test_another_account_never_sees_it(client, lead, case):
    UserFactory(username="colleague", password=PASSWORD)
    sign_in(client, "lead")
    client.get("/")
    next_url = post_after_expiry(client, case)
    sign_in(client, "colleague", next_url)
    page = client.get(next_url)
    assert TYPED not in page.content.decode()  # (the colleague is no member: 404, and the text is dropped)
    assert form_stash.STASH_KEY not in client.session
    client.logout()
    sign_in(client, "lead")
    assert TYPED not in client.get(next_url).content.decode()


def test_not_kept_longer_than_needed(client, lead, case, monkeypatch):
    sign_in(client, "lead")
    client.get("/")
    next_url = post_after_expiry(client, case)
    assert client.session.get_expiry_age() <= form_stash.STASH_SECONDS  # the anonymous session ends with it
    later = form_stash.time.time() + form_stash.STASH_SECONDS + 1
    monkeypatch.setattr(form_stash.time, "time", lambda: later)
    sign_in(client, "lead", next_url)
    assert TYPED not in client.get(next_url).content.decode()
    assert form_stash.STASH_KEY not in client.session


def test_wrong_key_or_page_gives_nothing_back(client, lead, case):
    sign_in(client, "lead")
    client.get("/")
    next_url = post_after_expiry(client, case)
    sign_in(client, "lead")
    assert TYPED not in client.get(f"/cases/{case.pk}/edit/?restore=guess").content.decode()
    key = parse_qs(urlsplit(next_url).query)["restore"][0]
    assert TYPED not in client.get(f"/cases/new/?restore={key}").content.decode()
    assert TYPED in client.get(next_url).content.decode()


def test_a_forged_post_is_not_kept():
    """Only a POST that passed the CSRF check reaches the sign-in redirect; a forged one is refused and kept
    nowhere."""
    lead = UserFactory(username="lead", password=PASSWORD)
    case = CaseFactory(lead=lead)
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    client.post("/login/", {"username": "lead", "password": PASSWORD, "csrfmiddlewaretoken": token})
    client.get("/")
    expire_sessions()
    forged = client.post(f"/cases/{case.pk}/edit/", {"title": "x", "summary": TYPED})
    assert forged.status_code == 403
    assert not Session.objects.exists() or all(
        form_stash.STASH_KEY not in s.get_decoded() for s in Session.objects.all())
    token = client.cookies["csrftoken"].value
    genuine = client.post(f"/cases/{case.pk}/edit/", {"title": "x", "summary": TYPED, "csrfmiddlewaretoken": token})
    assert genuine.status_code == 302 and "restore" in parse_qs(urlsplit(genuine["Location"]).query)["next"][0]
    stash = client.session[form_stash.STASH_KEY]
    assert [name for name, _ in stash["fields"]] == ["title", "summary"]  # the token itself is not kept


def test_passwords_and_files_are_never_kept(client, lead, case):
    sign_in(client, "lead")
    client.get("/")
    expire_sessions()
    client.post(f"/cases/{case.pk}/edit/", {"title": "x", "new_password1": "hunter2-secret"})
    assert all("password" not in name for name, _ in client.session[form_stash.STASH_KEY]["fields"])
    expire_sessions()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(f"/evidence/upload/?case={case.pk}", {"title": "photo", "file": SimpleUploadedFile("a.txt", b"x")})
    assert form_stash.STASH_KEY not in client.session


def test_without_the_last_account_cookie_nothing_is_kept(lead, case):
    client = Client()
    client.force_login(lead)  # signed in, but no response has named the account to this browser yet
    expire_sessions()
    client.post(f"/cases/{case.pk}/edit/", {"title": "x", "summary": TYPED})
    assert form_stash.STASH_KEY not in client.session
