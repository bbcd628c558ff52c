"""Litigation data built through the real services (history and permission checks included)."""
from __future__ import annotations

from litigation import services


def make_claim(user, case, right="Article 8 of the Convention (private life)", **fields):
    return services.claim_create(user=user, case=case, right=right, **fields)


def make_authority(user, title="Glukhin v. Russia", **fields):
    fields.setdefault("kind", "judgment")
    return services.authority_create(user=user, title=title, **fields)


def make_request(user, case, addressee="Moscow Metro", **fields):
    return services.request_create(user=user, case=case, addressee=addressee, **fields)


def make_task(user, case, title="Draft the appeal", **fields):
    return services.task_create(user=user, case=case, title=title, **fields)
