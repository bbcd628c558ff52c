"""`manage.py check --deploy` with the production environment the README gives has nothing to say: HTTPS redirect,
secure cookies and HSTS come from the environment."""
from __future__ import annotations

import pytest

from tests.test_secret_key import STRONG, run_manage

pytestmark = pytest.mark.slow

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG,
    "ALLOWED_HOSTS": "docket.example.org",
    "DOCKET_HTTPS": "1",
    "DOCKET_HSTS_PRELOAD": "1",
    # The identity key comes from the environment in production (README, Security), never from beside the data.
    "DOCKET_IDENTITY_KEY": "kC9vX2mQ7rT4wY8zB1nD5fH3jL6pS0uA9eG2iK7oM4q",
}


def test_check_deploy_with_production_settings_gives_no_warning(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_https_check_deploy_names_what_is_missing(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "DOCKET_HTTPS"}
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_https_settings_follow_the_environment(tmp_path):
    script = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
              "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
              "s.SECURE_PROXY_SSL_HEADER)")
    on = run_manage(tmp_path, "shell", "-v", "0", "-c", script, DOCKET_HTTPS="1", DOCKET_BEHIND_PROXY="1")
    assert on.stdout.split() == ["True", "True", "True", "31536000", "True", "False",
                                 "('HTTP_X_FORWARDED_PROTO',", "'https')"], on.stderr
    off = run_manage(tmp_path, "shell", "-v", "0", "-c", script, DOCKET_HSTS_SECONDS="600")
    assert off.stdout.split() == ["False", "False", "False", "600", "False", "False", "None"], off.stderr
