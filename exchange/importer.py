"""Importing incidents from a spreadsheet: all or nothing, idempotent by ``external_id``, checked like a form.

``incidents_import`` reads the rows (``exchange.reading``), parses every cell (``exchange.cells``), matches rows
to incidents by ``external_id`` and then, in one transaction:

- rows without a match are created by ``_create_many``, the batched twin of ``cases.services.incident_create``:
  the same checks (an active user; every case one they may add incidents to), the same rows (owner's grants,
  history "+" with the user, then "~" with the linked cases as ``cases.set`` would write) and indexing on commit;
- rows whose incident changed go through ``cases.services.incident_update`` (its checks, its history);
- persons are found by pseudonym among those the user may link (or created) and added through
  ``cases.services.incident_person_add``.

Any row error — a bad cell, a case the user may not add incidents to, an incident they may see but not change —
and nothing is written (a dry run writes nothing either, but reports what would happen). Row numbers are the
spreadsheet's line numbers (the header is line 1).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases import services as case_services
from cases.models import Incident, IncidentPerson, Person
from exchange import cells
from exchange.reading import FileRefused, Sheet, read_sheet
from search import indexing

TEXT_FIELDS = {"title": 300, "location": 300, "description": 50000, "agency": 300, "system_involved": 300,
               "external_id": 200}
FIELDS = ("title", "occurred_at", "location", "latitude", "longitude", "category", "description", "agency",
          "system_involved", "source_links")
ALL_FIELDS = [field.name for field in Incident._meta.concrete_fields]
MAX_ERRORS = 500
PREVIEW_ROWS = 500
BATCH = 1000
STATISTICS_AFTER = 500

Progress = Callable[[str, int, int], None]


@dataclass
class Row:
    line: int
    fields: dict[str, Any]
    external_id: str = ""
    cases: list[int] | None = None
    persons: list[str] | None = None
    incident: Incident | None = None
    action: str = "create"
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": self.errors, "dry_run": self.dry_run}


class _Errors(list):
    def add(self, line: int, column: str, message) -> None:
        if len(self) < MAX_ERRORS:
            self.append({"row": line, "field": column, "message": " ".join(getattr(message, "messages", None)
                                                                             or [str(message)])})


def _noop(phase: str, done: int, total: int) -> None:
    return None


# --- Parsing -----------------------------------------------------------------------------------------------
def _parse(sheet: Sheet, errors: _Errors) -> list[Row]:
    categories = cells._category_names()
    rows = []
    for line, raw in sheet.rows:
        row = Row(line=line, fields={})
        for column, value in raw.items():
            try:
                if column in TEXT_FIELDS:
                    parsed = cells.text(value)
                    if len(parsed) > TEXT_FIELDS[column]:
                        raise ValidationError(_("At most %(n)d characters.") % {"n": TEXT_FIELDS[column]})
                    if column == "external_id":
                        row.external_id = parsed
                        continue
                elif column == "occurred_at":
                    parsed = cells.when(value) if cells.text(value) else None
                elif column in ("latitude", "longitude"):
                    parsed = cells.coordinate(value, 90 if column == "latitude" else 180)
                elif column == "category":
                    parsed = cells.category(value, categories) if cells.text(value) else Incident.Category.OTHER
                elif column == "source_links":
                    parsed = cells.links(value)
                elif column == "cases":
                    row.cases = cells.ids(value)
                    continue
                elif column == "persons":
                    row.persons = cells.names(value)
                    continue
                else:  # pragma: no cover - reading.read_sheet lets only known columns through
                    continue
            except ValidationError as error:
                errors.add(line, column, error)
                continue
            row.fields[column] = parsed
        rows.append(row)
    return rows


def _match(user, rows: list[Row], errors: _Errors) -> None:
    """Find each row's incident by ``external_id``: among those the user may see, preferring their own."""
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.external_id:
            continue
        if row.external_id in first_line:
            errors.add(row.line, "external_id", _("The same external_id is on line %(line)d.") % {
                "line": first_line[row.external_id]})
        first_line.setdefault(row.external_id, row.line)
    wanted = list(first_line)
    candidates: list[tuple[int, str, int | None, Any]] = []
    for start in range(0, len(wanted), BATCH):  # by the external_id index first, then the access rules by pk
        candidates += Incident.objects.filter(external_id__in=wanted[start:start + BATCH]).values_list(
            "pk", "external_id", "created_by_id", "deleted_at")
    ids = [pk for pk, _, _, deleted in candidates if deleted is None]
    seen, changeable = set(), set()
    for start in range(0, len(ids), BATCH):
        for pk, perms in cp.incident_perms_map(user, ids[start:start + BATCH]).items():
            if cp.VIEW_INCIDENT in perms:
                seen.add(pk)
            if cp.CHANGE_INCIDENT in perms:
                changeable.add(pk)
    visible: dict[str, list[Incident]] = {}
    shown = [pk for pk in ids if pk in seen]
    for start in range(0, len(shown), BATCH):
        for incident in Incident.objects.filter(pk__in=shown[start:start + BATCH]).prefetch_related("cases"):
            visible.setdefault(incident.external_id, []).append(incident)
    own_hidden = {ext for pk, ext, owner, _ in candidates if owner == user.pk and pk not in seen}
    for row in rows:
        if not row.external_id:
            continue
        found = visible.get(row.external_id, [])
        mine = [i for i in found if i.created_by_id == user.pk]
        if len(mine) == 1 or len(found) == 1:
            row.incident = mine[0] if mine else found[0]
            row.action = "update"
            if row.incident.pk not in changeable:
                errors.add(row.line, "external_id", _("Incident %(id)d has this external_id and you may view it "
                                                      "but not change it.") % {"id": row.incident.pk})
        elif len(found) > 1:
            errors.add(row.line, "external_id", _("Several incidents you can see have this external_id (%(ids)s).")
                       % {"ids": ", ".join(str(i.pk) for i in found)})
        elif row.external_id in own_hidden:
            errors.add(row.line, "external_id", _("One of your incidents has this external_id but is in the trash "
                                                  "or in a case you no longer belong to."))


