"""In Chromium: upload through the page with the XHR progress bar, land on the item, verify it."""
from __future__ import annotations

import re

import pytest

from evidence.models import EvidenceItem
from tests.browser.conftest import browser, page  # noqa: F401 - fixtures
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_upload_with_progress_then_verify(live_server, page, tmp_path):  # noqa: F811
    lead = UserFactory(username="lead", password=PASSWORD)
    case = CaseFactory(lead=lead)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "lead")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$|/cases/"))

    sample = tmp_path / "statement.txt"
    sample.write_bytes(("Показания свидетеля о камере на станции.\n" * 20000).encode())
    posts: list[dict] = []
    page.on("request", lambda r: posts.append(r.headers) if r.method == "POST" and "/evidence/upload/" in r.url else None)
    page.goto(f"{base}/evidence/upload/?case={case.pk}")
    page.set_input_files("#id_file", str(sample))
    page.fill("#id_title", "Witness statement")
    page.click("#evidence-upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/evidence/\d+/$"))
    item = EvidenceItem.objects.get()
    assert len(posts) == 1 and posts[0].get("x-requested-with") == "XMLHttpRequest"  # sent by upload.js
    assert page.locator("#sha256").inner_text() == item.sha256
    assert page.locator("h1").inner_text() == "Witness statement"
    assert int(page.locator("#upload-bar").count()) == 0  # we left the upload page
    page.click("#verify-button")
    page.wait_for_load_state()
    assert "Verified" in page.content()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_too_large_upload_shows_the_error_and_stores_nothing(live_server, page, tmp_path, settings, data_dir):  # noqa: F811
    settings.DOCKET_MAX_UPLOAD_BYTES = 1000
    lead = UserFactory(username="lead2", password=PASSWORD)
    case = CaseFactory(lead=lead)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "lead2")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$|/cases/"))
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 5000)
    page.goto(f"{base}/evidence/upload/?case={case.pk}")
    page.set_input_files("#id_file", str(big))
    page.click("#evidence-upload-form button[type=submit]")  # refused in the browser before sending
    assert "larger than" in page.locator("#upload-error").inner_text()
    # Without the browser's check, the server refuses it with 413 and the page shows its message.
    page.evaluate("document.getElementById('evidence-upload-form').removeAttribute('data-max-bytes')")
    with page.expect_response(lambda r: "/evidence/upload/" in r.url) as info:
        page.click("#evidence-upload-form button[type=submit]")
    assert info.value.status == 413
    page.wait_for_function("!document.getElementById('upload-error').hidden")
    assert "larger than" in page.locator("#upload-error").inner_text()
    assert EvidenceItem.objects.count() == 0
    assert [p for p in (data_dir / "evidence").rglob("*") if p.is_file() and ".locks" not in p.parts] == []
    assert list((data_dir / "tmp").iterdir()) == []
