"""A lawyer, in Chromium: adds a claim, adds an authority to the library and cites it, downloads the table of
authorities, logs a request to an authority received long ago and sees it overdue (on the request, on the case and
on "my work"). Pages load no blocked inline script or style, and fit a phone without sideways scrolling."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document

from cases.models import Role
from litigation.models import AuthorityRequest, Citation, Claim
from tests.factories import CaseFactory, UserFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_claims_authorities_table_and_an_overdue_request(live_server, page):
    lead = UserFactory(username="lead", password=PASSWORD)
    lawyer = UserFactory(username="lawyer", password=PASSWORD)
    case = CaseFactory(lead=lead, title="Voronova v. Moscow Metro", reference="2-1187/2025")
    add_member(case, lawyer, Role.LAWYER)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "lawyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("nav.mainnav >> text=My work").count() == 1

    # A claim, from the case page.
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("#claims >> text=Add claim")
    page.fill("#id_right", "Article 8 of the Convention (respect for private life)")
    page.fill("#id_relief", "A finding of a violation; deletion of the applicant's biometric data.")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r"/claims/\d+/$"))
    claim = Claim.objects.get()
    assert "Claim added" in page.locator(".messages").inner_text()

    # An authority added to the library from the claim, then cited with a pinpoint.
    page.click("text=Add an authority to the library")
    page.select_option("#id_kind", "judgment")
    page.fill("#id_title", "Glukhin v. Russia")
    page.fill("#id_citation", "Glukhin v. Russia, no. 11519/20, 4 July 2023")
    page.fill("#id_court", "European Court of Human Rights (Third Section)")
    page.fill("#id_date", "2023-07-04")
    page.fill("#id_identifier", "11519/20")
    page.fill("#id_url", "https://hudoc.echr.coe.int/eng?i=001-225655")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(rf"/claims/{claim.pk}/"))
    page.select_option("#id_authority", label="Glukhin v. Russia, no. 11519/20, 4 July 2023")
    page.fill("#id_pinpoint", "§ 72")
    page.click("button:has-text('Cite')")
    page.wait_for_selector("#citations >> text=§ 72")
    assert Citation.objects.get().pinpoint == "§ 72"

    # The table of authorities, downloaded from the claim page.
    with page.expect_download() as download:
        page.click("text=Table of authorities (EN)")
    path = download.value.path()
    doc = Document(io.BytesIO(open(path, "rb").read()))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any("Glukhin v. Russia, no. 11519/20" in c for c in cells)
    assert any("Claim 1 (Article 8 of the Convention (respect for private life)): § 72" in c for c in cells)
    assert download.value.suggested_filename.endswith(".docx")

    # A request under 59-FZ registered long ago, never answered: overdue at once.
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("#requests >> text=Log a request")
    page.select_option("#id_kind", "ru-59fz-appeal")
    page.fill("#id_addressee", "Roskomnadzor")
    page.fill("#id_subject", "Retention of passengers' face templates")
    page.fill("#id_sent_on", "2025-01-09")
    page.fill("#id_received_on", "2025-01-10")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    req = AuthorityRequest.objects.get()
    assert req.status == "overdue" and req.reply_due.isoformat() == "2025-02-10"
    assert "Overdue" in page.locator(".page-head").inner_text()
    assert "2025-02-10" in page.locator("#explanation").inner_text()
    page.goto(f"{base}/cases/{case.pk}/")
    assert "Overdue" in page.locator("#requests").inner_text()
    page.click("nav.mainnav >> text=My work")
    assert "Retention of passengers' face templates" in page.locator("#overdue").inner_text()

    # A phone: nothing scrolls sideways on the new pages.
    page.set_viewport_size({"width": 375, "height": 800})
    for path in (f"/claims/{claim.pk}/", f"/requests/{req.pk}/", "/work/", "/authorities/", "/requests/"):
        page.goto(base + path)
        assert no_sideways_scroll(page), path
    assert page.console_errors == [], page.console_errors
