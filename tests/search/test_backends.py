"""Both backends give the same answers on the same data (PostgreSQL only: that is where both can run)."""
from __future__ import annotations

import pytest
from django.db import connection

from search.backends import get_backend
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.search.conftest import found, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = ["камера", "камерами метро", "утеч*", '"распознавания лиц"', "камера -метро", "метро OR утечка",
           "секретныйфайл", "Скрытнов", "Альфа", "NOT камера", "stopped", "(метро OR утечка) камера"]


def test_whoosh_and_postgres_agree(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from cases import services

    lead, observer = UserFactory(username="lead"), UserFactory(username="observer")
    case = CaseFactory(lead=lead, title="Камеры распознавания лиц в метро", summary="Иск о камерах")
    add_member(case, observer, "observer")
    CaseFactory(lead=lead, title="Утечка базы", summary="камера; the officer stopped him")
    IncidentFactory(user=lead, cases=[case], title="Задержание", description="камерами в метро")
    IncidentFactory(user=lead, cases=[], title="Утечка черновик", description="камера")
    upload_evidence(lead, "секретныйфайл камерами\n".encode(), "s.txt", case=case.pk, restricted="true")
    person = PersonFactory(user=lead, pseudonym="Альфа", real_name="Скрытнов")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    answers = {}
    for name in ("whoosh", "postgres"):
        settings.DOCKET_SEARCH_BACKEND = name
        get_backend().rebuild()
        answers[name] = {(u.username, q): found(u, q) for u in (lead, observer) for q in QUERIES}
    assert sum(len(v) for v in answers["whoosh"].values()) > 20
    assert answers["whoosh"] == answers["postgres"]
