"""``backup_restore``: bring an archive into an EMPTY instance, verifying everything, or change nothing.

1. The manifest (the archive's first member) is read and checked: format, engine (an archive restores into the
   engine it was made from), the migrations (the same as this instance's), the tables and their columns.
2. The instance must be empty: no users, cases, incidents, persons, evidence, deadlines or templates, and no stored
   file. ``restore`` never merges into or overwrites a site. A database with no tables at all is migrated first.
3. Every member streams in and is hashed on the way: the database snapshot and key files into a private temporary
   folder, each blob into its storage (write-once; the ones this restore created are removed again on failure).
   A member that is not in the manifest, a hash or size that differs, or a member missing at the end: refused.
4. The database is loaded in ONE transaction (``ops.dbsnapshot``); inside it, before the commit, the row count of
   every table is compared with the manifest, every custody chain head with the manifest's, and every evidence item
   is checked with ``evidence.services.evidence_check`` (its blob re-hashed from the storage, its chain and seals
   verified with the restored key). Any mismatch rolls the transaction back.
5. Only then are the key files put in place (mode 0600), and the search index is rebuilt.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from ops import crypto, dbsnapshot, manifest
from ops.progress import bar

CHUNK = 1024 * 1024
MAX_PROBLEMS_SHOWN = 20


class RestoreError(Exception):
    pass


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    evidence_items: int
    seconds: float
    indexed: str = ""
    notes: list[str] = field(default_factory=list)


# --- The instance ---------------------------------------------------------------------------------------------------
def instance_contents() -> dict[str, int]:
    """What this instance already holds (all zeros for an empty one)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    counts = {"users": get_user_model().objects.count()}
    for label, model in (("cases", "cases.Case"), ("incidents", "cases.Incident"), ("persons", "cases.Person"),
                         ("evidence items", "evidence.EvidenceItem"), ("deadlines", "deadlines.Deadline"),
                         ("document templates", "documents.DocumentTemplate")):
        counts[label] = apps.get_model(model)._default_manager.count()
    for store in manifest.STORES:
        counts[f"stored {store.alias} files"] = sum(1 for _ in _first(store.storage().iter_names(), 1))
    return counts


def _first(iterator, n: int):
    for index, value in enumerate(iterator):
        if index >= n:
            return
        yield value


def _ensure_migrated(log: Callable[[str], None]) -> None:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    if dbsnapshot.MIGRATIONS_TABLE not in names:
        log("The database has no tables yet: migrating it first.")
        call_command("migrate", interactive=False, verbosity=0)


def _applied_migrations() -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {dbsnapshot.MIGRATIONS_TABLE} ORDER BY app, name")
        return [list(r) for r in cursor.fetchall()]


# --- Reading the archive --------------------------------------------------------------------------------------------
def _open_source(source: str, passphrase: Callable[[], str | None]) -> tuple[BinaryIO, BinaryIO, bool]:
    if source == "-":
        raw = sys.stdin.buffer
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise RestoreError(f"{path} does not exist or is not a file.")
        raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    head = raw.peek(len(crypto.MAGIC))[: len(crypto.MAGIC)] if hasattr(raw, "peek") else b""
    if crypto.is_encrypted(head):
        secret = passphrase()
        if not secret:
            raw.close()
            raise RestoreError("This archive is encrypted: give its passphrase (--passphrase-file, "
                               "DOCKET_BACKUP_PASSPHRASE, or type it when asked).")
        try:
            return raw, crypto.DecryptingReader(raw, secret), True
        except crypto.DecryptionError as exc:
            raw.close()
            raise RestoreError(f"Cannot decrypt the archive: {exc}.") from None
    return raw, raw, False


def _read_manifest(tar: tarfile.TarFile) -> tuple[dict, bytes]:
    first = tar.next()
    if first is None or first.name != manifest.MANIFEST or not first.isreg():
        raise RestoreError("This is not a Docket backup (its first member is not manifest.json).")
    if first.size > manifest.MAX_MANIFEST_BYTES:
        raise RestoreError("The manifest is implausibly large.")
    data = tar.extractfile(first).read()
    try:
        doc = json.loads(data)
    except ValueError:
        raise RestoreError("The manifest is not valid JSON: the archive is damaged.") from None
    if not isinstance(doc, dict) or doc.get("format") != manifest.FORMAT:
        raise RestoreError("This is not a Docket backup.")
    if doc.get("version") != manifest.VERSION:
        raise RestoreError(f"This archive has format version {doc.get('version')}; this Docket reads version "
                           f"{manifest.VERSION}.")
    return doc, data


