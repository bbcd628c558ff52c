"""Concurrent edits: every save of a case, incident, person or deadline through the services raises its ``version``.

An update service locks the row (``select_for_update``; on SQLite the write transaction is already exclusive),
reloads the caller's object from it — so fields the caller did not send keep what another writer saved — and, when
the caller says which version it edited (``expected_version``), refuses with ``VersionConflict`` if the row has
moved on since. Nothing is written then. ``version`` is left out of the history: it counts saves, it is not content.
"""
from __future__ import annotations

from django.db.models import F, Model
from django.utils.translation import gettext as _

from config.conflict import Conflict


class VersionConflict(Conflict):
    """Someone saved the object after the caller read it. ``current`` is the object as it is now."""

    def __init__(self, current: Model) -> None:
        super().__init__(
            _("Someone else changed this %(what)s after you opened it (version %(version)s is current). Nothing was "
              "saved: reload it, then make your change again.") % {
                "what": current._meta.verbose_name, "version": current.version},
            current_version=current.version,
        )
        self.current = current


def lock_for_update(obj: Model, expected_version: int | None = None) -> Model:
    """Lock ``obj``'s row for the rest of the transaction and reload ``obj`` from it; VersionConflict when
    ``expected_version`` is given and is not the stored version."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True).first()
    obj.refresh_from_db()
    if expected_version is not None and expected_version != obj.version:
        raise VersionConflict(obj)
    return obj


def next_version(obj: Model) -> None:
    """Before saving an existing ``obj``: its version becomes the stored one plus one (the row is locked first)."""
    if obj.pk is None or not hasattr(obj, "version"):
        return
    stored = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("version", flat=True).first()
    obj.version = (stored if stored is not None else obj.version or 0) + 1


def bump_version(obj: Model) -> None:
    """Count a change that saves no field of ``obj`` (e.g. an incident's linked cases): only ``version`` moves, and
    ``version`` is not in the history, so this writes no history of its own (the change itself is recorded)."""
    type(obj)._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)
    obj.version = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
