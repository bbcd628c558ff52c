"""API tokens (django-rest-knox): stored only as a hash, expire after DOCKET_TOKEN_TTL_HOURS, revoked by logout;
a malformed token is a 401 like a wrong one, never a 500."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.test_secret_key import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def alina():
    return UserFactory(username="alina")


def sign_in(username: str = "alina", password: str = PASSWORD, otp: str | None = None) -> str:
    body = {"username": username, "password": password, **({"otp": otp} if otp is not None else {})}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def as_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_sign_in_gives_a_token_stored_only_as_a_hash_that_expires_in_a_week(alina):
    before = timezone.now()
    response = APIClient().post("/api/v1/auth/token/", {"username": "alina", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    row = AuthToken.objects.get(user=alina)
    assert token not in (row.digest, row.token_key) and len(token) >= 40
    assert dt.timedelta(hours=167) < row.expiry - before <= dt.timedelta(hours=168, minutes=1)
    assert dt.datetime.fromisoformat(body["expiry"]) == row.expiry
    assert as_token(token).get("/api/v1/cases/").status_code == 200


def test_each_sign_in_is_a_token_of_its_own(alina):
    first, second = sign_in(), sign_in()
    assert first != second
    assert AuthToken.objects.filter(user=alina).count() == 2


def test_an_expired_token_is_refused_and_removed(alina):
    token = sign_in()
    AuthToken.objects.filter(user=alina).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = as_token(token).get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["detail"]
    assert not AuthToken.objects.filter(user=alina).exists()


def test_the_lifetime_follows_the_setting(alina, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=2)}
    sign_in()
    lifetime = AuthToken.objects.get(user=alina).expiry - timezone.now()
    assert dt.timedelta(minutes=119) < lifetime <= dt.timedelta(hours=2)


def test_docket_token_ttl_hours_is_read_and_checked(tmp_path):
    script = "from django.conf import settings; print(settings.REST_KNOX['TOKEN_TTL'].total_seconds())"
    assert run_manage(tmp_path, "shell", "-v", "0", "-c", script).stdout.split() == [str(168 * 3600.0)]
    assert run_manage(tmp_path, "shell", "-v", "0", "-c", script,
                      DOCKET_TOKEN_TTL_HOURS="12").stdout.split() == [str(12 * 3600.0)]
    refused = run_manage(tmp_path, "check", DOCKET_TOKEN_TTL_HOURS="0")
    assert refused.returncode != 0 and "DOCKET_TOKEN_TTL_HOURS must be between" in refused.stderr


def test_logout_revokes_the_callers_token_only(alina):
    mine, other_device = sign_in(), sign_in()
    response = as_token(mine).post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert as_token(mine).get("/api/v1/cases/").status_code == 401
    assert as_token(mine).post("/api/v1/auth/logout/").status_code == 401
    assert as_token(other_device).get("/api/v1/cases/").status_code == 200


def test_logout_needs_a_caller():
    response = APIClient().post("/api/v1/auth/logout/")
    assert response.status_code == 401 and response.json()["detail"]


def test_logout_with_a_browser_session_ends_the_session(alina, client):
    client.force_login(alina)
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert client.get("/api/v1/cases/").status_code in (401, 403)


def test_a_stale_header_does_not_stop_a_sign_in(alina):
    client = as_token("0" * 64)
    response = client.post("/api/v1/auth/token/", {"username": "alina", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_an_inactive_users_token_is_refused(alina):
    token = sign_in()
    alina.is_active = False
    alina.save(update_fields=["is_active"])
    assert as_token(token).get("/api/v1/cases/").status_code == 401


@pytest.mark.parametrize("header", [
    "Token not-a-real-token", "Token " + "f" * 64, "Token \u00e9\u00e9", "Token a\x00b", "Token " + "a" * 10_000,
    "Token a b", "Token", "token " + "0" * 64,
])
def test_malformed_or_wrong_tokens_are_401_never_500(alina, header):
    sign_in()
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, (header[:40], response.status_code)
    assert response.json()["detail"]


def test_wrong_credentials_are_400_and_issue_nothing(alina):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alina", "password": "wrong"}, format="json")
    assert response.status_code == 400 and response.json()["detail"]
    unknown = APIClient().post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert unknown.status_code == 400
    missing = APIClient().post("/api/v1/auth/token/", {"username": "alina"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()["detail"]
    assert not AuthToken.objects.exists()
