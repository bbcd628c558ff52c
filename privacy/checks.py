"""``manage.py check --deploy``: say so when the identity key lives beside the data it protects."""
from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def identity_key_outside_data(app_configs=None, **kwargs):
    if getattr(settings, "DOCKET_IDENTITY_KEY_FROM_FILE", False):
        return [checks.Warning(
            "DOCKET_IDENTITY_KEY is not set: persons' identities are encrypted with a key kept in "
            "DOCKET_DATA_DIR/identity_key, beside the database it protects, so a copy of that folder opens them.",
            hint="Set DOCKET_IDENTITY_KEY in the environment (the value of that file, to keep existing data "
                 "readable), remove the file, and keep the key apart from the backups (README, Security).",
            id="docket.W001",
        )]
    return []
