"""The bounds of every value a client may send, in one place (API.md, "Errors": no input gives a 5xx).

- **Ids** are whole numbers 1 … 2**63-1 (a 64-bit signed primary key). In a URL path the ``<id:…>`` converter
  registered here makes anything else a 404 (the same as a missing object); in a query parameter or a body
  ``parse_id`` turns anything else into ``None``, which callers answer as they answer a missing object or as a 400
  naming the parameter.
- **Dates** typed by people (deadlines, trigger dates, proceedings, consent, an incident's ``occurred_at``, when
  evidence was obtained, date filters) lie between ``DATE_MIN`` and ``DATE_MAX``: 1900-01-01 … 2200-12-31. The
  models carry ``validate_date_range`` (services call ``full_clean``, so pages, the API and commands all refuse
  the same values), the forms and serializers carry it too, so the error names the field.
- **JSON bodies** nest at most ``MAX_JSON_DEPTH`` levels (``config.api.JSONParser``) and, like form bodies, hold at
  most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (larger: 413). Evidence and template files are streamed, not bounded
  by it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import ModelMultipleChoiceField
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2200, 12, 31)
MAX_JSON_DEPTH = 32
_MAX_ID_DIGITS = len(str(MAX_ID))


def parse_id(value: Any) -> int | None:
    """``value`` as an id (an int, or a string of ASCII digits), or None when it cannot be one: not a whole
    number, a bool, zero or negative, or beyond 2**63-1. Never raises."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > _MAX_ID_DIGITS:
            return None
        number = int(text)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values) -> list[int | None]:
    return [parse_id(v) for v in values]


def date_in_range(value: dt.date | dt.datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, dt.datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def validate_date_range(value: dt.date | dt.datetime | None) -> None:
    """A Django validator (models and forms): the date lies between DATE_MIN and DATE_MAX."""
    if not date_in_range(value):
        raise ValidationError(date_range_message(), code="date_range")


def id_message() -> str:
    return _("Expected an id: a whole number between 1 and %(max)d.") % {"max": MAX_ID}


def date_range_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}


class IdConverter:
    """``<id:pk>``: an id 1 … 2**63-1. Anything longer or larger does not match, so the URL answers 404."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError("not an id")  # the resolver then tries the next pattern, and finally answers 404
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


class IdModelMultipleChoiceField(ModelMultipleChoiceField):
    """A form's list of ids: a value that cannot be an id (beyond 2**63-1, say) is an invalid choice, not a
    database error (Django guards ``pk=…`` against overflow but not ``pk__in=…``)."""

    def _check_values(self, value):
        if self.to_field_name is None and isinstance(value, (list, tuple)):
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": str(pk)[:40]})
        return super()._check_values(value)
