"""Identities at rest: a copy of the database and of the index holds no real name of the demo data; search by name
still works for those who may read identities (a blind index); the key can be rotated."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from cases import services
from cases.models import Person
from privacy import crypto
from search.text import analyze
from tests.factories import CaseFactory, PersonFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_NAMES = ["Anna Sergeyevna Voronova", "Dmitry Olegovich Lesnikov", "Ilya Markovich Serov"]
DEMO_CONTACTS = ["+7 900 000-00-00", "@fictional_c", "Signal via lawyer"]


def _needles() -> set[bytes]:
    """Every real name of the demo as typed, lower-cased and as its index terms (what a copied index would hold);
    and the contacts."""
    words = set()
    for name in DEMO_NAMES:
        words.add(name)
        for word in name.split():
            words |= {word, word.lower(), *analyze(word)}
    words |= set(DEMO_CONTACTS)
    return {w.encode("utf-8") for w in words if len(w) >= 4}


def _database_bytes(copy_dir: Path) -> bytes:
    if connection.vendor == "sqlite":
        # The file as it would be copied off a server: SQLite's online backup writes every page of the database
        # (the test database lives in memory; on a server it is DOCKET_DATA_DIR/docket.sqlite3).
        import sqlite3

        connection.ensure_connection()
        target = sqlite3.connect(copy_dir / "docket.sqlite3")
        connection.connection.backup(target)
        target.close()
        return (copy_dir / "docket.sqlite3").read_bytes()
    # PostgreSQL: every row of every table, as text.
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} t")
            out += [row[0] for row in cursor.fetchall()]
    return "\n".join(out).encode("utf-8")


def test_a_copy_of_the_database_and_the_index_holds_no_real_name(settings, tmp_path, search_backend):
    call_command("load_demo", stdout=io.StringIO())
    call_command("rebuild_index", "--no-progress", stdout=io.StringIO())
    assert Person.objects.filter(pseudonym="Applicant A.").get().real_name.startswith("Anna Sergeyevna")
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    data = _database_bytes(copy_dir)
    index_bytes = b""
    if search_backend == "whoosh":  # (the PostgreSQL backend's rows are in the database bytes above)
        shutil.copytree(settings.SEARCH_INDEX_DIR, copy_dir / "index")
        index_bytes = b"".join(p.read_bytes() for p in (copy_dir / "index").rglob("*") if p.is_file())
        assert index_bytes, "the whoosh index was not written"
    needles = _needles()
    assert b"Novoslobodskaya" in data  # the copy is a real one: facts are there
    for needle in needles:
        assert needle not in data, needle
        assert needle not in index_bytes, needle


def test_search_by_real_name_still_works_for_identity_readers(search_backend):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    observer, researcher = UserFactory(username="observer"), UserFactory(username="researcher")
    add_member(case, observer, "observer")
    add_member(case, researcher, "researcher")
    person = PersonFactory(user=lead, pseudonym="Witness Z", real_name="Святослав Вышеградский")
    services.party_create(user=lead, case=case, role="claimant", person=person)

    def found(user, q):
        api = APIClient()
        api.force_authenticate(user)
        return [(r["type"], r["id"]) for r in api.get("/api/v1/search/", {"q": q}).json()["results"]]

    assert ("person", person.pk) in found(researcher, "Вышеградского")  # another word form, hashed after stemming
    assert ("person", person.pk) in found(researcher, '"Святослав Вышеградский"')
    assert ("person", person.pk) not in found(observer, "Вышеградский")
    assert ("person", person.pk) in found(observer, "Witness")


def test_values_are_sealed_and_bound_to_their_field():
    person = PersonFactory(real_name="Ivan Petrovich", contacts="+7 999", consent_scope="Court only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT real_name, contacts, consent_scope FROM cases_person WHERE id = %s", [person.pk])
        raw = cursor.fetchone()
        cursor.execute("SELECT real_name FROM cases_historicalperson WHERE id = %s", [person.pk])
        history = [row[0] for row in cursor.fetchall()]
    assert all(value.startswith(crypto.PREFIX) for value in (*raw, *history))
    assert "Ivan" not in "".join(raw + tuple(history))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw[0], context="contacts")  # a value moved to another column does not open
    assert Person.objects.get(pk=person.pk).real_name == "Ivan Petrovich"


def test_rotate_identity_key_re_seals_rows_and_history_and_the_blind_index(settings, search_backend):
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead)
    person = PersonFactory(user=lead, real_name="Olga Rotationova")
    services.party_create(user=lead, case=case, role="claimant", person=person)
    old_id = crypto.key_id()
    settings.DOCKET_IDENTITY_PREVIOUS_KEYS = [settings.DOCKET_IDENTITY_KEY]
    settings.DOCKET_IDENTITY_KEY = "a-brand-new-identity-key-0123456789-ABCDEFGH"
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("rotate_identity_key", "--check", stdout=out)
    call_command("rotate_identity_key", "--no-progress", stdout=out)
    assert re.search(r"re-indexed under key [0-9a-f]{8}", out.getvalue())
    with connection.cursor() as cursor:
        cursor.execute("SELECT real_name FROM cases_person UNION ALL SELECT real_name FROM cases_historicalperson")
        ids = {crypto.sealed_key_id(row[0]) for row in cursor.fetchall() if row[0]}
    assert ids == {crypto.key_id()} and old_id not in ids
    settings.DOCKET_IDENTITY_PREVIOUS_KEYS = []  # the old key is gone: everything still opens
    assert Person.objects.get(pk=person.pk).real_name == "Olga Rotationova"
    call_command("rotate_identity_key", "--check", stdout=io.StringIO())
    api = APIClient()
    api.force_authenticate(lead)
    assert person.pk in [r["id"] for r in api.get("/api/v1/search/", {"q": "Rotationova"}).json()["results"]]
