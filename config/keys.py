"""The site's secret key: never one published in the source.

With ``SECRET_KEY`` in the environment, that key is used. Without it, Docket makes a random key once and keeps it in
``DOCKET_DATA_DIR/secret_key`` (mode 0600). The file is written under a temporary name and hard-linked into place,
so it appears complete or not at all, and two processes starting at once end up reading the same key.

A key that was ever published (the old development default) is refused always; a short or repetitive key is
refused when DEBUG is off. Settings call these functions; nothing else reads the key file.
"""
from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "secret_key"
# Keys that appeared in Docket's source at some point. They must never sign, seal or encrypt anything.
PUBLISHED_KEYS = frozenset({"docket-dev-key-change-me-in-production-0123456789abcdef"})
# Django's own deploy check (security.W009) asks for at least 50 characters and 5 distinct ones.
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5


def _read_key_file(path: Path, depends: str = "custody seals and calendar URLs") -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"The key file {path} can be read by other users (mode {mode:o}); run: chmod 600 {path}"
        )
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"The key file {path} is damaged (too short). Restore it from where you keep it: {depends} "
            "depend on it."
        )
    return key


def load_or_create_key(path: Path, *, depends: str = "custody seals and calendar URLs") -> str:
    """The key kept in ``path``; made (random, mode 0600) if the file does not exist yet. ``depends`` says, in an
    error message, what the key protects."""
    try:
        return _read_key_file(path, depends)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created with mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(64) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        try:
            os.link(tmp_name, path)  # atomic: fails if another process put its key there first
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp_name)
    return _read_key_file(path, depends)


def check_key(name: str, key: str, *, production: bool) -> None:
    """Refuse a published key always, and a weak key when DEBUG is off, with a message saying what to do."""
    if key in PUBLISHED_KEYS:
        raise ImproperlyConfigured(
            f"{name} is the development key published in Docket's source; anyone could forge with it. "
            f"Unset {name} (Docket then keeps a random key in DOCKET_DATA_DIR) or set a random value of at least "
            f"{MIN_LENGTH} characters."
        )
    weak = len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE_CHARACTERS or key.startswith("django-insecure-")
    if production and weak:
        raise ImproperlyConfigured(
            f"{name} is too weak for production (DEBUG is off): use a random value of at least {MIN_LENGTH} "
            f"characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))', or unset {name} and "
            "let Docket keep a random key in DOCKET_DATA_DIR."
        )