def _expected_members(doc: dict) -> dict[str, dict]:
    expected: dict[str, dict] = {}
    try:
        for entry in doc["database"]["members"]:
            expected[entry["name"]] = {"kind": "database", **entry}
        for entry in doc.get("keys", []):
            name = entry["name"]
            if not name.startswith("keys/") or not manifest.KEY_NAME.match(name[5:]):
                raise RestoreError(f"The manifest names an unexpected key file {name!r}.")
            expected[name] = {"kind": "key", **entry}
        for entry in doc["files"]:
            store, sha = entry["store"], entry["sha256"]
            if store not in manifest.STORE_BY_ALIAS or not manifest.HEX64.match(sha):
                raise RestoreError(f"The manifest names an unexpected file {entry!r}.")
            if entry["name"] != manifest.file_member(store, sha):
                raise RestoreError(f"The manifest names an unexpected file {entry['name']!r}.")
            expected[entry["name"]] = {"kind": "file", **entry}
    except (KeyError, TypeError):
        raise RestoreError("The manifest is incomplete: the archive is damaged.") from None
    for name in expected:
        if name.startswith("database/") and ("/" in name[9:] or not name.endswith(".gz")):
            raise RestoreError(f"The manifest names an unexpected member {name!r}.")
    return expected


def _copy_hashed(src: BinaryIO, dst: BinaryIO, progress_bar) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        dst.write(chunk)
        progress_bar.update(len(chunk))
    return digest.hexdigest(), size


@dataclass
class _Staged:
    workdir: Path
    database: dict[str, Path] = field(default_factory=dict)  # member name → staged path
    keys: dict[str, Path] = field(default_factory=dict)  # key file name → staged path
    created: list[tuple[str, str]] = field(default_factory=list)  # (store alias, storage name) put by this restore
    files: int = 0

    def undo_files(self) -> None:
        for alias, name in reversed(self.created):
            with contextlib.suppress(Exception):
                manifest.STORE_BY_ALIAS[alias].storage().delete(name)
        self.created.clear()


def _stage(tar: tarfile.TarFile, expected: dict[str, dict], staged: _Staged, progress_bar) -> None:
    from evidence import storage

    seen: set[str] = set()
    while (member := tar.next()) is not None:  # (iterating the TarFile would start over at the manifest)
        name = member.name
        entry = expected.get(name)
        if entry is None:
            raise RestoreError(f"The archive holds {name!r}, which its manifest does not list: refused.")
        if name in seen:
            raise RestoreError(f"The archive holds {name!r} twice: refused.")
        if not member.isreg():
            raise RestoreError(f"{name!r} is not a regular file: refused.")
        seen.add(name)
        src = tar.extractfile(member)
        if entry["kind"] == "file":
            spooled = storage.spool(_Counting(src, progress_bar))
            try:
                if spooled.sha256 != entry["sha256"] or spooled.size != entry["size"]:
                    raise RestoreError(f"{name} does not match its SHA-256 in the manifest: the archive is damaged.")
                alias = entry["store"]
                store = manifest.STORE_BY_ALIAS[alias]
                stored_name = store.name(entry["sha256"])
                if store.storage().put_once(stored_name, spooled.path, sha256=spooled.sha256, size=spooled.size):
                    staged.created.append((alias, stored_name))
                staged.files += 1
            finally:
                spooled.discard()
            continue
        target = staged.workdir / f"member-{len(seen):06d}"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            digest, size = _copy_hashed(src, out, progress_bar)
        if digest != entry["sha256"] or size != entry["size"]:
            raise RestoreError(f"{name} does not match its SHA-256 in the manifest: the archive is damaged.")
        if entry["kind"] == "database":
            staged.database[name] = target
        else:
            staged.keys[name[len("keys/"):]] = target
    missing = sorted(set(expected) - seen)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise RestoreError(f"The archive is incomplete: {shown} missing (cut short?).")


class _Counting:
    def __init__(self, fh: BinaryIO, progress_bar) -> None:
        self._fh, self._bar = fh, progress_bar

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._bar.update(len(data))
        return data


