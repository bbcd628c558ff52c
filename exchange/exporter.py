"""Exports of the filtered lists (incidents, cases, deadlines, the evidence register) as CSV or XLSX.

Each table comes from the list's own selector with the caller's filters, so an export holds exactly what the
caller may view. Persons appear by pseudonym only (never an identity); cases by the ids the caller may view;
privileged notes never; of evidence only the register (no extracted text, no metadata: derived data follow the
bytes, and an export is not the place to read them).

CSV is UTF-8 with a byte-order mark (so Excel reads Cyrillic), streamed. A text cell that a spreadsheet would run
as a formula (=, +, -, @ first) gets an apostrophe in front in CSV; in XLSX every text cell is written as text,
so nothing in an export is ever a formula. Numbers and dates stay numbers and dates.
"""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from cases import selectors as case_selectors
from cases.models import IncidentPerson
from exchange.cells import FORMULA_START

CHUNK = 2000
XLSX_MAX_TEXT = 32767  # the most a spreadsheet cell holds


@dataclass
class Table:
    name: str
    headers: list[str]
    rows: Iterable[list[Any]]


def _local(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


# --- Tables ----------------------------------------------------------------------------------------------------
INCIDENT_HEADERS = ["id", "external_id", "title", "occurred_at", "location", "latitude", "longitude", "category",
                    "description", "agency", "system_involved", "source_links", "cases", "persons", "created_at"]


def incidents_table(*, user, filters) -> Table:
    qs = case_selectors.incident_list(user=user, filters=filters).prefetch_related(
        Prefetch("involvements", queryset=IncidentPerson.objects.select_related("person").only(
            "incident_id", "person__pseudonym"), to_attr="export_involvements"))

    def rows() -> Iterator[list[Any]]:
        for incident in qs.iterator(chunk_size=CHUNK):
            yield [
                incident.pk, incident.external_id, incident.title, _local(incident.occurred_at), incident.location,
                incident.latitude, incident.longitude, incident.category, incident.description, incident.agency,
                incident.system_involved, " ".join(incident.source_links or []),
                ";".join(str(c.pk) for c in incident.cases.all()),
                ";".join(sorted({i.person.pseudonym for i in incident.export_involvements})),
                _local(incident.created_at),
            ]

    return Table("incidents", INCIDENT_HEADERS, rows())


CASE_HEADERS = ["id", "title", "reference", "court", "jurisdiction", "status", "summary", "role", "created_at",
                "updated_at"]


def cases_table(*, user, filters) -> Table:
    qs = case_selectors.case_list(user=user, filters=filters)

    def rows() -> Iterator[list[Any]]:
        for case in qs.iterator(chunk_size=CHUNK):
            mine = getattr(case, "my_membership", None)
            yield [case.pk, case.title, case.reference, case.court, case.jurisdiction, case.status, case.summary,
                   mine[0].role if mine else "", _local(case.created_at), _local(case.updated_at)]

    return Table("cases", CASE_HEADERS, rows())


DEADLINE_HEADERS = ["id", "case", "case_reference", "title", "kind", "due_date", "due_time", "rule", "trigger_date",
                    "status", "responsible", "notes"]


def deadlines_table(*, user, case_id: int | None, status: str | None) -> Table:
    from deadlines import selectors as deadline_selectors

    qs = deadline_selectors.deadline_list(user=user, case_id=case_id, status=status)

    def rows() -> Iterator[list[Any]]:
        for deadline in qs.iterator(chunk_size=CHUNK):
            yield [deadline.pk, deadline.case_id, deadline.case.reference, deadline.title, deadline.kind,
                   deadline.due_date, deadline.due_time, deadline.rule.code if deadline.rule_id else "",
                   deadline.trigger_date, deadline.status,
                   deadline.responsible.get_username() if deadline.responsible_id else "", deadline.notes]

    return Table("deadlines", DEADLINE_HEADERS, rows())


EVIDENCE_HEADERS = ["id", "exhibits", "title", "kind", "restricted", "sha256", "size", "media_type",
                    "original_filename", "source", "obtained_at", "obtained_by", "incidents", "created_at",
                    "created_by"]


def evidence_table(*, user, case_id: int | None, incident_id: int | None) -> Table:
    from evidence import selectors as evidence_selectors

    qs = evidence_selectors.evidence_list(user=user, case=case_id, incident=incident_id)

    def rows() -> Iterator[list[Any]]:
        for item in qs.iterator(chunk_size=CHUNK):
            yield [item.pk, ";".join(f"{ex.case_id}/{ex.number}" for ex in item.visible_exhibits), item.title,
                   item.kind, item.restricted, item.sha256, item.size, item.media_type, item.original_filename,
                   item.source, _local(item.obtained_at), item.obtained_by,
                   ";".join(str(i.pk) for i in item.visible_incidents), _local(item.created_at),
                   item.created_by.get_username() if item.created_by_id else ""]

    return Table("evidence", EVIDENCE_HEADERS, rows())


# --- Rendering -------------------------------------------------------------------------------------------------
def _csv_cell(value) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) or text[:1] in ("\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(table: Table) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a byte-order mark, one chunk per few hundred rows."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(table.headers)).encode("utf-8")
    buffer: list[str] = []
    for row in table.rows:
        buffer.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def xlsx_file(table: Table):
    """The table as an XLSX workbook in a temporary file (written row by row, never whole in memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name)
    bold = Font(bold=True)
    header = []
    for name in table.headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        out = []
        for value in row:
            if isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, dt.time):
                value = value.isoformat(timespec="minutes")
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_TEXT]
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        sheet.append(out)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle

