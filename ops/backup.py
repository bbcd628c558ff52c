"""``backup_create``: one archive with the database snapshot, every stored blob, the key files and a manifest.

Consistency: the database snapshot is taken first (``ops.dbsnapshot``); the blobs carried are exactly those its
rows reference. Blobs are write-once and content-addressed, so what the snapshot references is still there and
still the same bytes afterwards (only the orphan sweeper removes blobs, and only unreferenced ones). Each blob is
re-hashed while it streams into the archive; a blob that is missing or no longer matches its digest stops the
backup with a message naming it (``verify_evidence`` tells more) rather than archiving damage silently.

The archive is written under ``FILE.partial`` (mode 0600) and renamed to ``FILE`` only when complete, so a failed
or interrupted backup never leaves a file that looks like a good one. With a passphrase the whole stream is
encrypted (``ops.crypto``); without one, the archive holds the site's secret key and every identity in clear:
keep it as carefully as the server.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from django.conf import settings
from django.utils import timezone

from ops import crypto, dbsnapshot, manifest
from ops.progress import bar

CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass
class BackupReport:
    output: str
    size: int
    files: int
    file_bytes: int
    evidence_items: int
    tables: int
    encrypted: bool
    seconds: float


def _queries() -> dict[str, str]:
    from evidence.models import CustodyHead, EvidenceItem

    queries = {}
    for store in manifest.STORES:
        table = store.model()._meta.db_table
        where = f" WHERE {store.where}" if store.where else ""
        queries[f"blobs:{store.alias}"] = (
            f'SELECT "{store.sha_column}", MAX("{store.size_column}") FROM "{table}"{where} '
            f'GROUP BY "{store.sha_column}" ORDER BY "{store.sha_column}"')
    head = CustodyHead._meta
    item_col = head.get_field("item").column
    queries["custody_heads"] = (
        f'SELECT "{item_col}", seq, entry_hash, seal FROM "{head.db_table}" ORDER BY "{item_col}"')
    queries["evidence_items"] = f'SELECT COUNT(*) FROM "{EvidenceItem._meta.db_table}"'
    return queries


def _key_members(workdir: Path) -> list[dbsnapshot.Member]:
    members = []
    for name in manifest.key_files():
        source = Path(settings.DATA_DIR) / name
        if not source.is_file():
            continue
        copy = workdir / f"key-{name}"
        shutil.copyfile(source, copy)
        os.chmod(copy, 0o600)
        members.append(dbsnapshot.Member(f"keys/{name}", copy).seal())
    return members


def _key_notes(keys: list[dbsnapshot.Member]) -> dict:
    from config.env import env_str

    secret_from_env = bool(env_str("SECRET_KEY", ""))
    return {
        "secret_key": "environment" if secret_from_env else ("file" if keys else "missing"),
        "custody_key": "DOCKET_CUSTODY_KEY" if getattr(settings, "DOCKET_CUSTODY_KEY", "") else "SECRET_KEY",
        "not_in_archive": {
            name: what for name, what in manifest.ENVIRONMENT_KEYS.items()
            if (name != "SECRET_KEY" or secret_from_env)
            and (name != "DOCKET_CUSTODY_KEY" or getattr(settings, "DOCKET_CUSTODY_KEY", ""))
        },
    }


class _HashingReader:
    """Reads a blob's stream for tarfile, hashing and counting on the way."""

    def __init__(self, fh: BinaryIO, progress) -> None:
        import hashlib

        self._fh, self._progress = fh, progress
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        self._progress.update(len(data))
        return data


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.type = size, 0o600, int(time.time()), tarfile.REGTYPE
    return info


def _open_output(output: str) -> tuple[BinaryIO, Path | None]:
    if output == "-":
        return sys.stdout.buffer, None
    target = Path(output).expanduser()
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name (a backup never overwrites one).")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{partial} exists: another backup is running, or one was interrupted (remove it).") \
            from None
    return os.fdopen(fd, "wb"), partial


