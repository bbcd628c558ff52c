"""Model fields whose values are stored sealed (``privacy.crypto``): in the table, in its history table and so in
every backup. django-simple-history copies a model's fields onto its historical model with their class, so the
history rows of a person are sealed the same way.

In Python the value is plain text (forms, serializers and validators see it as before); in the database it is
``docket:enc:v1:…`` in a ``text`` column. An empty value stays empty (it says only that nothing was recorded).
Such a field cannot be filtered on by value: the ciphertext is randomised.
"""
from __future__ import annotations

from django.db import models

from privacy import crypto


class _Sealed:
    def get_internal_type(self) -> str:
        return "TextField"  # the ciphertext is longer than the plain value's max_length

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), context=self.name)


class EncryptedCharField(_Sealed, models.CharField):
    """A CharField (``max_length`` checked on the plain value) stored sealed in a text column."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)


class EncryptedTextField(_Sealed, models.TextField):
    """A TextField stored sealed."""
