"""The OpenAPI schema generates and holds every path that shared/API.md fixes, with the methods it names."""
from __future__ import annotations

import re

import pytest
import yaml
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# path (as in API.md, {x} for any parameter) → methods API.md names for it
CONTRACT = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/logout/": {"post"},
    "/api/v1/users/": {"post"},
    "/api/v1/cases/": {"get", "post"},
    "/api/v1/cases/{}/": {"get", "patch", "delete"},
    "/api/v1/cases/{}/members/": {"get", "post"},
    "/api/v1/cases/{}/members/{}/": {"delete"},
    "/api/v1/cases/{}/history/": {"get"},
    "/api/v1/incidents/": {"get", "post"},
    "/api/v1/incidents/{}/": {"get", "patch", "delete"},
    "/api/v1/evidence/": {"get", "post"},
    "/api/v1/evidence/{}/": {"get"},
    "/api/v1/evidence/{}/download/": {"get"},
    "/api/v1/evidence/{}/custody/": {"get"},
    "/api/v1/evidence/{}/verify/": {"post"},
    "/api/v1/deadline-rules/": {"get"},
    "/api/v1/deadlines/": {"get", "post"},
    "/api/v1/deadlines/{}/": {"get", "patch", "delete"},
    "/api/v1/calendar/": {"get"},
    "/api/v1/search/": {"get"},
    "/api/v1/cases/{}/documents/exhibit-list.docx": {"get"},
    "/api/v1/cases/{}/documents/chronology.docx": {"get"},
    "/api/v1/cases/{}/bundle.zip": {"get"},
}


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_schema_holds_every_contract_path():
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = {_normalise(path): {m for m in ops if m in {"get", "post", "patch", "put", "delete"}}
             for path, ops in schema["paths"].items()}
    missing = {p: sorted(m - paths.get(p, set())) for p, m in CONTRACT.items() if not m <= paths.get(p, set())}
    assert missing == {}


def test_schema_generation_has_no_errors(capsys):
    from drf_spectacular.generators import SchemaGenerator

    SchemaGenerator().get_schema(request=None, public=True)
    err = capsys.readouterr().err
    assert "Error" not in err, err
