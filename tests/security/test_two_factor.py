"""Two-factor sign-in on the pages and in the token endpoint; staff must use it; wrong codes count as failures."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import two_factor
from tests.conftest import confirmed_device, totp_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def token_request(username, otp=None):
    body = {"username": username, "password": PASSWORD, **({"otp": otp} if otp is not None else {})}
    return APIClient().post("/api/v1/auth/token/", body, format="json")


def test_token_without_with_a_wrong_and_with_the_right_code():
    user = UserFactory(username="alina")
    device = confirmed_device(user)
    missing = token_request("alina")
    assert missing.status_code == 401 and missing.json()["otp_required"] is True and "detail" in missing.json()
    wrong = token_request("alina", otp="000000" if totp_code(device) != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.json()["otp_required"] is True
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code; the next try is a while later
    right = token_request("alina", otp=totp_code(device))
    assert right.status_code == 200, right.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert api.get("/api/v1/cases/").status_code == 200


def test_a_user_without_two_factors_signs_in_with_the_password_alone():
    UserFactory(username="boris")
    assert token_request("boris").status_code == 200


def test_a_recovery_code_works_once():
    user = UserFactory(username="alina")
    confirmed_device(user)
    codes = two_factor.recovery_codes_regenerate(user=user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert token_request("alina", otp=codes[0].upper()).status_code == 200  # typed in capitals: still fine
    assert token_request("alina", otp=codes[0]).status_code == 401  # used up
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_wrong_codes_count_towards_the_lock_out(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(username="alina")
    device = confirmed_device(user)
    wrong = "123456" if totp_code(device) != "123456" else "654321"
    statuses = [token_request("alina", otp=wrong).status_code for _ in range(4)]
    assert statuses[:2] == [401, 401]
    assert 429 in statuses[2:], statuses
    device.throttle_reset()
    assert token_request("alina", otp=totp_code(device)).status_code == 429  # locked out, even with the right code


def test_the_sign_in_page_asks_for_the_code_after_the_password():
    user = UserFactory(username="alina")
    device = confirmed_device(user)
    client = Client()
    first = client.post("/login/", {"username": "alina", "password": PASSWORD})
    assert first.status_code == 200 and b'name="step" value="code"' in first.content
    assert client.get("/").status_code == 302  # not signed in before the code
    wrong = client.post("/login/", {"step": "code", "code": "000000" if totp_code(device) != "000000" else "1"})
    assert wrong.status_code == 200 and b"not right" in wrong.content
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post("/login/", {"step": "code", "code": totp_code(device), "next": "/cases/"})
    assert done.status_code == 302 and done["Location"] == "/cases/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200


def test_the_code_step_needs_the_password_step_first():
    user = UserFactory(username="alina")
    device = confirmed_device(user)
    client = Client()
    response = client.post("/login/", {"step": "code", "code": totp_code(device)})
    assert response.status_code == 302 and client.get("/").status_code == 302


def test_set_up_with_a_qr_code_then_recovery_codes_shown_once():
    user = UserFactory(username="alina")
    client = Client()
    client.force_login(user)
    assert client.post("/account/two-factor/start/")["Location"] == "/account/two-factor/setup/"
    page = client.get("/account/two-factor/setup/").content.decode()
    assert "<svg" in page and "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed and not two_factor.has_two_factor(user)
    assert client.post("/account/two-factor/setup/", {"code": "999999" if totp_code(device) != "999999" else "1"}
                       ).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post("/account/two-factor/setup/", {"code": totp_code(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert two_factor.has_two_factor(user)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session is verified
    assert codes[0] not in client.get("/account/two-factor/").content.decode()  # never shown again


def test_turning_off_needs_a_current_code():
    user = UserFactory(username="alina")
    device = confirmed_device(user)
    client = Client()
    client.force_login(user)
    client.post("/account/two-factor/disable/", {"code": "000000" if totp_code(device) != "000000" else "1"})
    assert two_factor.has_two_factor(user)
    device.refresh_from_db()
    device.throttle_reset()
    client.post("/account/two-factor/disable/", {"code": totp_code(device)})
    assert not two_factor.has_two_factor(user)


def test_staff_without_an_authenticator_can_do_nothing_but_set_one_up():
    staff = UserFactory(username="staffer", is_staff=True)
    client = Client()
    client.force_login(staff)
    for path in ("/", "/cases/", "/admin/", "/account/password/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/"), path
    assert client.get("/api/v1/cases/").status_code == 403
    assert client.get("/account/two-factor/").status_code == 200
    assert token_request("staffer").status_code == 403


def test_staff_with_an_authenticator_must_verify_the_session_and_get_a_token_with_a_code():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = confirmed_device(root)
    client = Client()
    client.force_login(root)  # a session that gave no code
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/")
    assert client.post("/account/two-factor/verify/", {"code": totp_code(device), "next": "/admin/"}
                       )["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert token_request("root").status_code == 401
    assert token_request("root", otp=totp_code(device, step=1)).status_code == 200
