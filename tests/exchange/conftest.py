"""Import/export helpers: spreadsheets written by openpyxl or csv, uploaded through the real API."""
from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def post_import(client: APIClient, content: bytes, name: str = "incidents.xlsx", **data):
    payload = {"file": SimpleUploadedFile(name, content), **{k: str(v).lower() if isinstance(v, bool) else v
                                                             for k, v in data.items()}}
    return client.post("/api/v1/incidents/import/", payload, format="multipart")


@pytest.fixture
def api():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


HEADER = ["external_id", "title", "occurred_at", "location", "latitude", "longitude", "category", "description",
          "agency", "system_involved"]


def sample_rows(n: int, start: int = 0) -> list[list]:
    import datetime as dt

    rows = [HEADER]
    for i in range(start, start + n):
        rows.append([f"P-{i}", f"Stop at station {i}", dt.datetime(2025, 1 + i % 12, 1 + i % 28, 8, 30),
                     f"Station {i % 50}, Moscow", 55.7 + (i % 100) / 1000, 37.6 + (i % 100) / 1000,
                     "wrongful_stop" if i % 3 else "detention", f"Report {i}", "Moscow metro police",
                     "Sfera"])
    return rows
