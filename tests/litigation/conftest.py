"""Fixtures for the litigation tests: a case with one member of each role and an outsider, built by the services."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from cases.models import Role
from tests.factories import CaseFactory, UserFactory, add_member

D = dt.date.fromisoformat


class Cast:
    def __init__(self):
        self.lead = UserFactory(username="lead")
        self.case = CaseFactory(lead=self.lead, title="Metro face recognition", reference="2-1187/2025")
        self.lawyer = UserFactory(username="lawyer")
        self.researcher = UserFactory(username="researcher")
        self.coordinator = UserFactory(username="coordinator")
        self.observer = UserFactory(username="observer")
        self.outsider = UserFactory(username="outsider")
        add_member(self.case, self.lawyer, Role.LAWYER)
        add_member(self.case, self.researcher, Role.RESEARCHER)
        add_member(self.case, self.coordinator, Role.COORDINATOR)
        add_member(self.case, self.observer, Role.OBSERVER)

    def user(self, role: str):
        return getattr(self, role)


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.fixture
def api():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return make
