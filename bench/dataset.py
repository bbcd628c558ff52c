#!/usr/bin/env python
"""The benchmark dataset: cases, memberships (roles through the real guardian rows), proceedings, persons and parties,
incidents (linked and unlinked), evidence items with extracted text and a sealed custody chain, and their history.

    .venv/bin/python bench/dataset.py [--scale small|full|0.1] [--seed 1] [--database-url postgres://…]
                                      [--data-dir DIR] [--cases N] [--no-index]

Full scale: 10,000 cases, 100,000 incidents, 100,000 evidence items, 20,000 persons and proceedings. ``small`` (the
default) is a fiftieth of that. Everything is written in bulk — ``bulk_create``, the guardian rows and the history
rows by ``INSERT … SELECT`` — inside one transaction, with the same rows the services would write (the role table of
``cases.permissions``, a "+" history row per object and its many-to-many rows, an "uploaded" custody event sealed as
``evidence.services.custody_record`` seals it). Nothing is indexed one by one: the search index is rebuilt once at
the end through the backend's ``rebuild`` (``--no-index`` skips it).

A user ``bench-viewer`` holds a role (lawyer, researcher, coordinator or observer in turn) on ``--visible`` of the cases
(a fifth by default), so it sees about that share of everything; ``bench-admin`` is a superuser.

As a module (other benches): ``django_setup(...)`` once, then ``build(scale, seed, ...) -> summary`` (a dict of
counts, the viewer's username and how long it took).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FULL = {"cases": 10_000, "incidents": 100_000, "evidence": 100_000, "persons": 20_000, "proceedings": 20_000}
SCALES = {"small": 0.02, "full": 1.0}
BATCH = 1000
VIEWER = "bench-viewer"
ADMIN = "bench-admin"
VIEWER_ROLES = ("lawyer", "researcher", "coordinator", "observer")

RU = ("камера камерами камеры распознавание распознавания лицо лица метро станция станции задержание задержали "
      "полиция полицейский суд суда решение жалоба иск истец ответчик утечка база данных доступ продажа система "
      "видеонаблюдение пассажир свидетель показания право частной жизни закон апелляция кассация протокол").split()
EN = ("camera cameras recognition facial face metro station stop stopped police officer court decision appeal "
      "complaint claim leak database access sale system surveillance passenger witness statement privacy law "
      "unlawful judgment hearing evidence exhibit").split()
CATEGORIES = ("wrongful_stop", "detention", "camera_deployment", "data_leak", "access_abuse", "other")
STATUSES = ("preparing", "filed", "pending", "decided", "appeal", "closed")
STAGES = ("first_instance", "appeal", "cassation", "echr")


def scale_factor(scale) -> float:
    """``small``, ``full`` or a number (a fraction of full scale)."""
    if isinstance(scale, str) and scale in SCALES:
        return SCALES[scale]
    value = float(scale)
    if not 0 < value <= 10:
        raise ValueError(f"scale must be small, full or a number in (0, 10], not {scale!r}")
    return value


def counts_for(scale, **overrides) -> dict[str, int]:
    factor = scale_factor(scale)
    counts = {name: max(1, round(n * factor)) for name, n in FULL.items()}
    counts.update({name: int(n) for name, n in overrides.items() if n is not None})
    return counts


def django_setup(*, data_dir: str | Path | None = None, database_url: str | None = None,
                 search_backend: str | None = None) -> Path:
    """Point Docket at ``data_dir`` (a new temporary folder if None) and ``database_url`` (SQLite in the data folder
    if None), set Django up. Call once per process, before importing any model."""
    data = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="docket-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    os.environ["DOCKET_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if search_backend:
        os.environ["DOCKET_SEARCH_BACKEND"] = search_backend
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import logging
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    logging.getLogger("docket").setLevel(logging.ERROR)
    return data


def reset_database() -> None:
    """An empty, migrated database: a PostgreSQL database loses every table first (it is the bench's own)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0, interactive=False)


# --- Raw helpers ------------------------------------------------------------------------------------------------
def _qn(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def _execute(sql: str, params=()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def copy_history(model, *, first_id: int, last_id: int, when, user_column: str | None = None,
                 user_id: int | None = None) -> None:
    """A "+" history row for every ``model`` row with ``first_id <= id <= last_id``, as ``save()`` writes it: every
    tracked column as it is now, the time, the author (``user_column`` of the row, else ``user_id``)."""
    from django.db import connection

    history = model.history.model
    names = [field.name for field in history.tracked_fields]
    target = ", ".join(_qn(history._meta.get_field(n).column) for n in names)
    source = ", ".join(_qn(model._meta.get_field(n).column) for n in names)
    author = _qn(user_column) if user_column else "%s"
    params = [connection.ops.adapt_datetimefield_value(when)] + ([] if user_column else [user_id])
    _execute(
        f"INSERT INTO {_qn(history._meta.db_table)} ({target}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {source}, %s, NULL, '+', {author} FROM {_qn(model._meta.db_table)} "
        f"WHERE {_qn(model._meta.pk.column)} BETWEEN %s AND %s ORDER BY {_qn(model._meta.pk.column)}",
        [*params, first_id, last_id])


def copy_m2m_history(model, field: str, *, first_id: int, last_id: int) -> None:
    """The many-to-many history rows (``field`` of ``model``) of the "+" rows just written for those ids, as
    simple-history records the links an object was created with."""
    history = model.history.model
    m2m = getattr(history, field).model
    through = getattr(model, field).through
    own = model._meta.model_name  # the through table's column for this side
    mine = "incident_id" if own == "incident" else f"{own}_id"
    other = [f.column for f in through._meta.fields if f.column not in ("id", mine)][0]
    _execute(
        f"INSERT INTO {_qn(m2m._meta.db_table)} (id, {_qn(mine)}, {_qn(other)}, history_id) "
        f"SELECT t.id, t.{_qn(mine)}, t.{_qn(other)}, h.history_id FROM {_qn(through._meta.db_table)} t "
        f"JOIN {_qn(history._meta.db_table)} h ON h.id = t.{_qn(mine)} AND h.history_type = '+' "
        f"WHERE t.{_qn(mine)} BETWEEN %s AND %s", [first_id, last_id])


def _bulk(model, objs: list) -> tuple[int, int]:
    """bulk_create in batches; (first id, last id) of the rows written."""
    made = []
    for start in range(0, len(objs), BATCH):
        made += model.objects.bulk_create(objs[start:start + BATCH])
    return (made[0].pk, made[-1].pk) if made else (0, -1)


def _words(rng: random.Random, vocab: list[str], n: int) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    ru, en = "абвгдежзиклмнопрстуфхцчшщэюя", "abcdefghijklmnopqrstuvwxyz"
    words = list(RU + EN)
    while len(words) < size:
        letters, ends = (ru, ["", "а", "ами", "ов", "ия", "ый"]) if rng.random() < 0.6 else (en, ["", "s", "ing", "ed"])
        words.append("".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) + rng.choice(ends))
    return words


# --- The build ----------------------------------------------------------------------------------------------------
def build(scale="small", seed: int = 1, *, cases: int | None = None, incidents: int | None = None,
          evidence: int | None = None, persons: int | None = None, proceedings: int | None = None,
          visible: float = 0.2, index: bool = True, reset: bool = True, progress=None) -> dict:
    """Write the dataset (into an empty database when ``reset``) and return a summary. Call ``django_setup`` first."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from cases.models import (
        Case, CaseMembership, CaseUserObjectPermission, Incident, IncidentPerson, IncidentUserObjectPermission,
        Party, Person, Proceeding,
    )
    from cases.permissions import ALL_INCIDENT_PERMS, ROLE_PERMISSIONS
    from evidence import custody, storage
    from evidence.models import CaseExhibit, CustodyEvent, CustodyHead, EvidenceItem

    say = progress or (lambda message: None)
    n = counts_for(scale, cases=cases, incidents=incidents, evidence=evidence, persons=persons,
                   proceedings=proceedings)
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str, since: list[float] = [started]) -> None:  # noqa: B006 - a running clock
        now = time.perf_counter()
        steps[name] = round(now - since[0], 2)
        since[0] = now
        say(f"{name}: {steps[name]:.1f} s")

    if reset:
        reset_database()
        step("migrate")
    User = get_user_model()
    now = timezone.now()
    n_users = max(5, n["cases"] // 50)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"bench-user-{i}", email=f"user{i}@bench.example", password="!") for i in range(n_users)]
            + [User(username=VIEWER, email="viewer@bench.example", password="!")])
        viewer = users.pop()
        User.objects.create_superuser(ADMIN, "admin@bench.example", "bench-admin-password")
        user_ids = [u.pk for u in users]

        # Cases, each led by one of the users; a second member on every case; the viewer on ``visible`` of them.
        case_objs = [Case(
            title=f"{rng.choice(['Challenge to', 'Claim against', 'Appeal on'])} {_words(rng, vocab, 4)} no. {i}",
            reference=f"2a-{i}/20{20 + i % 6}", court=f"District court no. {i % 120}",
            jurisdiction=rng.choice(["RU", "RU", "RU", "ECHR", "GE", "AM"]), status=rng.choice(STATUSES),
            summary=_words(rng, vocab, 30), privileged_notes=_words(rng, vocab, 10),
            created_by_id=user_ids[i % n_users],
        ) for i in range(n["cases"])]
        first_case, last_case = _bulk(Case, case_objs)
        case_ids = [c.pk for c in case_objs]
        copy_history(Case, first_id=first_case, last_id=last_case, when=now, user_column="created_by_id")
        step("cases")

        visible_cases = set(rng.sample(case_ids, round(len(case_ids) * visible)))
        memberships = []
        for i, case in enumerate(case_objs):
            lead = case.created_by_id
            memberships.append(CaseMembership(case_id=case.pk, user_id=lead, role="lead", added_by_id=lead))
            other = user_ids[(i * 7 + 1) % n_users]
            if other != lead:
                memberships.append(CaseMembership(case_id=case.pk, user_id=other,
                                                  role=rng.choice(("lawyer", "researcher", "observer")),
                                                  added_by_id=lead))
            if case.pk in visible_cases:
                memberships.append(CaseMembership(case_id=case.pk, user_id=viewer.pk,
                                                  role=VIEWER_ROLES[i % len(VIEWER_ROLES)], added_by_id=lead))
        first, last = _bulk(CaseMembership, memberships)
        copy_history(CaseMembership, first_id=first, last_id=last, when=now, user_column="added_by_id")
        # The guardian rows of each role, exactly the role table's (as cases.permissions.role_permissions_sync).
        perm_ids = {p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="cases",
                                                                         content_type__model="case")}
        table = _qn(CaseUserObjectPermission._meta.db_table)
        for role, codes in ROLE_PERMISSIONS.items():
            ids = [perm_ids[c] for c in codes]
            _execute(
                f"INSERT INTO {table} (content_object_id, user_id, permission_id) "
                f"SELECT m.case_id, m.user_id, p.id FROM {_qn(CaseMembership._meta.db_table)} m, auth_permission p "
                f"WHERE m.role = %s AND p.id IN ({', '.join(['%s'] * len(ids))})", [str(role), *ids])
        step("memberships and permissions")

        proceeding_objs = [Proceeding(
            case_id=case_ids[i % len(case_ids)], stage=STAGES[i % len(STAGES)], court=f"Court no. {i % 300}",
            case_number=f"{i}/{2020 + i % 6}", judge=f"Judge {_words(rng, EN, 1).title()}",
            filed_on=(now - timezone.timedelta(days=rng.randint(10, 2000))).date(),
        ) for i in range(n["proceedings"])]
        first, last = _bulk(Proceeding, proceeding_objs)
        copy_history(Proceeding, first_id=first, last_id=last, when=now, user_id=user_ids[0])

        person_objs = [Person(
            pseudonym=f"Applicant {chr(65 + i % 26)}{i}", real_name=f"Ivan Petrov {i}", contacts=f"+7 900 {i:07d}",
            consent_given=bool(i % 2), created_by_id=user_ids[i % n_users],
        ) for i in range(n["persons"])]
        first_person, last_person = _bulk(Person, person_objs)
        copy_history(Person, first_id=first_person, last_id=last_person, when=now, user_column="created_by_id")
        person_ids = [p.pk for p in person_objs]
        parties = [Party(case_id=case_ids[i % len(case_ids)], role="claimant", person_id=pk)
                   for i, pk in enumerate(person_ids)]
        parties += [Party(case_id=pk, role="respondent", name="Moscow Department of Information Technology")
                    for pk in case_ids]
        first, last = _bulk(Party, parties)
        copy_history(Party, first_id=first, last_id=last, when=now, user_id=user_ids[0])
        step("proceedings, persons, parties")

        # Incidents: nine in ten linked to one case, the rest unlinked and held by whoever logged them.
        incident_objs, links = [], []
        for i in range(n["incidents"]):
            logger = user_ids[rng.randrange(n_users)]
            incident_objs.append(Incident(
                title=f"{rng.choice(['Wrongful stop', 'Detention', 'New cameras', 'Data leak'])} "
                      f"{_words(rng, vocab, 3)} no. {i}",
                occurred_at=now - timezone.timedelta(minutes=rng.randint(60, 60 * 24 * 2000)),
                location=f"Metro station {i % 250}, Moscow", latitude=round(55.55 + (i % 400) / 1000, 6),
                longitude=round(37.45 + (i % 300) / 1000, 6), category=CATEGORIES[i % len(CATEGORIES)],
                description=_words(rng, vocab, 40), agency="Moscow metro police", system_involved="Sfera",
                created_by_id=logger, owner_id=logger,
            ))
        first_incident, last_incident = _bulk(Incident, incident_objs)
        incident_case: dict[int, int] = {}
        through = Incident.cases.through
        for i, incident in enumerate(incident_objs):
            if i % 10:
                incident_case[incident.pk] = case_ids[rng.randrange(len(case_ids))]
                links.append(through(incident_id=incident.pk, case_id=incident_case[incident.pk]))
        _bulk(through, links)
        copy_history(Incident, first_id=first_incident, last_id=last_incident, when=now, user_column="created_by_id")
        copy_m2m_history(Incident, "cases", first_id=first_incident, last_id=last_incident)
        # Direct rows for the unlinked ones (their owner holds every incident permission).
        ids = [p.pk for p in Permission.objects.filter(content_type__app_label="cases", content_type__model="incident",
                                                        codename__in=ALL_INCIDENT_PERMS)]
        _execute(
            f"INSERT INTO {_qn(IncidentUserObjectPermission._meta.db_table)} (content_object_id, user_id, "
            f"permission_id) SELECT i.id, i.owner_id, p.id FROM {_qn(Incident._meta.db_table)} i, auth_permission p "
            f"WHERE p.id IN ({', '.join(['%s'] * len(ids))}) AND i.id BETWEEN %s AND %s AND NOT EXISTS "
            f"(SELECT 1 FROM {_qn(through._meta.db_table)} l WHERE l.incident_id = i.id)",
            [*ids, first_incident, last_incident])
        involvements = [IncidentPerson(incident_id=incident_objs[i % len(incident_objs)].pk, person_id=pk,
                                       part=("affected", "witness")[i % 2]) for i, pk in enumerate(person_ids)]
        first, last = _bulk(IncidentPerson, involvements)
        copy_history(IncidentPerson, first_id=first, last_id=last, when=now, user_id=user_ids[0])
        step("incidents")

        # Evidence: text files (a pool of stored blobs), each item in an incident; half also an exhibit of its case.
        pool = []
        for k in range(64):
            content = f"Statement {k}: {_words(rng, vocab, 200)}\n".encode()
            spooled = storage.spool(io.BytesIO(content))
            storage.place(spooled)
            pool.append((spooled.sha256, spooled.size))
        incident_ids = [o.pk for o in incident_objs]
        item_objs, item_incident = [], []
        for j in range(n["evidence"]):
            sha, size = pool[j % len(pool)]
            incident_id = incident_ids[rng.randrange(len(incident_ids))]
            item_incident.append(incident_id)
            item_objs.append(EvidenceItem(
                title=f"{rng.choice(['Statement', 'Photo', 'Recording', 'Web capture'])} {_words(rng, vocab, 3)}",
                description=_words(rng, vocab, 15), kind=rng.choice(("document", "photo", "testimony")),
                restricted=j % 5 == 0, sha256=sha, size=size, media_type="text/plain",
                original_filename=f"statement-{j}.txt", extracted_text=_words(rng, vocab, 120),
                extraction_state="done", extracted_at=now, created_by_id=user_ids[j % n_users],
            ))
        first_item, last_item = _bulk(EvidenceItem, item_objs)
        _bulk(EvidenceItem.incidents.through, [EvidenceItem.incidents.through(evidenceitem_id=o.pk, incident_id=i)
                                               for o, i in zip(item_objs, item_incident, strict=True)])
        numbers: dict[int, int] = {}
        exhibits = []
        for j, (obj, incident_id) in enumerate(zip(item_objs, item_incident, strict=True)):
            case_id = incident_case.get(incident_id)
            if case_id and j % 2 == 0:
                numbers[case_id] = numbers.get(case_id, 0) + 1
                exhibits.append(CaseExhibit(case_id=case_id, item_id=obj.pk, number=numbers[case_id],
                                            added_by_id=obj.created_by_id))
        first, last = _bulk(CaseExhibit, exhibits)
        copy_history(CaseExhibit, first_id=first, last_id=last, when=now, user_column="added_by_id")
        copy_history(EvidenceItem, first_id=first_item, last_id=last_item, when=now, user_column="created_by_id")
        copy_m2m_history(EvidenceItem, "incidents", first_id=first_item, last_id=last_item)
        names = {u.pk: u.username for u in users}
        events, heads = [], []
        for obj in item_objs:
            event = CustodyEvent(item_id=obj.pk, seq=1, at=now, user_id=obj.created_by_id,
                                 username=names[obj.created_by_id], action="uploaded", sha256=obj.sha256,
                                 user_agent="bench/dataset.py", detail={}, prev_hash=custody.GENESIS)
            event.entry_hash = custody.entry_hash(custody.event_fields(event))
            event.seal = custody.seal_entry(item_id=obj.pk, seq=1, digest=event.entry_hash)
            events.append(event)
            heads.append(CustodyHead(item_id=obj.pk, seq=1, entry_hash=event.entry_hash,
                                     seal=custody.seal_head(item_id=obj.pk, seq=1, digest=event.entry_hash)))
        _bulk(CustodyEvent, events)
        _bulk(CustodyHead, heads)
        step("evidence")

    # The planner's statistics and PostgreSQL's visibility map, as after a day of use (autovacuum would do both):
    # without the vacuum no index-only scan is possible on rows just loaded.
    _execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    step("analyze")
    indexed = 0
    if index:
        from search.backends import get_backend

        indexed = get_backend().rebuild()
        step("search index")
    from cases.permissions import cases_for, incidents_for

    summary = {
        "database": connection.vendor, "scale": scale, "seed": seed, **n, "users": n_users + 2,
        "viewer": VIEWER, "admin": ADMIN,
        "viewer_cases": cases_for(viewer).count(), "viewer_incidents": incidents_for(viewer).count(),
        "indexed": indexed, "seconds": round(time.perf_counter() - started, 1), "steps": steps,
    }
    return summary


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "small"))
    parser.add_argument("--seed", type=int, default=1)
    for name in FULL:
        parser.add_argument(f"--{name}", type=int, help=f"override the scale's number of {name}")
    parser.add_argument("--visible", type=float, default=0.2)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--data-dir")
    parser.add_argument("--search-backend", choices=["whoosh", "postgres"])
    parser.add_argument("--no-index", action="store_true")
    args = parser.parse_args(argv)
    data = django_setup(data_dir=args.data_dir, database_url=args.database_url, search_backend=args.search_backend)
    summary = build(args.scale, args.seed, **{name: getattr(args, name) for name in FULL}, visible=args.visible,
                    index=not args.no_index,
                    progress=lambda m: print(m, file=sys.stderr, flush=True))
    summary["data_dir"] = str(data)
    print(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