# --- Checks ---------------------------------------------------------------------------------------------------------
def _check_schema(doc: dict) -> None:
    archived = doc["database"]["migrations"]
    here = _applied_migrations()
    if archived != here:
        newer = sorted({tuple(m) for m in archived} - {tuple(m) for m in here})
        older = sorted({tuple(m) for m in here} - {tuple(m) for m in archived})
        detail = []
        if newer:
            detail.append("the archive has migrations this instance lacks: "
                          + ", ".join(f"{a}.{n}" for a, n in newer[:5]))
        if older:
            detail.append("this instance has migrations the archive lacks: "
                          + ", ".join(f"{a}.{n}" for a, n in older[:5]))
        raise RestoreError("The archive was made by a different version of Docket (" + "; ".join(detail) + "). "
                           "Restore it with the version that made it, then upgrade.")
    tables = doc["database"]["tables"]
    mine = dbsnapshot.target_tables()
    for name, columns in mine.items():
        if name == dbsnapshot.MIGRATIONS_TABLE:
            continue
        if name not in tables:
            raise RestoreError(f"The archive has no table {name}: it does not fit this instance.")
        if sorted(tables[name]["columns"]) != sorted(columns):
            raise RestoreError(f"The columns of {name} differ between the archive and this instance.")
    extra = sorted(set(tables) - set(mine))
    if extra:
        raise RestoreError(f"The archive has tables this instance lacks: {', '.join(extra[:5])}.")


@contextlib.contextmanager
def _archived_secret_key(staged: _Staged):
    """While verifying, sign and seal with the key the backed-up site used (its key file), unless this instance
    takes SECRET_KEY from the environment."""
    from config.env import env_str
    from config.keys import KEY_FILE_NAME

    path = staged.keys.get(KEY_FILE_NAME)
    if path is None or env_str("SECRET_KEY", ""):
        yield
        return
    previous = settings.SECRET_KEY
    settings.SECRET_KEY = path.read_text(encoding="ascii").strip()
    try:
        yield
    except BaseException:
        settings.SECRET_KEY = previous
        raise


def _verify_loaded(doc: dict, *, progress: bool, stream: TextIO) -> list[str]:
    from evidence.models import CustodyHead, EvidenceItem
    from evidence.services import evidence_check

    problems: list[str] = []
    tables = {n: t for n, t in doc["database"]["tables"].items() if n != dbsnapshot.MIGRATIONS_TABLE}
    for name, count in dbsnapshot.table_counts(tables).items():
        if count != tables[name]["rows"]:
            problems.append(f"table {name}: {count} rows restored, the manifest says {tables[name]['rows']}")
    heads = {str(item): [seq, entry, seal] for item, seq, entry, seal in
             CustodyHead.objects.values_list("item_id", "seq", "entry_hash", "seal")}
    archived = doc["custody_heads"]
    if heads != archived:
        differing = sorted((k for k in set(heads) | set(archived) if heads.get(k) != archived.get(k)), key=int)
        problems.append(f"custody chain heads differ from the manifest for items {', '.join(differing[:10])}")
    items = EvidenceItem.objects.order_by("pk")
    with bar(total=items.count(), desc="verify", unit="item", enabled=progress, stream=stream) as progress_bar:
        for item in items.iterator(chunk_size=500):
            result = evidence_check(item)
            if not result["ok"]:
                problems += [f"evidence item #{item.pk}: {p}" for p in result["problems"]]
            progress_bar.update(1)
    if any("seal does not match" in p for p in problems):
        problems.append("custody seals do not match: this instance must use the custody key of the site that was "
                        "backed up (its DOCKET_CUSTODY_KEY, or its SECRET_KEY)")
    return problems


