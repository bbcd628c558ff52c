"""Changing a password — on the page, in the admin, with `manage.py changepassword`, through the API — revokes every
API token of that user and ends their other sessions; nothing else does."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.conftest import confirmed_device, login_with_two_factors, totp_code
from tests.accounts.test_tokens import PASSWORD, as_token, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "a-new-Passphrase-for-2026"


@pytest.fixture
def alina():
    return UserFactory(username="alina")


@pytest.fixture
def tokens(alina) -> list[str]:
    return [sign_in(), sign_in()]


def assert_revoked(tokens: list[str], user) -> None:
    for token in tokens:
        assert as_token(token).get("/api/v1/cases/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def signed_in_client(username: str = "alina", password: str = PASSWORD) -> Client:
    """A browser that signed in through the login page (django-axes needs the request)."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.status_code
    return client


# --- the page -------------------------------------------------------------------------------------------------
def test_the_page_changes_the_password_keeps_this_session_and_ends_the_rest(alina, tokens):
    other_browser = signed_in_client()
    bystander = UserFactory(username="boris")
    bystander_token = sign_in("boris")
    client = signed_in_client()
    page = client.get("/account/password/")
    assert page.status_code == 200
    response = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                                   "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/account/password/done/"
    done = client.get(response["Location"])
    assert done.status_code == 200 and "revoked" in done.content.decode()
    assert_revoked(tokens, alina)
    assert client.get("/cases/").status_code == 200  # this session goes on
    assert other_browser.get("/cases/")["Location"].startswith("/login/")  # the others end
    alina.refresh_from_db()
    assert alina.check_password(NEW)
    assert as_token(bystander_token).get("/api/v1/cases/").status_code == 200
    assert bystander.auth_token_set.count() == 1


def test_a_wrong_current_password_on_the_page_changes_nothing(alina, tokens):
    client = signed_in_client()
    response = client.post("/account/password/", {"old_password": "wrong", "new_password1": NEW,
                                                   "new_password2": NEW})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    alina.refresh_from_db()
    assert alina.check_password(PASSWORD)
    assert as_token(tokens[0]).get("/api/v1/cases/").status_code == 200


def test_the_page_needs_a_signed_in_user():
    response = Client().get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_navigation_links_to_the_page_in_english_and_russian(alina):
    client = signed_in_client()
    assert 'href="/account/password/">Change password</a>' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    dashboard = client.get("/").content.decode()
    assert 'href="/account/password/">Сменить пароль</a>' in dashboard
    page = client.get("/account/password/").content.decode()
    for text in ("Текущий пароль", "Новый пароль ещё раз", "другие сеансы"):
        assert text in page


# --- the admin, the command, the API ----------------------------------------------------------------------------
def test_a_superuser_setting_the_password_in_the_admin_revokes_the_tokens(alina, tokens, client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    login_with_two_factors(client, root)
    response = client.post(f"/admin/auth/user/{alina.pk}/password/", {"password1": NEW, "password2": NEW,
                                                                       "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:500]
    alina.refresh_from_db()
    assert alina.check_password(NEW)
    assert_revoked(tokens, alina)


def test_the_admins_own_password_change_page_revokes_the_tokens(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    root_tokens = [sign_in("root", otp=totp_code(confirmed_device(root)))]  # staff sign in with two factors
    login_with_two_factors(client, root)
    response = client.post("/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW,
                                                       "new_password2": NEW})
    assert response.status_code == 302
    assert_revoked(root_tokens, root)


def test_manage_py_changepassword_revokes_the_tokens(alina, tokens, monkeypatch):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW)
    call_command("changepassword", "alina", stdout=io.StringIO())
    alina.refresh_from_db()
    assert alina.check_password(NEW)
    assert_revoked(tokens, alina)


def test_the_api_changes_the_password_and_revokes_every_token_the_callers_too(alina, tokens):
    other_browser = signed_in_client()
    response = as_token(tokens[0]).post("/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": NEW},
                                        format="json")
    assert response.status_code == 204
    assert_revoked(tokens, alina)
    assert other_browser.get("/cases/")["Location"].startswith("/login/")
    assert sign_in(password=NEW)


def test_the_api_from_a_browser_session_keeps_that_session(alina, tokens):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(alina)
    response = client.post("/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": NEW}, format="json")
    assert response.status_code == 204
    assert client.get("/api/v1/cases/").status_code == 200
    assert_revoked(tokens, alina)


@pytest.mark.parametrize(("body", "field"), [
    ({"old_password": "wrong", "new_password": NEW}, "old_password"),
    ({"old_password": PASSWORD, "new_password": "short"}, "too short"),
    ({"old_password": PASSWORD, "new_password": "alina@example.org"}, "too similar"),
    ({"old_password": PASSWORD}, "new_password"),
])
def test_the_api_refuses_a_bad_change_and_changes_nothing(alina, tokens, body, field):
    response = as_token(tokens[0]).post("/api/v1/auth/password/", body, format="json")
    assert response.status_code == 400 and field in response.json()["detail"]
    alina.refresh_from_db()
    assert alina.check_password(PASSWORD)
    assert as_token(tokens[1]).get("/api/v1/cases/").status_code == 200


def test_wrong_current_passwords_through_the_api_lock_the_account_out(alina, tokens, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        as_token(tokens[0]).post("/api/v1/auth/password/", {"old_password": "guess", "new_password": NEW},
                                 format="json")
    locked = as_token(tokens[0]).post("/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": NEW},
                                      format="json")
    assert locked.status_code == 429
    alina.refresh_from_db()
    assert alina.check_password(PASSWORD)


# --- what does and does not revoke ------------------------------------------------------------------------------
def test_an_unusable_password_revokes_the_tokens(alina, tokens):
    alina.set_unusable_password()
    alina.save()
    assert_revoked(tokens, alina)


def test_other_changes_to_the_user_keep_the_tokens(alina, tokens):
    alina.email = "alina@example.net"
    alina.first_name = "Alina"
    alina.save()
    signed_in_client()  # a session sign-in updates last_login
    assert AuthToken.objects.filter(user=alina).count() == 2
    assert as_token(tokens[0]).get("/api/v1/cases/").status_code == 200


def test_a_failed_save_keeps_the_tokens(alina, tokens):
    from django.db import IntegrityError, transaction

    UserFactory(username="taken")
    alina.set_password(NEW)
    alina.username = "taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        alina.save()
    assert AuthToken.objects.filter(user=alina).count() == 2
