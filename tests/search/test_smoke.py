import pytest
from rest_framework.test import APIClient

from tests.factories import CaseFactory, IncidentFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_smoke(search_backend):
    lead = UserFactory()
    case = CaseFactory(lead=lead, title="Камерами наблюдения в метро", summary="Иск о распознавании лиц")
    outsider = UserFactory()
    c = APIClient()
    c.force_authenticate(lead)
    r = c.get("/api/v1/search/", {"q": "камера"})
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 1
    c.force_authenticate(outsider)
    r = c.get("/api/v1/search/", {"q": "камера"})
    assert r.json()["count"] == 0
