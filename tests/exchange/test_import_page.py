"""The import page: upload → background job (django-tasks) with progress → dry-run preview with row errors by
line and column → the real import of the same file; a job is its user's alone."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Incident
from exchange import jobs
from exchange.models import ImportJob
from tests.exchange.conftest import sample_rows, xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, *, dry_run: bool = True):
    data = {"file": SimpleUploadedFile("partner.xlsx", content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/incidents/import/", data)


def test_dry_run_then_import_of_the_same_file(client):
    user = UserFactory(username="researcher")
    client.force_login(user)
    assert client.get("/incidents/import/").status_code == 200
    response = upload(client, xlsx_bytes(sample_rows(12)))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/incidents/import/{job.token}/"
    assert job.status == "done" and job.dry_run and job.result["created"] == 12  # the task ran (immediate backend)
    assert jobs.progress_of(job) == {"phase": "done", "done": 12, "total": 12}
    page = client.get(response["Location"]).content.decode()
    assert "create 12 incidents" in page and "Import these rows" in page and Incident.objects.count() == 0
    confirmed = client.post(f"/incidents/import/{job.token}/confirm/")
    real = ImportJob.objects.exclude(pk=job.pk).get()
    assert confirmed["Location"] == f"/incidents/import/{real.token}/" and not real.dry_run
    assert Incident.objects.count() == 12
    assert not jobs.file_of(real).exists()  # the uploaded file is removed once imported
    again = client.get(confirmed["Location"]).content.decode()
    assert "Imported:" in again and "Import these rows" not in again


def test_row_errors_by_line_and_column(client):
    client.force_login(UserFactory(username="researcher"))
    rows = sample_rows(4)
    rows[2][4] = "north"
    upload(client, xlsx_bytes(rows))
    job = ImportJob.objects.get()
    page = client.get(f"/incidents/import/{job.token}/").content.decode()
    assert 'id="import-errors"' in page and "<td>3</td>" in page and "latitude" in page
    assert "Import these rows" not in page
    assert client.post(f"/incidents/import/{job.token}/confirm/").status_code == 302
    assert Incident.objects.count() == 0


def test_a_running_job_shows_progress_and_refreshes(client):
    user = UserFactory(username="researcher")
    client.force_login(user)
    job = ImportJob.objects.create(user=user, filename="big.xlsx", status=ImportJob.Status.RUNNING)
    (jobs.jobs_dir() / f"{job.token}.progress").write_text('{"phase": "writing", "done": 2500, "total": 10000}')
    page = client.get(f"/incidents/import/{job.token}/").content.decode()
    assert '<progress max="100" value="25"' in page and 'http-equiv="refresh"' in page and "2500 / 10000" in page


def test_a_job_is_its_users_alone(client):
    owner = UserFactory(username="owner")
    job = ImportJob.objects.create(user=owner, filename="x.xlsx", status=ImportJob.Status.DONE, result={})
    client.force_login(UserFactory(username="someone"))
    assert client.get(f"/incidents/import/{job.token}/").status_code == 404
    assert client.post(f"/incidents/import/{job.token}/confirm/").status_code == 404
    client.logout()
    assert client.get(f"/incidents/import/{job.token}/").status_code == 302


def test_not_a_spreadsheet_is_reported_on_the_job_page(client):
    client.force_login(UserFactory(username="researcher"))
    upload(client, b"\x00\x01binary")
    job = ImportJob.objects.get()
    assert job.result["errors"] and "Import these rows" not in client.get(
        f"/incidents/import/{job.token}/").content.decode()
