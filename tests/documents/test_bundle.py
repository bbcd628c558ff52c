"""The court bundle: its files, manifest and checksums match the bytes; each export is a custody event."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import zipfile

import pytest
from docx import Document

from cases import permissions as cp
from documents.models import DocumentExport
from evidence import storage
from evidence.models import CustodyEvent
from tests.documents.conftest import make_many_exhibits
from tests.factories import UserFactory, add_member

BUNDLE = "bundle.zip"


def fetch(client, case, **params) -> tuple[object, zipfile.ZipFile]:
    response = client.get(f"/api/v1/cases/{case.pk}/{BUNDLE}", params, HTTP_ACCEPT="application/zip")
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    return response, zipfile.ZipFile(io.BytesIO(body))


def manifest_rows(zf: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode("utf-8"))))


def test_bundle_holds_every_exhibit_and_its_manifest_matches_the_bytes(populated, api):
    case, users, data = populated
    response, zf = fetch(api(users["coordinator"]), case)
    assert response["Content-Type"] == "application/zip"
    assert zf.testzip() is None
    rows = manifest_rows(zf)
    assert list(rows[0]) == ["exhibit_number", "filename", "sha256", "size"]
    items = sorted(data["items"], key=lambda i: i.exhibit.number)
    assert [int(r["exhibit_number"]) for r in rows] == [i.exhibit.number for i in items]
    for row, item in zip(rows, items):
        content = zf.read(row["filename"])
        assert hashlib.sha256(content).hexdigest() == row["sha256"] == item.sha256
        assert len(content) == int(row["size"]) == item.size
        assert row["filename"].startswith(f"exhibits/{item.exhibit.number:03d}_")
    assert "exhibits/002_Решение_суда.pdf" in zf.namelist()
    names = set(zf.namelist())
    assert {"manifest.csv", "SHA256SUMS", "exhibit-list.docx", "chronology.docx", "custody-report.docx",
            "README.txt"} <= names
    chronology = Document(io.BytesIO(zf.read("chronology.docx"))).tables[0]
    assert "Stop at Park Kultury" in [row.cells[2].text for row in chronology.rows[1:]]
    # The exhibit list inside is the real document, with every hash.
    table = Document(io.BytesIO(zf.read("exhibit-list.docx"))).tables[0]
    assert [c.cells[5].text for c in table.rows[1:]] == [i.sha256 for i in items]
    # The exhibit list names each file as the bundle does.
    assert [f"exhibits/{c.cells[2].text}" for c in table.rows[1:]] == [r["filename"] for r in rows]


def test_sha256sum_check_passes_on_the_extracted_bundle(populated, api, tmp_path):
    case, users, _ = populated
    _response, zf = fetch(api(users["lead"]), case)
    out = tmp_path / "bundle"
    zf.extractall(out)
    tool = shutil.which("sha256sum")
    if tool:
        result = subprocess.run([tool, "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count(": OK") == 3
    # The same check in Python, so the property holds without coreutils too.
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_each_exported_exhibit_is_a_custody_event_recorded_with_the_bundle(populated, api):
    case, users, data = populated
    before = CustodyEvent.objects.filter(action="exported").count()
    _response, zf = fetch(api(users["coordinator"]), case)
    export = DocumentExport.objects.get(kind="bundle")
    events = CustodyEvent.objects.filter(action="exported")
    assert events.count() - before == 3
    assert {e.item_id for e in events} == {i.pk for i in data["items"]}
    assert all(e.username == "coordinator" and e.detail["bundle"] == export.pk for e in events)
    # The custody report inside the bundle already shows this export.
    report = Document(io.BytesIO(zf.read("custody-report.docx")))
    actions = [row.cells[2].text for table in report.tables for row in table.rows[1:]]
    assert sum(a.startswith(f"Exported in the court bundle (ZIP), export No.\u00a0{export.pk}") for a in actions) == 3
    assert all(e.detail["format"] == "zip" for e in events)
    # And the evidence custody API tells the same.
    custody = api(users["lead"]).get(f"/api/v1/evidence/{data['items'][0].pk}/custody/").json()
    assert custody[-1]["action"] == "exported"


def test_restricted_exhibits_are_withheld_from_a_role_that_may_not_download_them(populated, api, monkeypatch):
    """A role with GENERATE_DOCUMENTS but without DOWNLOAD_RESTRICTED gets the bundle without restricted files."""
    case, users, data = populated
    restricted = data["items"][2]
    monkeypatch.setitem(cp.ROLE_PERMISSIONS, "coordinator",
                        cp.ROLE_PERMISSIONS["coordinator"] - {cp.DOWNLOAD_RESTRICTED})
    clerk = UserFactory(username="clerk")
    add_member(case, clerk, "coordinator")
    response, zf = fetch(api(clerk), case)
    rows = manifest_rows(zf)
    assert restricted.exhibit.number not in [int(r["exhibit_number"]) for r in rows]
    assert not any(n.startswith(f"exhibits/{restricted.exhibit.number:03d}_") for n in zf.namelist())
    assert restricted.sha256 not in zf.read("SHA256SUMS").decode()
    assert f"{restricted.exhibit.number}" in zf.read("README.txt").decode()
    assert response["X-Docket-Withheld"] == str(restricted.exhibit.number)
    assert not CustodyEvent.objects.filter(item=restricted, action="exported").exists()


def test_missing_blob_gives_409_and_records_nothing(populated, api):
    case, users, data = populated
    storage.remove_blob(data["items"][1].sha256)
    response = api(users["lead"]).get(f"/api/v1/cases/{case.pk}/{BUNDLE}")
    assert response.status_code == 409
    assert "2" in response.json()["detail"]
    assert not CustodyEvent.objects.filter(action="exported").exists()
    assert not DocumentExport.objects.exists()


def test_a_blob_changed_on_disk_aborts_the_stream(populated, api):
    case, users, data = populated
    path = storage.blob_path(data["items"][0].sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"tampered statement of the applicant\n"[: data["items"][0].size])
    response = api(users["lead"]).get(f"/api/v1/cases/{case.pk}/{BUNDLE}")
    assert response.status_code == 200
    from documents.bundle import BundleIntegrityError

    with pytest.raises(BundleIntegrityError):
        b"".join(response.streaming_content)


def test_bundle_info_reports_counts_and_size(populated, api):
    case, users, data = populated
    body = api(users["coordinator"]).get(f"/api/v1/cases/{case.pk}/bundle/").json()
    assert {k: body[k] for k in ("exhibits", "withheld", "size")} == {
        "exhibits": 3, "withheld": [], "size": sum(i.size for i in data["items"])}
    # The procedure whose words the documents use, and why: the proceeding's number 2a-1/2025 is administrative.
    assert body["procedure"] == "cas" and "2a-1/2025" in body["procedure_reason"]
    assert api(users["observer"]).get(f"/api/v1/cases/{case.pk}/bundle/").status_code == 403


@pytest.mark.slow
def test_a_case_with_1000_exhibits_gets_its_list_and_bundle(team, api):
    case, users = team
    items = make_many_exhibits(case, users["lead"], 1000)
    client = api(users["coordinator"])
    response = client.get(f"/api/v1/cases/{case.pk}/documents/exhibit-list.docx")
    assert response.status_code == 200
    table = Document(io.BytesIO(response.content)).tables[0]
    assert len(table.rows) == 1001
    assert [int(r.cells[0].text) for r in table.rows[1:]] == list(range(1, 1001))

    _response, zf = fetch(client, case)
    rows = manifest_rows(zf)
    assert len(rows) == 1000
    assert rows[-1]["filename"].startswith("exhibits/1000_")
    assert rows[0]["filename"].startswith("exhibits/0001_")
    by_sha = {i.sha256: i.size for i in items}
    for row in rows:
        content = zf.read(row["filename"])
        assert hashlib.sha256(content).hexdigest() == row["sha256"]
        assert len(content) == int(row["size"]) == by_sha[row["sha256"]]
    assert CustodyEvent.objects.filter(action="exported").count() == 1000


def test_head_does_not_record_an_export(populated, api):
    case, users, _ = populated
    response = api(users["lead"]).head(f"/api/v1/cases/{case.pk}/{BUNDLE}")
    assert response.status_code == 405
    assert not CustodyEvent.objects.filter(action="exported").exists()
    assert not DocumentExport.objects.exists()
