"""What the other apps call when their objects change. The search app decides how (and when) to index.

Apps never import whoosh or a backend: they call these functions inside their write transaction, and the
work happens after the commit (``transaction.on_commit``).
"""
from __future__ import annotations

from django.db import models


def index_on_commit(obj: models.Model) -> None:
    """Re-index ``obj`` (a Case, Incident, Person or EvidenceItem) after the current transaction commits."""
    return None


def remove_on_commit(obj: models.Model) -> None:
    """Remove ``obj`` from the index after the current transaction commits."""
    return None


def case_access_changed_on_commit(case: models.Model) -> None:
    """A membership of ``case`` changed: re-index what the case's permissions affect."""
    return None