def _check_rows(rows: list[Row], errors: _Errors) -> None:
    """Field rules of the model, without a query per row."""
    for row in rows:
        if row.action == "create":
            for required in ("title", "occurred_at"):
                if not row.fields.get(required):
                    errors.add(row.line, required, _("This field is required to create an incident."))
            if row.fields.get("title") is None or row.fields.get("occurred_at") is None:
                continue
            candidate = Incident(**row.fields)
        else:
            if all(_same(name, getattr(row.incident, name), value) for name, value in row.fields.items()):
                continue  # the values it holds now: nothing to check
            candidate = Incident(**{name: getattr(row.incident, name) for name in FIELDS})
            for name, value in row.fields.items():
                if name in ("title", "occurred_at") and not value:
                    errors.add(row.line, name, _("This field cannot be empty."))
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=[name for name in ALL_FIELDS if name not in row.fields],
                                 validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.add(row.line, name, " ".join(messages))


def _case_links(user, rows: list[Row], extra_case, errors: _Errors) -> set[int]:
    """Every case named must be one the user may add incidents to (as ``incident_create`` checks); the same
    message for a hidden and a missing case."""
    named = {pk for row in rows for pk in (row.cases or [])}
    editable = set(cp.cases_for(user, cp.EDIT_INCIDENTS).filter(pk__in=named).values_list("pk", flat=True))
    for row in rows:
        for pk in row.cases or []:
            if pk not in editable:
                errors.add(row.line, "cases", _("No case you may add incidents to has id %(id)s.") % {"id": pk})
        if extra_case is not None:
            row.cases = list(dict.fromkeys([*(row.cases or []), extra_case.pk])) if (
                row.action == "create" or row.cases is not None) else row.cases
    return editable | ({extra_case.pk} if extra_case is not None else set())


def _persons(user, rows: list[Row], errors: _Errors) -> dict[str, Person | None]:
    """Pseudonym → a person the user may link (None: a new person will be recorded)."""
    wanted = {name for row in rows for name in (row.persons or [])}
    if not wanted:
        return {}
    found: dict[str, list[Person]] = {}
    for person in cp.persons_linkable(user).filter(pseudonym__in=wanted):
        found.setdefault(person.pseudonym, []).append(person)
    for row in rows:
        for name in row.persons or []:
            if len(found.get(name, [])) > 1:
                errors.add(row.line, "persons", _("Several persons you may link are called “%(name)s”: link them "
                                                  "from the incident page.") % {"name": name})
    return {name: (found[name][0] if len(found.get(name, [])) == 1 else None) for name in wanted}


