"""Generate the table of authorities of a case and the letter of a request (checks, then layout)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.permissions import GENERATE_DOCUMENTS, VIEW_IDENTITIES, case_perms, case_require
from litigation import documents, selectors
from litigation.models import AuthorityRequest
from litigation.permissions import request_get


@dataclass
class GeneratedFile:
    content: bytes
    filename: str
    media_type: str = documents.DOCX_MEDIA_TYPE


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "case"


def _language(language: str) -> str:
    return "ru" if (language or "").lower().startswith("ru") else "en"


def table_of_authorities_generate(*, user, case: Case | int, language: str = "en") -> GeneratedFile:
    """The table of authorities of a case (``generate_documents``: lead, lawyer, coordinator)."""
    case = case_require(user, getattr(case, "pk", case), GENERATE_DOCUMENTS)
    language = _language(language)
    groups = []
    for kind, entries in selectors.table_of_authorities(user=user, case=case):
        rows = [documents.AuthorityRow(
            kind=kind, title=e.authority.title, citation=e.authority.citation, court=e.authority.court,
            date=e.authority.date, identifier=e.authority.identifier, url=e.authority.url,
            cited_in=[documents.CitedIn(n, claim.right, pinpoint) for n, claim, pinpoint in e.citations],
        ) for e in entries]
        groups.append((kind, rows))
    content = documents.table_of_authorities_docx(
        case=documents.CaseHead(case.title, case.reference, case.court), groups=groups, language=language,
        generated_by=user.get_username(), generated_at=timezone.localtime(),
    )
    return GeneratedFile(content, f"table-of-authorities-{_slug(case.reference or str(case.pk))}-{language}.docx")


def request_letter_generate(*, user, request: AuthorityRequest | int, language: str = "en") -> GeneratedFile:
    """The letter of a request, ready to sign (``generate_documents``; and ``view_identities`` when it is made in
    the name of a person, whose real name it carries)."""
    req = request_get(user, getattr(request, "pk", request))
    perms = case_perms(user, req.case)
    if GENERATE_DOCUMENTS not in perms:
        raise PermissionDenied(_("Your role on this case may not generate documents."))
    person = req.requester.person if req.requester_id and req.requester.person_id else None
    if person is not None and VIEW_IDENTITIES not in perms:
        raise PermissionDenied(_("The letter carries the real name of a person your role may not see."))
    language = _language(language)
    if person is not None:
        requester = person.real_name or person.pseudonym
    else:
        requester = req.requester.name if req.requester_id else ""
    letter = documents.LetterData(
        kind=req.kind, addressee=req.addressee, requester=requester, subject=req.subject, body=req.body,
        reply_to=req.reply_to, reference=req.reference, sent_on=req.sent_on,
    )
    content = documents.request_letter_docx(letter=letter, language=language, generated_by=user.get_username(),
                                            generated_at=timezone.localtime())
    return GeneratedFile(content, f"request-{req.pk}-{_slug(req.kind)}-{language}.docx")
