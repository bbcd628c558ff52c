"""Settings for the test suite: the real components, pointed at temporary folders, with a fast hasher."""
import os
import tempfile

os.environ.setdefault("DOCKET_DATA_DIR", tempfile.mkdtemp(prefix="docket-test-"))

from config.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True
DOCKET_INTAKE_RATE = 1000  # tests that exercise the throttle set their own rate