def _same(name: str, old, new) -> bool:
    if name == "occurred_at" and old is not None and new is not None:
        return abs((old - new).total_seconds()) < 1  # a spreadsheet keeps times to the second at best
    return old == new


def _diff(user, row: Row, editable_cases: set[int]) -> None:
    incident = row.incident
    row.changed = [name for name, value in row.fields.items() if not _same(name, getattr(incident, name), value)]
    if row.cases is not None:
        current = {c.pk for c in incident.cases.all()}
        if {pk for pk in current if pk in editable_cases} != set(row.cases):
            row.changed.append("cases")
    if row.persons:
        involved = set(incident.involvements.values_list("person__pseudonym", flat=True))
        if set(row.persons) - involved:
            row.changed.append("persons")
    row.action = "update" if row.changed else "unchanged"


# --- Writing -----------------------------------------------------------------------------------------------
def _create_many(user, rows: list[Row], progress: Progress) -> list[Incident]:
    """The batched ``incident_create``: the caller has checked the cases (``_case_links``) and the fields."""
    if not cp.is_active_user(user):
        raise PermissionDenied(_("Sign in first."))
    now = timezone.now()
    m2m_history = Incident.history.model.cases.model
    through = Incident.cases.through
    created: list[Incident] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        objs = [Incident(created_by=user, owner=user, external_id=row.external_id, **row.fields) for row in batch]
        for obj in objs:
            obj.created_at = obj.updated_at = now
        objs = Incident.objects.bulk_create(objs)
        _copy_history([obj.pk for obj in objs], history_type="+", user=user, when=now)
        cp.incident_access_init_many(objs)
        linked = [(obj, row.cases) for obj, row in zip(objs, batch, strict=True) if row.cases]
        if linked:
            links = through.objects.bulk_create([through(incident_id=obj.pk, case_id=pk) for obj, pks in linked
                                                 for pk in pks])
            record_of = _copy_history([obj.pk for obj, _ in linked], history_type="~", user=user, when=now)
            # As ``cases.set`` records it: a "~" row per incident holding the links it now has.
            m2m_history.objects.bulk_create([
                m2m_history(id=link.pk, history_id=record_of[link.incident_id], incident_id=link.incident_id,
                            case_id=link.case_id) for link in links
            ])
        for obj, row in zip(objs, batch, strict=True):
            row.incident = obj
        created += objs
        progress("writing", start + len(batch), len(rows))
    indexing.index_ids_on_commit("incident", [obj.pk for obj in created])
    if len(created) >= STATISTICS_AFTER:
        transaction.on_commit(_refresh_statistics)
    return created


