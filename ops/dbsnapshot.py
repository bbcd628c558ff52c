"""A consistent snapshot of the database, and loading one into an empty instance in a single transaction.

Why native snapshots rather than Django's serializers: they carry every byte as the database holds it — an
encrypted identity column stays ciphertext, a custody timestamp keeps its microseconds (Django's JSON encoder cuts
them to milliseconds, which would break every custody hash) — and they need no knowledge of the models.

- **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies the live database into a temporary file
  in one step, under a read lock: a consistent snapshot while the site keeps serving (WAL lets writers go on).
  The archive holds that file, gzipped. Restore ATTACHes it and copies every table with ``INSERT … SELECT``.
- **PostgreSQL**: one ``REPEATABLE READ, READ ONLY`` transaction (the snapshot pg_dump itself uses) reads every
  table with ``COPY … TO STDOUT``, the row counts, the sequences and the custody heads, so all of it describes the
  same instant; writers are not blocked. Restore loads the tables with ``COPY … FROM STDIN`` over the site's own
  connection (no client binary whose version must match the server's).

Either way the restore runs in ONE transaction on Django's connection: foreign keys are deferred to the commit, the
caller verifies counts, hashes and custody chains through the ORM inside it, and any failure rolls everything
back. An archive restores into the same engine it was made from.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, connections

CHUNK = 1024 * 1024
MIGRATIONS_TABLE = "django_migrations"
SNAPSHOT_ALIAS = "default"


class SnapshotError(Exception):
    pass


@dataclass
class Member:
    """A file that goes into the archive: ``name`` inside it, ``path`` on disk, its SHA-256 and size."""

    name: str
    path: Path
    sha256: str = ""
    size: int = 0

    def seal(self) -> Member:
        digest = hashlib.sha256()
        with open(self.path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        self.sha256, self.size = digest.hexdigest(), self.path.stat().st_size
        return self


@dataclass
class Snapshot:
    engine: str
    members: list[Member] = field(default_factory=list)
    tables: dict[str, dict] = field(default_factory=dict)  # name → {"rows": n, "columns": [...]}
    sequences: dict[str, int] = field(default_factory=dict)
    migrations: list[list[str]] = field(default_factory=list)
    rows: dict[str, list[tuple]] = field(default_factory=dict)  # answers to the caller's queries (see ``queries``)


def engine_name(conn=None) -> str:
    vendor = (conn or connection).vendor
    if vendor not in ("sqlite", "postgresql"):
        raise SnapshotError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _gzip_file(src: Path, dst: Path) -> None:
    with open(src, "rb") as fin, gzip.open(dst, "wb", compresslevel=6) as fout:
        shutil.copyfileobj(fin, fout, CHUNK)


# --- Taking the snapshot -------------------------------------------------------------------------------------------
def take(workdir: Path, queries: dict[str, str]) -> Snapshot:
    """Snapshot the default database into ``workdir``. ``queries`` ({key: SQL}) are run against the same snapshot
    and their rows returned in ``Snapshot.rows`` (the manifest's blob list and custody heads come from there)."""
    wrapper = connections.create_connection(SNAPSHOT_ALIAS)  # a connection of our own, not the caller's
    try:
        engine = engine_name(wrapper)
        if engine == "sqlite":
            return _take_sqlite(wrapper, workdir, queries)
        return _take_postgresql(wrapper, workdir, queries)
    finally:
        wrapper.close()


def _sqlite_describe(db: sqlite3.Connection, snap: Snapshot, queries: dict[str, str]) -> None:
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for name in names:
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({_q(name)})")]
        rows = db.execute(f"SELECT COUNT(*) FROM {_q(name)}").fetchone()[0]
        snap.tables[name] = {"rows": rows, "columns": columns}
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        snap.sequences = {n: s for n, s in db.execute("SELECT name, seq FROM sqlite_sequence")}
    snap.migrations = [list(r) for r in db.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY app, name")]
    snap.rows = {key: [tuple(r) for r in db.execute(sql)] for key, sql in queries.items()}


def _take_sqlite(wrapper, workdir: Path, queries: dict[str, str]) -> Snapshot:
    wrapper.ensure_connection()
    raw_path = workdir / "docket.sqlite3"
    target = sqlite3.connect(raw_path)
    try:
        wrapper.connection.backup(target)  # pages=-1: the whole database in one step, one consistent read
        target.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise SnapshotError(f"the database failed its integrity check: {check}")
        snap = Snapshot(engine="sqlite")
        _sqlite_describe(target, snap, queries)
    finally:
        target.close()
    gz = workdir / "docket.sqlite3.gz"
    _gzip_file(raw_path, gz)
    raw_path.unlink()
    snap.members.append(Member("database/docket.sqlite3.gz", gz).seal())
    return snap


def _take_postgresql(wrapper, workdir: Path, queries: dict[str, str]) -> Snapshot:
    from psycopg import sql

    wrapper.ensure_connection()
    raw = wrapper.connection
    raw.autocommit = True
    snap = Snapshot(engine="postgresql")
    with raw.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            names = [r[0] for r in cur.fetchall()]
            for name in names:
                cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                            "AND table_name = %s ORDER BY ordinal_position", [name])
                columns = [r[0] for r in cur.fetchall()]
                cur.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(name)))
                snap.tables[name] = {"rows": cur.fetchone()[0], "columns": columns}
            cur.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() "
                        "AND last_value IS NOT NULL ORDER BY sequencename")
            snap.sequences = {n: int(v) for n, v in cur.fetchall()}
            cur.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY app, name")
            snap.migrations = [list(r) for r in cur.fetchall()]
            for key, query in queries.items():
                cur.execute(query)
                snap.rows[key] = [tuple(r) for r in cur.fetchall()]
            for index, name in enumerate(names):
                if name == MIGRATIONS_TABLE:
                    continue
                path = workdir / f"table-{index:04d}.copy.gz"
                columns = snap.tables[name]["columns"]
                statement = sql.SQL("COPY {} ({}) TO STDOUT").format(
                    sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)))
                with gzip.open(path, "wb", compresslevel=6) as out, cur.copy(statement) as copy:
                    for data in copy:
                        out.write(data)
                snap.members.append(Member(f"database/{name}.copy.gz", path).seal())
        finally:
            cur.execute("COMMIT")
    return snap