# --- The restore ----------------------------------------------------------------------------------------------------
def backup_restore(*, source: str, passphrase: Callable[[], str | None] = lambda: None, progress: bool = True,
                   stream: TextIO | None = None, rebuild_index: bool = True) -> RestoreReport:
    """Restore the archive at ``source`` (a path, or "-" for standard input). See the module docstring."""
    started = time.monotonic()
    stream = stream or sys.stderr

    def log(text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    raw, reader, _encrypted = _open_source(source, passphrase)
    tmp_root = Path(settings.UPLOAD_TMP_DIR)
    tmp_root.mkdir(parents=True, exist_ok=True)
    staged = _Staged(workdir=Path(tempfile.mkdtemp(prefix="restore-", dir=tmp_root)))
    committed = False
    try:
        try:
            tar = tarfile.open(fileobj=reader, mode="r|")
            doc, _ = _read_manifest(tar)
        except tarfile.TarError:
            raise RestoreError("This is not a Docket backup (not a tar archive), or it is damaged.") from None
        except crypto.DecryptionError as exc:
            raise RestoreError(f"Cannot decrypt the archive: {exc}.") from None
        engine = dbsnapshot.engine_name()
        if doc.get("engine") != engine:
            raise RestoreError(f"This archive holds a {doc.get('engine')} database; this instance uses {engine}. "
                               f"Restore it into a {doc.get('engine')} instance.")
        _ensure_migrated(log)
        contents = {k: v for k, v in instance_contents().items() if v}
        if contents:
            raise RestoreError(
                "This instance is not empty (" + ", ".join(f"{k}: {v}" for k, v in contents.items()) + "). "
                "restore only fills a new, empty instance — a fresh DOCKET_DATA_DIR and database — and never "
                "merges into or overwrites a site.")
        _check_schema(doc)
        expected = _expected_members(doc)
        total = sum(e["size"] for e in expected.values())
        log(f"Archive of {doc.get('created_at')}: {len(doc['files'])} stored files, "
            f"{doc.get('evidence_items', 0)} evidence items, {len(doc['database']['tables'])} tables.")
        try:
            with bar(total=total, desc="restore", enabled=progress, stream=stream) as progress_bar:
                _stage(tar, expected, staged, progress_bar)
        except (tarfile.TarError, EOFError):
            raise RestoreError("The archive is damaged or cut short.") from None
        except crypto.DecryptionError as exc:
            raise RestoreError(f"The archive is damaged: {exc}.") from None

        tables = doc["database"]["tables"]
        rows = sum(t["rows"] for n, t in tables.items() if n != dbsnapshot.MIGRATIONS_TABLE)
        log("Loading the database in one transaction and verifying every evidence item…")
        with _archived_secret_key(staged):
            _load_and_verify(doc, staged, engine, progress=progress, stream=stream)
        committed = True
        _install_keys(staged)
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        indexed = ""
        if rebuild_index:
            log("Rebuilding the search index…")
            out = _Capture()
            call_command("rebuild_index", no_progress=True, stdout=out)
            indexed = out.text.strip()
        notes = [f"{name} is not in the archive: {what}." for name, what in
                 doc.get("key_notes", {}).get("not_in_archive", {}).items()]
        return RestoreReport(tables=len(tables), rows=rows, files=staged.files,
                             evidence_items=doc.get("evidence_items", 0), seconds=time.monotonic() - started,
                             indexed=indexed, notes=notes)
    finally:
        if not committed:
            staged.undo_files()
        shutil.rmtree(staged.workdir, ignore_errors=True)
        with contextlib.suppress(Exception):
            raw.close()


def _load_and_verify(doc: dict, staged: _Staged, engine: str, *, progress: bool, stream: TextIO) -> None:
    tables = doc["database"]["tables"]
    sequences = doc["database"].get("sequences", {})

    def fail(problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        raise RestoreError("Verification failed; nothing was restored:\n  - " + "\n  - ".join(shown)
                           + (f"\n  … and {more} more" if more else ""))

    loading = bar(total=len([n for n in tables if n != dbsnapshot.MIGRATIONS_TABLE]), desc="tables", unit="table",
                  enabled=progress, stream=stream)

    def on_table(_name: str) -> None:
        loading.update(1)
        if loading.n == loading.total:
            loading.close()

    def verify() -> None:
        loading.close()
        problems = _verify_loaded(doc, progress=progress, stream=stream)
        if problems:
            fail(problems)

    try:
        if engine == "sqlite":
            (member,) = staged.database.values()
            snapshot = staged.workdir / "docket.sqlite3"
            dbsnapshot.gunzip_to(member, snapshot)
            check = dbsnapshot.sqlite_integrity(snapshot)
            if check != "ok":
                fail([f"the database snapshot failed its integrity check: {check}"])
            with dbsnapshot.attached_sqlite(snapshot), transaction.atomic():
                dbsnapshot.load_sqlite(tables, sequences, on_table)
                verify()
        else:
            by_table = {name[len("database/"):-len(".copy.gz")]: path for name, path in staged.database.items()}
            missing = sorted(set(tables) - {dbsnapshot.MIGRATIONS_TABLE} - set(by_table))
            if missing:
                fail([f"the archive has no data for table {name}" for name in missing])
            with transaction.atomic():
                dbsnapshot.load_postgresql(tables, sequences, by_table.__getitem__, on_table)
                verify()
    finally:
        loading.close()


def _install_keys(staged: _Staged) -> None:
    data_dir = Path(settings.DATA_DIR)
    for name, path in staged.keys.items():
        target = data_dir / name
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)  # the empty instance's own fresh key is replaced by the site's


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