def _refresh_statistics() -> None:
    """After a large import on SQLite, refresh the query planner's statistics: without them it reads a user's
    whole permission table for every incident it checks (PostgreSQL's autovacuum does this by itself)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in ("cases_incident", "cases_incident_cases", "cases_incidentuserobjectpermission",
                          "cases_caseuserobjectpermission"):
                cursor.execute(f"ANALYZE {table}")


def _copy_history(ids: list[int], *, history_type: str, user, when) -> dict[int, int]:
    """Write the history rows of incidents just written, as ``save()`` would (every tracked column as it now is,
    the user, the time), in one INSERT … SELECT per thousand; {incident id: history id}."""
    from django.db import connection

    model = Incident.history.model
    qn = connection.ops.quote_name
    names = [field.name for field in model.tracked_fields]
    target = ", ".join(qn(model._meta.get_field(name).column) for name in names)
    source = ", ".join(qn(Incident._meta.get_field(name).column) for name in names)
    stamp = connection.ops.adapt_datetimefield_value(when)
    found: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(model._meta.db_table)} ({target}, history_date, history_change_reason, "
                f"history_type, history_user_id) SELECT {source}, %s, NULL, %s, %s "
                f"FROM {qn(Incident._meta.db_table)} WHERE {qn(Incident._meta.pk.column)} IN ({marks})",
                [stamp, history_type, user.pk, *chunk])
        found.update(model.objects.filter(id__in=chunk, history_type=history_type, history_date=when)
                     .values_list("id", "history_id"))
    return found


def _update(user, row: Row, editable_cases: set[int], errors: _Errors) -> None:
    data = {name: row.fields[name] for name in row.changed if name in row.fields}
    cases = None
    if "cases" in row.changed:
        kept = [c.pk for c in row.incident.cases.all() if c.pk not in editable_cases]
        cases = list(dict.fromkeys(kept + list(row.cases or [])))
    try:
        case_services.incident_update(user=user, incident=row.incident, data=data, cases=cases)
    except ValidationError as error:
        for name, messages in getattr(error, "message_dict", {"cases": error.messages}).items():
            errors.add(row.line, name, " ".join(messages))
    except (PermissionDenied, Http404) as error:
        errors.add(row.line, "cases" if cases is not None else "external_id",
                   str(error) or _("You may not change this incident."))


def _link_persons(user, rows: list[Row], known: dict[str, Person | None], errors: _Errors) -> None:
    made: dict[str, Person] = {}
    for row in rows:
        if not row.persons or row.incident is None:
            continue
        involved = set(row.incident.involvements.values_list("person__pseudonym", flat=True)) \
            if row.action != "create" else set()
        for name in row.persons:
            if name in involved:
                continue
            person = known.get(name) or made.get(name)
            try:
                if person is None:
                    person = made[name] = case_services.person_create(user=user, pseudonym=name)
                case_services.incident_person_add(user=user, incident=row.incident, person=person,
                                                  part=IncidentPerson.Part.AFFECTED)
            except (ValidationError, PermissionDenied, Http404) as error:
                errors.add(row.line, "persons", getattr(error, "messages", None) and " ".join(error.messages)
                           or str(error) or _("You may not link this person."))


def incidents_import(*, user, data: bytes, filename: str, dry_run: bool = False, case=None,
                     progress: Progress | None = None) -> ImportResult:
    """Import the rows of a CSV or XLSX file (see the module docstring). ``case``: a case every created row is
    linked to as well (one the user may add incidents to, else a ValidationError). A file that cannot be read is
    one error on line 0 or 1; nothing is ever half written."""
    progress = progress or _noop
    result = ImportResult(dry_run=dry_run)
    errors = _Errors()
    if not cp.is_active_user(user):
        raise PermissionDenied(_("Sign in first."))
    if case is not None and not cp.cases_for(user, cp.EDIT_INCIDENTS).filter(pk=case.pk).exists():
        raise ValidationError({"case": _("No case you may add incidents to has id %(id)s.") % {"id": case.pk}})
    progress("reading", 0, 0)
    try:
        sheet = read_sheet(data, filename)
    except FileRefused as refused:
        result.errors = [{"row": refused.row, "field": refused.field, "message": refused.message}]
        return result
    total = len(sheet.rows)
    if "title" not in sheet.columns and "external_id" not in sheet.columns:
        errors.add(1, "title", _("The file needs a title column (and occurred_at) to create incidents."))
    progress("checking", 0, total)
    rows = _parse(sheet, errors)
    _match(user, rows, errors)
    _check_rows(rows, errors)
    editable_cases = _case_links(user, rows, case, errors)
    persons = _persons(user, rows, errors)
    for row in rows:
        if row.action == "update":
            _diff(user, row, editable_cases)
    progress("checking", total, total)
    if errors:
        result.errors = sorted(errors, key=lambda e: (e["row"], e["field"]))
        return result
    with transaction.atomic():
        to_create = [row for row in rows if row.action == "create"]
        _create_many(user, to_create, progress)
        for row in rows:
            if row.action == "update":
                _update(user, row, editable_cases, errors)
        _link_persons(user, rows, persons, errors)
        if errors or dry_run:
            transaction.set_rollback(True)
    progress("done", total, total)
    result.created = sum(1 for row in rows if row.action == "create")
    result.updated = sum(1 for row in rows if row.action == "update")
    result.unchanged = sum(1 for row in rows if row.action == "unchanged")
    result.errors = sorted(errors, key=lambda e: (e["row"], e["field"]))
    if result.errors:
        result.created = result.updated = result.unchanged = 0
    result.preview = [{
        "row": row.line, "action": row.action, "external_id": row.external_id,
        "title": row.fields.get("title") or (row.incident.title if row.incident else ""),
        "incident": row.incident.pk if row.incident is not None and row.action != "create" else None,
        "changed": row.changed,
    } for row in rows[:PREVIEW_ROWS]]
    return result