# --- Loading a snapshot --------------------------------------------------------------------------------------------
def target_tables() -> dict[str, list[str]]:
    """Tables of this instance (the default database) and their columns."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        return {
            name: [c.name for c in connection.introspection.get_table_description(cursor, name)]
            for name in names
        }


def table_counts(names) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
        return counts


@contextlib.contextmanager
def attached_sqlite(path: Path) -> Iterator[str]:
    """ATTACH a snapshot file to Django's SQLite connection (outside any transaction) as ``docket_restore``."""
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise SnapshotError("restore must not run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("ATTACH DATABASE %s AS docket_restore", [str(path)])
    try:
        yield "docket_restore"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DETACH DATABASE docket_restore")


def load_sqlite(tables: dict[str, dict], sequences: dict[str, int], on_table: Callable[[str], None]) -> None:
    """Inside the caller's transaction, with the snapshot attached: replace every table's rows by the snapshot's."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA defer_foreign_keys = ON")
        for name, info in tables.items():
            if name == MIGRATIONS_TABLE:
                continue
            cols = ", ".join(_q(c) for c in info["columns"])
            cursor.execute(f"DELETE FROM main.{_q(name)}")
            cursor.execute(f"INSERT INTO main.{_q(name)} ({cols}) SELECT {cols} FROM docket_restore.{_q(name)}")
            on_table(name)
        cursor.execute("DELETE FROM main.sqlite_sequence")
        for name, seq in sequences.items():
            cursor.execute("INSERT INTO main.sqlite_sequence (name, seq) VALUES (%s, %s)", [name, seq])


def load_postgresql(tables: dict[str, dict], sequences: dict[str, int], member_path: Callable[[str], Path],
                    on_table: Callable[[str], None]) -> None:
    """Inside the caller's transaction: empty every table, COPY the snapshot's rows in, set the sequences."""
    from psycopg import sql

    names = [n for n in tables if n != MIGRATIONS_TABLE]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if names:
            cursor.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, names))))
        for name in names:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, tables[name]["columns"])))
            with gzip.open(member_path(name), "rb") as src, cursor.copy(statement) as copy:
                while data := src.read(CHUNK):
                    copy.write(data)
            on_table(name)
        for name, value in sequences.items():
            cursor.execute("SELECT setval(%s::regclass, %s, true)", [_q(name), value])


def sqlite_integrity(path: Path) -> str:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def gunzip_to(src: Path, dst: Path) -> None:
    with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout, CHUNK)
    os.chmod(dst, 0o600)
