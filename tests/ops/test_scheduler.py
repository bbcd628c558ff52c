"""The scheduler (daily reminders, weekly verification of all evidence), the verification run itself, and what the
dashboard shows of it: to leads only, and only the items of the cases they lead."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from evidence import storage
from evidence.models import CustodyEvent
from evidence.services import evidence_upload
from ops import scheduler
from ops.models import ScheduledJobRun, VerificationFailure, VerificationRun
from ops.verification import evidence_verify_all
from tests.factories import CaseFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(db):
    """Case A led by ``lead_a`` (with a lawyer), case B led by ``lead_b``; two items in A, one in B."""
    lead_a, lead_b = UserFactory(username="lead_a"), UserFactory(username="lead_b")
    lawyer = UserFactory(username="lawyer_a")
    case_a, case_b = CaseFactory(lead=lead_a, title="Case A"), CaseFactory(lead=lead_b, title="Case B")
    add_member(case_a, lawyer, "lawyer")

    def add(user, case, content, name):
        return evidence_upload(user=user, case=case, uploaded_file=SimpleUploadedFile(name, content), title=name)

    items = {
        "a1": add(lead_a, case_a, b"first statement", "statement-a1.txt"),
        "a2": add(lead_a, case_a, b"second statement", "statement-a2.txt"),
        "b1": add(lead_b, case_b, b"secret of case B", "secret-b1.txt"),
    }
    return {"lead_a": lead_a, "lead_b": lead_b, "lawyer": lawyer, "a": case_a, "b": case_b, "items": items}


def damage(item) -> None:
    path = storage.blob_path(item.sha256)
    path.chmod(0o640)
    path.write_bytes(b"tampered")


def test_verification_checks_every_item_and_records_custody_and_failures(two_cases):
    damage(two_cases["items"]["b1"])
    run = evidence_verify_all(trigger="manual")
    assert (run.status, run.items_checked, run.items_failed) == ("done", 3, 1)
    assert run.finished_at is not None
    events = CustodyEvent.objects.filter(action="verified", detail__run=run.pk)
    assert events.count() == 3 and all(e.username == "" for e in events)
    assert {e.item_id: e.detail["ok"] for e in events} == {
        two_cases["items"]["a1"].pk: True, two_cases["items"]["a2"].pk: True, two_cases["items"]["b1"].pk: False}
    failure = VerificationFailure.objects.get(run=run)
    assert failure.item_id == two_cases["items"]["b1"].pk
    assert "the stored file does not match its digest" in failure.problems


def test_a_run_left_running_is_marked_crashed_by_the_next(two_cases):
    stale = VerificationRun.objects.create(trigger="scheduled")
    evidence_verify_all()
    stale.refresh_from_db()
    assert stale.status == "crashed"


def test_what_is_due_when():
    now = timezone.now()
    assert scheduler.due_jobs(now) == ["reminders", "verification"]
    for name in ("reminders", "verification"):
        ScheduledJobRun.objects.create(job=name, outcome="done")
    assert scheduler.due_jobs(now) == []
    assert scheduler.due_jobs(now + dt.timedelta(days=1)) == ["reminders"]
    assert scheduler.due_jobs(now + dt.timedelta(days=6, hours=21)) == ["reminders", "verification"]
    # A failed run does not count: the job is due again at once.
    ScheduledJobRun.objects.create(job="reminders", outcome="failed")
    ScheduledJobRun.objects.filter(job="reminders", outcome="done").delete()
    assert scheduler.due_jobs(now) == ["reminders"]


def test_run_scheduled_runs_what_is_due_once(two_cases):
    out = io.StringIO()
    call_command("run_scheduled", stdout=out)
    assert "reminders: done" in out.getvalue() and "verification: done" in out.getvalue()
    assert VerificationRun.objects.get().items_checked == 3
    again = io.StringIO()
    call_command("run_scheduled", stdout=again)
    assert again.getvalue().strip() == "Nothing is due."
    listing = io.StringIO()
    call_command("run_scheduled", "--list", stdout=listing)
    assert "reminders     not due" in listing.getvalue()
    call_command("run_scheduled", "--now", "verification", stdout=io.StringIO())
    assert VerificationRun.objects.count() == 2


def test_run_scheduled_exits_1_when_evidence_fails(two_cases):
    damage(two_cases["items"]["a2"])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("run_scheduled", "--now", "verification", stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 1
    assert "1 of 3 evidence items FAILED verification" in err.getvalue()


def test_a_failing_job_is_recorded_and_retried(two_cases, monkeypatch):
    def broken():
        raise RuntimeError("mail server down")

    monkeypatch.setitem(scheduler.JOBS, "reminders", scheduler.JOBS["reminders"].__class__(
        "reminders", "x", scheduler._daily, broken, broken))
    with pytest.raises(SystemExit):
        call_command("run_scheduled", stdout=io.StringIO())
    record = ScheduledJobRun.objects.get(job="reminders")
    assert record.outcome == "failed" and "mail server down" in record.detail["error"]
    assert "reminders" in scheduler.due_jobs()


def test_enqueue_hands_the_jobs_to_the_workers(two_cases):
    call_command("run_scheduled", "--enqueue", stdout=io.StringIO())  # the test backend runs tasks immediately
    assert set(ScheduledJobRun.objects.values_list("job", "outcome")) == {
        ("reminders", "enqueued"), ("verification", "enqueued")}
    assert VerificationRun.objects.get().trigger == "worker"


def test_two_schedulers_do_not_run_at_once(two_cases):
    with scheduler.scheduler_lock() as locked:
        assert locked
        with pytest.raises(CommandError, match="Another run_scheduled"):
            call_command("run_scheduled", stdout=io.StringIO())
    assert not VerificationRun.objects.exists()


# --- The dashboard ------------------------------------------------------------------------------------------------
def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_leads_see_the_last_run_and_only_their_cases_failures(client, two_cases):
    damage(two_cases["items"]["a1"])
    damage(two_cases["items"]["b1"])
    evidence_verify_all()
    page_a = dashboard(client, two_cases["lead_a"])
    assert "Evidence verification" in page_a
    assert "1 item failed" in page_a and "of 2 items checked in the cases you lead" in page_a
    assert "statement-a1.txt" in page_a and "secret-b1.txt" not in page_a
    page_b = dashboard(client, two_cases["lead_b"])
    assert "1 item failed" in page_b and "of 1 item checked" in page_b
    assert "secret-b1.txt" in page_b and "statement-a1.txt" not in page_b
    # A lawyer of case A leads nothing: no widget, no failure, no count.
    page_lawyer = dashboard(client, two_cases["lawyer"])
    assert "Evidence verification" not in page_lawyer and "statement-a1.txt" not in page_lawyer


def test_leads_see_intact_evidence_and_the_state_before_any_run(client, two_cases):
    assert "No verification of all evidence has run yet" in dashboard(client, two_cases["lead_a"])
    evidence_verify_all()
    page = dashboard(client, two_cases["lead_a"])
    assert "2 items in the cases you lead: files and chains of custody intact" in page


def test_a_lead_of_a_trashed_case_sees_nothing_of_it(client, two_cases):
    from cases import services as case_services

    damage(two_cases["items"]["b1"])
    case_services.case_trash(user=two_cases["lead_b"], case=two_cases["b"])
    evidence_verify_all()
    assert "Evidence verification" not in dashboard(client, two_cases["lead_b"])


def test_the_widget_in_russian(client, two_cases):
    damage(two_cases["items"]["a1"])
    evidence_verify_all()
    client.force_login(two_cases["lead_a"])
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Проверка доказательств" in page
    assert "1 доказательство не прошло проверку" in page
