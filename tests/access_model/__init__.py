"""The reference model of docs/access-model.md and the checks that compare it with the API
(used by tests/test_access_model.py)."""
