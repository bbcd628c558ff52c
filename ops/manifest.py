"""What a backup archive holds and how its members are named. Shared by ``ops.backup`` and ``ops.restore``.

An archive is a tar stream (optionally wrapped in ``ops.crypto``'s passphrase encryption) whose members are, in
order: ``manifest.json``; the database snapshot (``database/…``); the key files (``keys/<name>``); every stored
blob (``files/evidence/<sha256>``, ``files/templates/<sha256>``). The manifest lists each member with its SHA-256
and size, every table with its row count and columns, the applied migrations, and every evidence item's custody
chain head (sequence, entry hash, seal) as they were in the snapshot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

FORMAT = "docket-backup"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
HEX64 = re.compile(r"^[0-9a-f]{64}$")
KEY_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class Store:
    """A content-addressed store whose blobs a backup carries: the storage alias, the table and column that
    reference its blobs, and how a digest becomes a storage name."""

    alias: str
    table_model: str  # app_label.ModelName whose rows reference the blobs
    sha_column: str = "sha256"
    size_column: str = "size"
    where: str = ""  # SQL condition on the rows whose blobs are kept (empty: every row)

    def storage(self):
        from django.core.files.storage import storages

        return storages[self.alias]

    def name(self, sha256: str) -> str:
        if not HEX64.match(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        if self.alias in ("evidence", "intake"):
            return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return f"{sha256}.docx"

    def model(self):
        from django.apps import apps

        return apps.get_model(self.table_model)


STORES = (
    Store("evidence", "evidence.EvidenceItem"),
    Store("templates", "documents.DocumentTemplate"),
    # The files of public reports still waiting for triage (accepted ones are evidence, rejected ones are gone).
    Store("intake", "intake.Report", sha_column="file_sha256", size_column="file_size",
          where="status = 'new' AND file_sha256 <> ''"),
)
STORE_BY_ALIAS = {store.alias: store for store in STORES}


def file_member(alias: str, sha256: str) -> str:
    return f"files/{alias}/{sha256}"


def key_files() -> list[str]:
    """Key files kept in DOCKET_DATA_DIR that a backup must carry (names relative to it). The site's secret key
    file is one; another key file added later goes into ``DOCKET_BACKUP_KEY_FILES``."""
    from config.keys import KEY_FILE_NAME

    names = [KEY_FILE_NAME, *getattr(settings, "DOCKET_BACKUP_KEY_FILES", [])]
    return list(dict.fromkeys(n for n in names if KEY_NAME.match(n)))


# Keys an archive never holds: they come from the environment and must be kept apart from the backups.
ENVIRONMENT_KEYS = {
    "SECRET_KEY": "the site's secret key, when set in the environment (else the key file in the archive is used)",
    "DOCKET_CUSTODY_KEY": "the key that seals the custody chain, when set (else SECRET_KEY seals it)",
    "DOCKET_IDENTITY_KEY": "the key that encrypts persons' identities at rest: without it they cannot be read",
}
