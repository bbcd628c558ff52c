"""Reading a spreadsheet (CSV or XLSX) into rows of cells, through tablib (openpyxl for XLSX).

CSV: UTF-8 (with or without a byte-order mark) or Windows-1251, comma, semicolon or tab separated (Excel in a
Russian locale writes semicolons). XLSX: the first sheet; the archive is checked before openpyxl opens it (an
XLSX is a zip: a small file that inflates to gigabytes is refused), and openpyxl parses its XML through
defusedxml. Headers are normalised (case, spaces) and mapped to Docket's column names.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

MAX_INFLATED = 400 * 1024 * 1024

COLUMNS = ("external_id", "title", "occurred_at", "location", "latitude", "longitude", "category", "description",
           "agency", "system_involved", "source_links", "cases", "persons")
# Columns an export writes that an import reads past (they are not the importer's to set).
READ_ONLY = ("id", "created_at", "updated_at", "created_by", "owner")
ALIASES = {
    "date": "occurred_at", "when": "occurred_at", "occurred": "occurred_at", "datetime": "occurred_at",
    "lat": "latitude", "lon": "longitude", "lng": "longitude", "long": "longitude", "case": "cases",
    "case_ids": "cases", "person": "persons", "pseudonyms": "persons", "system": "system_involved",
    "links": "source_links", "source": "source_links", "sources": "source_links", "place": "location",
    "external": "external_id", "ext_id": "external_id",
}


class FileRefused(Exception):
    """The file as a whole cannot be imported (unreadable, wrong kind, bad header, too many rows)."""

    def __init__(self, message: str, *, field: str = "file", row: int = 0) -> None:
        super().__init__(message)
        self.message, self.field, self.row = message, field, row


@dataclass
class Sheet:
    columns: list[str]        # Docket column names, in the file's order (None for a read-only column)
    rows: list[tuple[int, dict]]  # (line number in the file, {column: raw cell value})


def max_rows() -> int:
    return int(getattr(settings, "DOCKET_IMPORT_MAX_ROWS", 100_000))


def _format_of(name: str, head: bytes) -> str:
    lowered = (name or "").lower()
    if head.startswith(b"PK\x03\x04"):
        if lowered.endswith(".csv"):
            raise FileRefused(_("This file is an XLSX workbook named .csv: rename it to .xlsx."))
        return "xlsx"
    if lowered.endswith((".xlsx", ".xlsm")):
        raise FileRefused(_("This is not an XLSX workbook. Save it from your spreadsheet as .xlsx or .csv."))
    if lowered.endswith(".xls") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or .csv."))
    return "csv"


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_INFLATED:
                raise FileRefused(_("This workbook is too large once unpacked."))
    except zipfile.BadZipFile:
        raise FileRefused(_("This XLSX workbook is damaged and cannot be read.")) from None


def _load_xlsx(dataset: tablib.Dataset, data: bytes) -> None:
    """The first sheet into ``dataset``: openpyxl read-only, values only (tablib's own loader builds a cell
    object per cell, twice the work), at most ``max_rows()`` + 1 rows read."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = book.active.iter_rows(values_only=True)
        headers = list(next(rows, ()))
        while headers and headers[-1] in (None, ""):
            headers.pop()
        dataset.headers = headers
        width, limit = len(headers), max_rows() + 1
        for count, row in enumerate(rows):
            if count >= limit:
                break
            row = list(row[:width]) + [None] * (width - len(row))
            dataset.append(row)
    finally:
        book.close()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The CSV file is neither UTF-8 nor Windows-1251 text."))


def _dataset(data: bytes, fmt: str) -> tablib.Dataset:
    dataset = tablib.Dataset()
    if fmt == "xlsx":
        _check_zip(data)
        try:
            _load_xlsx(dataset, data)
        except FileRefused:
            raise
        except Exception:  # openpyxl raises many kinds of error on a malformed workbook
            raise FileRefused(_("This XLSX workbook cannot be read.")) from None
        return dataset
    text = _decode(data).replace("\x00", "")
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        dataset.load(text, format="csv", delimiter=delimiter)
    except (csv.Error, tablib.InvalidDimensions) as exc:
        raise FileRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
    return dataset


def normalise_header(raw) -> str:
    name = str(raw or "").strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(name, name)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The rows of a CSV or XLSX file, by Docket column; FileRefused for a file that cannot be imported."""
    if not data:
        raise FileRefused(_("The file is empty."))
    dataset = _dataset(data, _format_of(filename, data[:8]))
    headers = [normalise_header(h) for h in (dataset.headers or [])]
    if not any(headers):
        raise FileRefused(_("The first row must name the columns (title, occurred_at, …)."), row=1)
    columns: list[str | None] = []
    seen: set[str] = set()
    for raw, name in zip(dataset.headers, headers, strict=True):
        if name in READ_ONLY or (not name and raw in (None, "")):
            columns.append(None)
            continue
        if name not in COLUMNS:
            raise FileRefused(_("Unknown column “%(name)s”. Known columns: %(known)s.") % {
                "name": str(raw)[:60], "known": ", ".join(COLUMNS)}, field=str(raw)[:60], row=1)
        if name in seen:
            raise FileRefused(_("The column “%(name)s” appears twice.") % {"name": name}, field=name, row=1)
        seen.add(name)
        columns.append(name)
    if dataset.height > max_rows():
        raise FileRefused(_("At most %(n)d rows can be imported at once; this file has %(m)d.") % {
            "n": max_rows(), "m": dataset.height})
    rows = []
    for index, values in enumerate(dataset, start=2):
        cells = {name: value for name, value in zip(columns, values, strict=False) if name is not None}
        if all(value is None or str(value).strip() == "" for value in cells.values()):
            continue  # an empty line
        rows.append((index, cells))
    return Sheet(columns=[c for c in columns if c], rows=rows)
