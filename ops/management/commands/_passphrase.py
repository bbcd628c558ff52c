"""Where a backup passphrase comes from: a file, the environment, or the terminal (never the command line)."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from django.core.management.base import CommandError

from config.env import env_str


def from_file(path: str) -> str:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read the passphrase file: {exc}") from None
    return text.rstrip("\r\n")


def configured(path: str | None) -> str | None:
    """The passphrase given by --passphrase-file or DOCKET_BACKUP_PASSPHRASE, if any."""
    if path:
        return from_file(path)
    return env_str("DOCKET_BACKUP_PASSPHRASE", "") or None


def ask(*, confirm: bool) -> str | None:
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Backup passphrase: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise CommandError("The two passphrases differ.")
    return first
