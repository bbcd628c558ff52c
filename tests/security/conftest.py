"""Fixtures of the security tests: the search backends as in tests/search."""
from tests.search.conftest import search_backend  # noqa: F401  (a fixture)
