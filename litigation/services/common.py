"""Helpers shared by the write services: field checks, parsing, a history-writing save."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def check_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})


def parse_dates(data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """ISO strings (from forms or commands) become dates; "" becomes None; anything else that is not a date is a
    ValidationError on its field."""
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if value in ("", None):
            data[name] = None
        elif isinstance(value, str):
            try:
                data[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError({name: _("Enter a valid date (YYYY-MM-DD).")}) from None
        elif isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValidationError({name: _("Enter a valid date (YYYY-MM-DD).")})
    return data


def strip_strings(data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    for name in names:
        if name in data:
            value = data[name]
            if value is None:
                data[name] = ""
            elif isinstance(value, str):
                data[name] = value.strip()
            else:
                raise ValidationError({name: _("Enter text.")})
    return data


def assign(obj: models.Model, data: Mapping[str, Any]) -> set[str]:
    """Set the given attributes; return the names whose value changed."""
    changed = set()
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    return changed


def save(obj: models.Model, *, user, reason: str | None = None, exclude: Iterable[str] = ()) -> None:
    """Validate, then save with the author (and a reason) in the history."""
    obj.full_clean(exclude=list(exclude) or None)
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


def delete(obj: models.Model, *, user) -> None:
    obj._history_user = user
    obj.delete()
