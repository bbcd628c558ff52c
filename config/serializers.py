"""DRF's ``serializers`` namespace with strict JSON types and bounded values (API.md, "Strict JSON types").

Every API module imports ``from config import serializers`` instead of ``from rest_framework import serializers``,
so each ``serializers.CharField(...)``, ``serializers.ChoiceField(...)``, … and every field a ``ModelSerializer``
builds from a model is one of the classes below:

- a **string** field (``CharField``, ``ChoiceField``, ``EmailField``, ``URLField``, ``SlugField``) takes only a JSON
  string: a number, boolean, list or object is a 400 (DRF would turn ``5`` into ``"5"``);
- a **boolean** takes only ``true`` or ``false`` (DRF would also take ``"yes"``, ``"on"``, ``1``, …);
- an **integer** takes only a JSON number (DRF would also take ``"5"``), and lies within ±(2**63-1) unless the
  field says narrower; a **float** only a finite JSON number;
- a **date** or **date-time** takes only a string, and lies between 1900-01-01 and 2200-12-31
  (``config.inputs``);
- a **related id** (``PrimaryKeyRelatedField``) takes only a JSON number; an id outside 1 … 2**63-1 is answered
  like a missing object.

Form and multipart bodies (and query strings) carry nothing but strings: when a serializer's data is a
``QueryDict`` the boolean, integer, float and related-id fields parse strings as DRF always did ("true", "on",
"5"). String fields are strict everywhere, since a form's values are strings anyway.
"""
from __future__ import annotations

from django.db import models
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers as _drf
from rest_framework.serializers import *  # noqa: F401,F403  (the rest of DRF's namespace, unchanged)

from config.inputs import DATE_MAX, DATE_MIN, MAX_ID, date_in_range, parse_id

_TYPE_NAMES = {
    bool: _("a boolean"), int: _("a number"), float: _("a number"), list: _("a list"), dict: _("an object"),
    type(None): _("null"),
}


def json_type_name(value) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return str(name)
    if isinstance(value, (list, tuple)):
        return str(_("a list"))
    if isinstance(value, dict):
        return str(_("an object"))
    return type(value).__name__


def from_form(field: _drf.Field) -> bool:
    """Whether the field's serializer was given form data (a QueryDict: form-urlencoded, multipart or a query
    string), whose values are strings by nature, rather than a JSON document."""
    root = field.root
    return isinstance(getattr(root, "initial_data", None), MultiValueDict)


class _StrictString:
    """Only a string is a string (and, when the field allows it, ``null``, handled before this)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise _drf.ValidationError(
                _("Expected a string, got %(type)s.") % {"type": json_type_name(data)}, code="invalid"
            )
        return super().to_internal_value(data)


class CharField(_StrictString, _drf.CharField):
    pass


class EmailField(_StrictString, _drf.EmailField):
    pass


class URLField(_StrictString, _drf.URLField):
    pass


class SlugField(_StrictString, _drf.SlugField):
    pass


class RegexField(_StrictString, _drf.RegexField):
    pass


class ChoiceField(_drf.ChoiceField):
    def to_internal_value(self, data):
        wants_strings = all(isinstance(key, str) for key in self.choices)
        if wants_strings and not isinstance(data, str):
            raise _drf.ValidationError(
                _("Expected a string, got %(type)s.") % {"type": json_type_name(data)}, code="invalid"
            )
        return super().to_internal_value(data)


class BooleanField(_drf.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool) and not (isinstance(data, str) and from_form(self)):
            raise _drf.ValidationError(
                _("Expected true or false, got %(type)s.") % {"type": json_type_name(data)}, code="invalid"
            )
        return super().to_internal_value(data)


class IntegerField(_drf.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", -MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            isinstance(data, (int, float)) or (isinstance(data, str) and from_form(self))
        ):
            raise _drf.ValidationError(
                _("Expected a whole number, got %(type)s.") % {"type": json_type_name(data)}, code="invalid"
            )
        return super().to_internal_value(data)


class BigIntegerField(IntegerField):
    pass


class IdField(IntegerField):
    """The id of an object: 1 … 2**63-1."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class FloatField(_drf.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            isinstance(data, (int, float)) or (isinstance(data, str) and from_form(self))
        ):
            raise _drf.ValidationError(
                _("Expected a number, got %(type)s.") % {"type": json_type_name(data)}, code="invalid"
            )
        return super().to_internal_value(data)  # DRF refuses NaN and infinity


def _date_range_error():
    return _drf.ValidationError(
        _("Enter a date between %(min)s and %(max)s.") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        code="date_range",
    )


class DateField(_drf.DateField):
    def to_internal_value(self, value):
        if not isinstance(value, str):
            raise _drf.ValidationError(
                _("Expected a date as a string YYYY-MM-DD, got %(type)s.") % {"type": json_type_name(value)},
                code="invalid",
            )
        parsed = super().to_internal_value(value)
        if not date_in_range(parsed):
            raise _date_range_error()
        return parsed


class DateTimeField(_drf.DateTimeField):
    def to_internal_value(self, value):
        if not isinstance(value, str):
            raise _drf.ValidationError(
                _("Expected a date and time as an ISO 8601 string, got %(type)s.") % {"type": json_type_name(value)},
                code="invalid",
            )
        parsed = super().to_internal_value(value)
        if not date_in_range(parsed):
            raise _date_range_error()
        return parsed


class PrimaryKeyRelatedField(_drf.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if self.pk_field is None:
            if isinstance(data, bool) or not (isinstance(data, int) or (isinstance(data, str) and from_form(self))):
                self.fail("incorrect_type", data_type=json_type_name(data))
            if parse_id(data) is None:
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ModelSerializer(_drf.ModelSerializer):
    """A ModelSerializer whose fields built from the model are the strict, bounded ones above."""

    serializer_field_mapping = {
        **_drf.ModelSerializer.serializer_field_mapping,
        models.AutoField: IntegerField,
        models.BigAutoField: BigIntegerField,
        models.BigIntegerField: BigIntegerField,
        models.BooleanField: BooleanField,
        models.CharField: CharField,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
        models.EmailField: EmailField,
        models.FloatField: FloatField,
        models.IntegerField: IntegerField,
        models.PositiveIntegerField: IntegerField,
        models.PositiveBigIntegerField: BigIntegerField,
        models.PositiveSmallIntegerField: IntegerField,
        models.SlugField: SlugField,
        models.SmallIntegerField: IntegerField,
        models.TextField: CharField,
        models.URLField: URLField,
    }
    serializer_choice_field = ChoiceField
    serializer_related_field = PrimaryKeyRelatedField
