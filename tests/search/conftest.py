"""Search fixtures: every search test runs on whoosh, and also on PostgreSQL's full text when the database is
PostgreSQL (``.ci/run`` does both)."""
from __future__ import annotations

import pytest
from django.db import connection


def _backends():
    return ["whoosh", "postgres"]


@pytest.fixture(params=_backends())
def search_backend(request, settings):
    """The backend under test, selected the way the app selects it (settings.DOCKET_SEARCH_BACKEND)."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend needs PostgreSQL (DATABASE_URL)")
    settings.DOCKET_SEARCH_BACKEND = request.param
    return request.param


# Search tests use real transactions (``transactional_db``): indexing happens in ``transaction.on_commit``,
# which only runs when a transaction really commits.
pytestmark = pytest.mark.django_db(transaction=True)