def backup_create(*, output: str, passphrase: str | None = None, progress: bool = True,
                  stream: TextIO | None = None) -> BackupReport:
    """Write the archive to ``output`` (a new file, or "-" for standard output). See the module docstring."""
    started = time.monotonic()
    stream = stream or sys.stderr
    if passphrase is not None:
        try:
            crypto.check_passphrase(passphrase)
        except ValueError as exc:
            raise BackupError(str(exc)) from None
    tmp_root = Path(settings.UPLOAD_TMP_DIR)
    tmp_root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="backup-", dir=tmp_root))
    fh = partial = tar = None
    try:
        stream.write("Taking a consistent snapshot of the database…\n")
        snap = dbsnapshot.take(workdir, _queries())
        keys = _key_members(workdir)
        files = [
            {"store": store.alias, "sha256": sha, "size": int(size), "name": manifest.file_member(store.alias, sha)}
            for store in manifest.STORES for sha, size in snap.rows[f"blobs:{store.alias}"]
        ]
        heads = {str(item): [seq, entry, seal] for item, seq, entry, seal in snap.rows["custody_heads"]}
        evidence_items = snap.rows["evidence_items"][0][0]
        doc = {
            "format": manifest.FORMAT, "version": manifest.VERSION,
            "created_at": timezone.now().isoformat(), "engine": snap.engine,
            "database": {
                "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in snap.members],
                "tables": snap.tables, "sequences": snap.sequences, "migrations": snap.migrations,
            },
            "keys": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in keys],
            "key_notes": _key_notes(keys),
            "files": files,
            "evidence_items": evidence_items,
            "custody_heads": heads,
        }
        manifest_bytes = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")

        fh, partial = _open_output(output)
        sink = crypto.EncryptingWriter(fh, passphrase) if passphrase else fh
        total = sum(m.size for m in snap.members) + sum(m.size for m in keys) + sum(f["size"] for f in files)
        with bar(total=total, desc="backup", enabled=progress, stream=stream) as progress_bar:
            tar = tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT)
            tar.copybufsize = CHUNK
            tar.addfile(_tarinfo(manifest.MANIFEST, len(manifest_bytes)), io.BytesIO(manifest_bytes))
            for member in [*snap.members, *keys]:
                with open(member.path, "rb") as src:
                    tar.addfile(_tarinfo(member.name, member.size), src)
                progress_bar.update(member.size)
            for entry in files:
                _add_blob(tar, entry, progress_bar)
            tar.close()
        if passphrase:
            sink.close()
        fh.flush()
        if partial is not None:
            os.fsync(fh.fileno())
            fh.close()
            final = partial.with_name(partial.name[: -len(".partial")])
            os.rename(partial, final)
            with contextlib.suppress(OSError):
                dir_fd = os.open(final.parent, os.O_RDONLY)
                os.fsync(dir_fd)
                os.close(dir_fd)
            size, shown = final.stat().st_size, str(final)
            partial = None
        else:
            size, shown = 0, "-"
        return BackupReport(
            output=shown, size=size, files=len(files), file_bytes=sum(f["size"] for f in files),
            evidence_items=evidence_items, tables=len(snap.tables), encrypted=bool(passphrase),
            seconds=time.monotonic() - started,
        )
    except dbsnapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from None
    finally:
        if partial is not None:
            if tar is not None:  # abandoned: never let the tar stream flush into the closed file later
                tar.closed = True
                tar.fileobj.closed = True
            with contextlib.suppress(Exception):
                fh.close()
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        shutil.rmtree(workdir, ignore_errors=True)


def _add_blob(tar: tarfile.TarFile, entry: dict, progress_bar) -> None:
    store = manifest.STORE_BY_ALIAS[entry["store"]]
    label = f"{entry['store']} file {entry['sha256']}"
    try:
        src = store.storage().open_stream(store.name(entry["sha256"]))
    except FileNotFoundError:
        raise BackupError(f"the stored {label} is missing: run manage.py verify_evidence; nothing was written.") \
            from None
    with contextlib.closing(src):
        reader = _HashingReader(src, progress_bar)
        try:
            tar.addfile(_tarinfo(entry["name"], entry["size"]), reader)
        except OSError as exc:
            if "unexpected end of data" in str(exc):
                raise BackupError(f"the stored {label} is shorter than recorded: run manage.py verify_evidence.") \
                    from None
            raise
    if reader.digest.hexdigest() != entry["sha256"]:
        raise BackupError(f"the stored {label} no longer matches its digest: run manage.py verify_evidence.")
