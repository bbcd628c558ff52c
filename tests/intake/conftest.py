"""Intake test helpers: a triager (site permission ``cases.triage_intake``), a public client, a fresh throttle."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory

REPORT = {
    "occurred_at": "2026-11-20T08:15:00+03:00", "location": "Okhotny Ryad metro station, Moscow",
    "description": "Two officers stopped me at the turnstile and said the camera had matched my face.",
    "category": "wrongful_stop", "contact": "Signal +7 900 123 45 67", "consent": True,
}


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def make_triager(username: str = "triager"):
    user = UserFactory(username=username)
    user.user_permissions.add(Permission.objects.get(codename="triage_intake", content_type__app_label="cases"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: Django caches permissions per instance


@pytest.fixture
def triager(db):
    return make_triager()


@pytest.fixture
def public():
    return APIClient(REMOTE_ADDR="203.0.113.77")


def authed(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
